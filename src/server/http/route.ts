import type { IncomingMessage } from 'node:http';
import type { Collector } from '../collector.js';
import type { Scope, TokenInfo } from '../storage/token-store.js';

/** Who may call a route: anyone, a token of a scope, or anyone holding a session (the session routes). */
export type Access = 'open' | Scope | 'session';

export interface RouteContext {
  req: IncomingMessage;
  url: URL;
  params: Record<string, string>;
  /** The caller's token, for every route but the open ones. */
  caller?: TokenInfo;
  collector: Collector;
  /** The body, read within the limits, Content-Encoding undone. */
  body(): Promise<Buffer>;
}

export interface Reply {
  status: number;
  json?: unknown;
  text?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** `/api/v1/buckets/:id`: `:name` matches one path segment. */
  path: string;
  access: Access;
  summary: string;
  handle(ctx: RouteContext): Promise<Reply>;
}

export interface CompiledRoute extends Route {
  pattern: RegExp;
  names: string[];
}

export function compileRoute(route: Route): CompiledRoute {
  const names: string[] = [];
  const source = route.path.replace(/:([a-zA-Z]+)/g, (_m, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { ...route, pattern: new RegExp(`^${source}$`), names };
}

export function json(value: unknown, status = 200): Reply {
  return { status, json: value };
}
