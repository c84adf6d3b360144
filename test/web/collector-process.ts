/**
 * A real `ktriage serve` for the dashboard's tests and benchmark: a fresh SQLite database in a
 * temp dir, tokens made with `ktriage token create`, the server on a free loopback port, stopped
 * by the caller.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const KTRIAGE = join(ROOT, 'bin', 'ktriage.js');

export interface RunningCollector {
  base: string;
  db: string;
  readToken: string;
  adminToken: string;
  ingestToken: string;
  /** The server's standard error so far (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export function createToken(db: string, scope: 'read' | 'admin' | 'ingest'): string {
  const out = spawnSync('node', [KTRIAGE, 'token', 'create', '--db', db, '--scope', scope, '--name', `dashboard-test-${scope}`], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`ktriage token create failed (${out.status}): ${out.stderr}`);
  const token = out.stdout.trim().split(/\s+/).pop() ?? '';
  if (token.length < 16) throw new Error(`ktriage token create printed no token: ${out.stdout}`);
  return token;
}

/** Starts the collector on a fresh database (`dbPath` to reuse one) and waits until /healthz answers. */
export async function startCollector(options: { demo?: boolean; dbPath?: string; extraArgs?: string[] } = {}): Promise<RunningCollector> {
  const dir = options.dbPath ? undefined : mkdtempSync(join(tmpdir(), 'ktriage-dashboard-'));
  const db = options.dbPath ?? join(dir ?? '', 'collector.db');
  // The tokens first: the CLI creates and migrates the database.
  const readToken = createToken(db, 'read');
  const adminToken = createToken(db, 'admin');
  const ingestToken = createToken(db, 'ingest');
  const port = await freePort();
  const args = [KTRIAGE, 'serve', '--db', db, '--listen', `127.0.0.1:${port}`, ...(options.demo ? ['--demo'] : []), ...(options.extraArgs ?? [])];
  const child: ChildProcess = spawn('node', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`ktriage serve exited with ${child.exitCode}: ${log}`);
    try {
      const res = await fetch(`${base}/healthz`);
      if (res.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`ktriage serve did not answer /healthz within 30 s: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    db,
    readToken,
    adminToken,
    ingestToken,
    log: () => log,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Real kernel logs (test/fixtures/reports) posted through the ingest API as hosts of a small fleet would. */
export async function ingestFixtureLogs(collector: RunningCollector, uploads: readonly { host: string; release: string; log: string }[]): Promise<number> {
  const { readFileSync } = await import('node:fs');
  let accepted = 0;
  for (const u of uploads) {
    const body = readFileSync(join(ROOT, 'test', 'fixtures', 'reports', u.log));
    const url = `${collector.base}/api/v1/logs?host=${encodeURIComponent(u.host)}&release=${encodeURIComponent(u.release)}&boot=${encodeURIComponent(`${u.host}-${u.log}`)}`;
    const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${collector.ingestToken}`, 'content-type': 'text/plain' }, body });
    if (!res.ok) throw new Error(`POST ${url}: ${res.status} ${await res.text()}`);
    accepted += ((await res.json()) as { accepted: number }).accepted;
  }
  return accepted;
}
