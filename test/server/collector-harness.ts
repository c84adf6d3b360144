/** Starts in-process collectors for the tests, on SQLite or on the test's own PostgreSQL. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeUpload } from '../../src/server/ingest/analyze-upload.js';
import type { HttpLimits } from '../../src/server/http/http-server.js';
import { DEFAULT_SERVE_OPTIONS, startCollector, type RunningCollector, type ServeOptions } from '../../src/server/serve.js';
import { createToken, type Scope } from '../../src/server/storage/token-store.js';
import { requireTool, startPostgres, postgresBin, type RunningPostgres } from './local-services.js';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'reports');

export interface Dialect {
  name: 'sqlite' | 'postgres';
  /** A fresh database target (a file, or a new PostgreSQL database). */
  fresh(): Promise<string>;
  stop(): void;
}

let dbCounter = 0;

export async function sqliteDialect(): Promise<Dialect> {
  const dir = mkdtempSync(join(tmpdir(), 'kt-serve-'));
  return { name: 'sqlite', fresh: async () => join(dir, `c${++dbCounter}.db`), stop: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function postgresDialect(): Promise<Dialect | undefined> {
  if (!requireTool(join(postgresBin(), 'initdb'), 'KTRIAGE_SKIP_POSTGRES')) return undefined;
  const pg: RunningPostgres = await startPostgres();
  return { name: 'postgres', fresh: () => pg.createDatabase(`kt${process.pid}_${++dbCounter}`), stop: () => pg.stop() };
}

export async function collectorOn(db: string, extra: Partial<Omit<ServeOptions, 'limits'>> & { limits?: Partial<HttpLimits> } = {}): Promise<RunningCollector> {
  return startCollector({ ...DEFAULT_SERVE_OPTIONS, listen: { host: '127.0.0.1', port: 0 }, db, ...extra, limits: { ...DEFAULT_SERVE_OPTIONS.limits, ...extra.limits } });
}

export async function tokenFor(c: RunningCollector, scope: Scope): Promise<string> {
  return (await createToken(c.db, scope, `test-${scope}`)).token;
}

/** A fixture log through the analysis, as an agent would send it. */
export async function agentBatch(fixture: string, host: string, release?: string): Promise<Record<string, unknown>> {
  const { reports, incidents } = await analyzeUpload(readFileSync(join(FIXTURES, fixture)), fixture, host);
  return { host, ...(release ? { release } : {}), reports, incidents };
}

export async function call(c: RunningCollector, method: string, path: string, token: string | undefined, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any; headers: Headers; text: string }> {
  const init: RequestInit = { method, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } };
  if (body !== undefined) init.body = typeof body === 'string' || body instanceof Uint8Array ? (body as BodyInit) : JSON.stringify(body);
  const res = await fetch(`${c.url}${path}`, init);
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, headers: res.headers, text };
}
