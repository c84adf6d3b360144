/**
 * The built dashboard (dist/web, made by `npm run build`) as the collector serves it: hashed
 * assets cached for ever, the page never cached and locked to its own origin, a path never
 * leaving the built files.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardAssets, defaultDashboardDir } from '../../src/server/dashboard-assets.js';

const DIR = defaultDashboardDir();
let server: Server;
let base: string;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A raw request (the path as given, not normalised as fetch would). */
function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  server = createServer(dashboardAssets(DIR));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('the dashboard assets', () => {
  const index = readFileSync(join(DIR, 'index.html'), 'utf8');
  const script = /<script type="module" crossorigin src="(\/assets\/[^"]+\.js)"/.exec(index)?.[1];
  const style = /<link rel="stylesheet" crossorigin href="(\/assets\/[^"]+\.css)"/.exec(index)?.[1];

  it('are built with hashed names that the page names', () => {
    expect(script).toMatch(/^\/assets\/index-[\w-]{8}\.js$/);
    expect(style).toMatch(/^\/assets\/index-[\w-]{8}\.css$/);
    const files = readdirSync(join(DIR, 'assets'));
    expect(files).toEqual(expect.arrayContaining([script, style].map((p) => p?.slice('/assets/'.length))));
    for (const f of files) expect(f).toMatch(/^[\w-]+-[\w-]{8}\.(js|css)$/);
  });

  it('serve the page for any path, uncached and locked to its own origin', async () => {
    for (const path of ['/', '/buckets?kind=warning', '/hosts/web-1', '/reports/r1']) {
      const a = await get(path);
      expect(a.status).toBe(200);
      expect(a.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(a.headers['cache-control']).toBe('no-cache');
      expect(a.headers['content-security-policy']).toContain("script-src 'self'");
      expect(a.headers['content-security-policy']).toContain("connect-src 'self'");
      expect(a.body.toString('utf8')).toBe(index);
    }
  });

  it('serve hashed assets immutable, gzipped when asked, with a working ETag', async () => {
    const plain = await get(script ?? '');
    expect(plain.status).toBe(200);
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(plain.body.equals(readFileSync(join(DIR, script ?? '')))).toBe(true);
    const zipped = await get(script ?? '', { 'accept-encoding': 'gzip, br' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.body.length).toBeLessThan(plain.body.length / 2);
    expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true);
    const again = await get(script ?? '', { 'if-none-match': String(plain.headers['etag']) });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    const css = await get(style ?? '');
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
  });

  it('answer 404 for an asset that is not there, never the page or another file', async () => {
    for (const path of ['/assets/index-00000000.js', '/assets/../../package.json', '/assets/%2e%2e/%2e%2e/package.json', '/assets/..%2f..%2fpackage.json']) {
      const a = await get(path);
      expect(a.body.toString('utf8')).not.toContain('"name": "ktriage"');
      if (a.status === 200) expect(a.body.toString('utf8')).toBe(index);
      else {
        expect(a.status).toBe(404);
        expect(a.body.toString('utf8')).toBe('ktriage: no such dashboard file [KT_E_NOT_FOUND]\n');
      }
    }
    expect((await get('/assets/index-00000000.js')).status).toBe(404);
  });

  it('take only GET and HEAD', async () => {
    const post = await get('/', {}, 'POST');
    expect(post.status).toBe(405);
    expect(post.headers['allow']).toBe('GET, HEAD');
    const head = await get(script ?? '', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(Number(head.headers['content-length'])).toBe(readFileSync(join(DIR, script ?? '')).length);
  });

  it('say so when the dashboard was not built', async () => {
    const bare = createServer(dashboardAssets(join(DIR, 'no-such-dir')));
    await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
    const port = (bare.address() as AddressInfo).port;
    const saved = base;
    base = `http://127.0.0.1:${port}`;
    try {
      const a = await get('/');
      expect(a.status).toBe(404);
      expect(a.body.toString('utf8')).toBe('ktriage: the dashboard is not built (run `npm run build`) [KT_E_NOT_FOUND]\n');
    } finally {
      base = saved;
      await new Promise<void>((resolve) => bare.close(() => resolve()));
    }
  });
});
