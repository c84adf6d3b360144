import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { KtError } from '../../errors.js';
import type { Collector } from '../collector.js';
import { scopeAllows, verifySession, verifyToken, type TokenInfo } from '../storage/token-store.js';
import { ApiError, errorBody, statusOf } from './api-error.js';
import { API_ROUTES } from './api-routes.js';
import { RateLimiter } from './rate-limit.js';
import { decodeBody, readRawBody, type BodyLimits } from './read-body.js';
import { compileRoute, type CompiledRoute, type Reply, type RouteContext } from './route.js';
import { sessionCookieOf } from './session-cookie.js';

export interface HttpLimits extends BodyLimits {
  /** Longest line of an uploaded log. */
  maxLineBytes: number;
  /** Requests a second per token (0: no limit), with twice that as the burst. */
  ratePerSecond: number;
  /** A client must send its headers within this, and its whole request within requestTimeoutMs. */
  headersTimeoutMs: number;
  requestTimeoutMs: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  maxBodyBytes: 16 << 20,
  maxDecodedBytes: 64 << 20,
  maxLineBytes: 64 << 10,
  ratePerSecond: 200,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
};

/** What answers the GETs no route takes (the dashboard, once it lands); 404 until then. */
export type FallbackHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

function lineTooLong(bytes: Buffer, max: number): number {
  let start = 0;
  let line = 1;
  while (start < bytes.length) {
    let end = bytes.indexOf(10, start);
    if (end < 0) end = bytes.length;
    if (end - start > max) return line;
    start = end + 1;
    line++;
  }
  return 0;
}

function send(res: ServerResponse, reply: Reply): void {
  for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
  if (reply.json !== undefined) {
    const body = JSON.stringify(reply.json);
    res.writeHead(reply.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  } else if (reply.text !== undefined) {
    res.writeHead(reply.status, { 'content-type': reply.contentType ?? 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(reply.text) });
    res.end(reply.text);
  } else {
    res.writeHead(reply.status);
    res.end();
  }
}

/**
 * The collector's HTTP side: a table of routes (API_ROUTES), one fallback for other GETs,
 * token or session auth per route, a rate limit per token, and limits on every body.
 */
export class CollectorHttp {
  private readonly routes: CompiledRoute[];
  private readonly limiter: RateLimiter;
  readonly server: Server;
  private fallback: FallbackHandler | undefined;

  constructor(
    private readonly collector: Collector,
    private readonly limits: HttpLimits = DEFAULT_HTTP_LIMITS,
  ) {
    this.routes = API_ROUTES.map(compileRoute);
    this.limiter = new RateLimiter(limits.ratePerSecond, limits.ratePerSecond * 2);
    this.server = createServer({ maxHeaderSize: 16 << 10, headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs), requestTimeout: limits.requestTimeoutMs, keepAliveTimeout: 5000, connectionsCheckingInterval: Math.max(100, Math.min(30_000, limits.requestTimeoutMs / 4)) }, (req, res) => {
      this.handle(req, res).catch((e: unknown) => this.fail(res, e));
    });
    // Requests Node refuses before a handler runs: too slow, headers too big, not HTTP.
    this.server.on('clientError', (e: NodeJS.ErrnoException, socket) => {
      if (!socket.writable) return socket.destroy();
      this.collector.metrics.add('ktriage_http_refused_total');
      const [status, code, message] =
        e.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? ['408 Request Timeout', 'KT_E_TIMEOUT', 'the request was not sent in time']
          : e.code === 'HPE_HEADER_OVERFLOW'
            ? ['431 Request Header Fields Too Large', 'KT_E_TOO_LARGE', 'request headers are over 16 KiB']
            : ['400 Bad Request', 'KT_E_BAD_REQUEST', 'not a well-formed HTTP request'];
      const body = errorBody(code, message);
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    });
  }

  /** The dashboard's hook: GETs outside /api/, /healthz and /metrics. */
  setFallback(handler: FallbackHandler): void {
    this.fallback = handler;
  }

  private fail(res: ServerResponse, e: unknown): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (e instanceof KtError) {
      const status = statusOf(e);
      if (status < 500) this.collector.metrics.add('ktriage_http_refused_total');
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (e instanceof ApiError && e.retryAfter !== undefined) headers['retry-after'] = String(e.retryAfter);
      if (status === 413 || status === 408) headers['connection'] = 'close';
      res.writeHead(status, headers);
      res.end(errorBody(e.code, e.message));
      return;
    }
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end(errorBody('KT_E_INTERNAL', `internal error: ${(e as Error)?.message ?? String(e)}`));
  }

  private async authenticate(req: IncomingMessage): Promise<TokenInfo | undefined> {
    const auth = req.headers.authorization;
    if (auth !== undefined) {
      const m = /^Bearer\s+(\S{1,200})$/i.exec(auth);
      return m ? verifyToken(this.collector.db, m[1]!) : undefined;
    }
    const session = sessionCookieOf(req);
    return session ? verifySession(this.collector.db, session) : undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.collector.metrics.add('ktriage_http_requests_total');
    const url = new URL(req.url ?? '/', 'http://collector');
    let matched: { route: CompiledRoute; params: Record<string, string> } | undefined;
    let pathKnown = false;
    for (const route of this.routes) {
      const m = route.pattern.exec(url.pathname);
      if (!m) continue;
      pathKnown = true;
      if (route.method !== req.method) continue;
      const params: Record<string, string> = {};
      route.names.forEach((n, i) => {
        params[n] = decodeURIComponent(m[i + 1]!);
      });
      matched = { route, params };
      break;
    }
    if (!matched) {
      req.resume();
      if (req.method === 'GET' && !url.pathname.startsWith('/api/') && this.fallback?.(req, res)) return;
      throw new ApiError('KT_E_NOT_FOUND', pathKnown ? `${req.method} is not allowed on ${url.pathname}` : `no route ${url.pathname}`);
    }
    const { route, params } = matched;
    let caller: TokenInfo | undefined;
    if (route.access !== 'open') {
      caller = await this.authenticate(req);
      if (!caller) {
        req.resume();
        throw new ApiError('KT_E_UNAUTHORIZED', 'a live token is required (Authorization: Bearer …)');
      }
      if (route.access !== 'session' && !scopeAllows(caller.scope, route.access)) {
        req.resume();
        throw new ApiError('KT_E_FORBIDDEN', `this needs a token of scope ${route.access}; this one is ${caller.scope}`);
      }
      const wait = this.limiter.take(caller.id);
      if (wait > 0) {
        req.resume();
        throw new ApiError('KT_E_RATE_LIMITED', `over ${this.limits.ratePerSecond} requests a second for this token`, wait);
      }
    }
    const limits = this.limits;
    const ctx: RouteContext = {
      req,
      url,
      params,
      collector: this.collector,
      async body() {
        const raw = await readRawBody(req, limits);
        const decoded = decodeBody(raw, req.headers['content-encoding'], limits);
        if (route.path === '/api/v1/logs') {
          const long = lineTooLong(decoded, limits.maxLineBytes);
          if (long) throw new ApiError('KT_E_TOO_LARGE', `line ${long} is longer than ${limits.maxLineBytes} bytes`);
        }
        return decoded;
      },
    };
    if (caller) ctx.caller = caller;
    send(res, await route.handle(ctx));
  }

  listen(host: string, port: number): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        const a = this.server.address();
        resolve(typeof a === 'object' && a ? { host: a.address, port: a.port } : { host, port });
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
