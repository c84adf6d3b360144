/**
 * The dashboard's built files (web/ → dist/web/ by `npm run build`), served by the collector for
 * any GET outside the API: hashed files under /assets/ are cached for a year (their names change
 * with their content), and every other path gets index.html, never cached, so a deploy shows at
 * once and the page's own router picks the view. Files are read once into memory (about 150 kB,
 * with a gzip copy); a request's path only ever looks up that map, never the file system.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

interface Asset {
  body: Buffer;
  gzip?: Buffer;
  type: string;
  etag: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.map': 'application/json',
};

const IMMUTABLE = 'public, max-age=31536000, immutable';
/** The page runs only its own scripts and talks only to its own origin. */
const PAGE_HEADERS: Record<string, string> = {
  'cache-control': 'no-cache',
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** Where the built dashboard is: dist/web beside dist/server, or dist/web from src/server (tests run the sources). */
export function defaultDashboardDir(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const candidates = [join(here, '..', 'web'), join(here, '..', '..', 'dist', 'web')];
  return candidates.find((d) => existsSync(join(d, 'index.html'))) ?? candidates[0]!;
}

function load(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const file = join(d, name);
      if (statSync(file).isDirectory()) walk(file);
      else {
        const body = readFileSync(file);
        const type = TYPES[extname(name)] ?? 'application/octet-stream';
        const compressible = /^(text\/|application\/json|image\/svg)/.test(type) && body.length > 1024;
        const etag = `"${body.length.toString(36)}-${statSync(file).mtimeMs.toString(36)}"`;
        assets.set(`/${relative(dir, file).split(sep).join('/')}`, { body, type, etag, ...(compressible ? { gzip: gzipSync(body, { level: 9 }) } : {}) });
      }
    }
  };
  if (existsSync(dir)) walk(dir);
  return assets;
}

/** Answers the request (always: every GET outside the API is the dashboard's); true when it did. */
export type DashboardHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * A handler for every GET/HEAD the API does not take. Another method gets 405; a missing
 * /assets/ file gets 404 (an old page asking for a replaced file must not receive HTML).
 */
export function dashboardAssets(dir = defaultDashboardDir()): DashboardHandler {
  const assets = load(dir);
  const index = assets.get('/index.html');
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('ktriage: method not allowed [KT_E_BAD_REQUEST]\n');
      return true;
    }
    const path = decodePath(req.url ?? '/');
    const asset = path.startsWith('/assets/') ? assets.get(path) : index;
    if (!asset) {
      const message = index ? 'ktriage: no such dashboard file [KT_E_NOT_FOUND]\n' : 'ktriage: the dashboard is not built (run `npm run build`) [KT_E_NOT_FOUND]\n';
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end(message);
      return true;
    }
    const headers: Record<string, string> = asset === index ? { ...PAGE_HEADERS } : { 'cache-control': IMMUTABLE, 'x-content-type-options': 'nosniff' };
    headers['content-type'] = asset.type;
    headers['etag'] = asset.etag;
    headers['vary'] = 'accept-encoding';
    if (req.headers['if-none-match'] === asset.etag) {
      res.writeHead(304, headers).end();
      return true;
    }
    const gzip = asset.gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = gzip && asset.gzip ? asset.gzip : asset.body;
    if (gzip) headers['content-encoding'] = 'gzip';
    headers['content-length'] = String(body.length);
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}

/** The path of a request URL, `/` for one that does not parse (it then gets the page). */
function decodePath(url: string): string {
  try {
    return decodeURIComponent(new URL(url, 'http://localhost').pathname);
  } catch {
    return '/';
  }
}
