/**
 * Durability: the real `ktriage serve` process is killed with SIGKILL while loopback clients
 * ingest; after a restart every report that got a success reply is there, exactly once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeUpload } from '../../src/server/ingest/analyze-upload.js';
import { openDatabase } from '../../src/server/storage/open-database.js';
import { createToken } from '../../src/server/storage/token-store.js';
import { FIXTURES, postgresDialect, sqliteDialect, type Dialect } from './collector-harness.js';
import { readFileSync } from 'node:fs';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'ktriage.js');

function startServe(db: string): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve', '--db', db, '--listen', '127.0.0.1:0', '--rate-limit', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) resolve({ child, url: m[1]! });
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
}

const dialects: Dialect[] = [];
afterAll(() => dialects.forEach((d) => d.stop()));

describe.each([
  ['sqlite', sqliteDialect],
  ['postgres', postgresDialect],
] as const)('durability on %s', (_name, makeDialect) => {
  it('keeps every acknowledged report exactly once across a SIGKILL', async () => {
    const dialect = await makeDialect();
    if (!dialect) return;
    dialects.push(dialect);
    const target = await dialect.fresh();
    const setup = await openDatabase(target);
    const { token } = await createToken(setup, 'admin', 'durability');
    await setup.close();
    const log = readFileSync(join(FIXTURES, 'x86-oom-panic-on-oom.log'));
    const batches = await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const host = `host-${i}`;
        const { reports, incidents } = await analyzeUpload(log, 'oom.log', host);
        return { host, release: '6.1.0-26-amd64', reports, incidents };
      }),
    );
    const first = await startServe(target);
    const acked: string[] = [];
    let next = 0;
    let killed = false;
    const client = async () => {
      while (next < batches.length && !killed) {
        const batch = batches[next++]!;
        try {
          const res = await fetch(`${first.url}/api/v1/reports`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: JSON.stringify(batch) });
          if (res.status === 200) acked.push(...batch.reports.map((r) => r.id));
        } catch {
          // The server died under this request: not acknowledged.
        }
      }
    };
    const clients = Array.from({ length: 4 }, client);
    while (acked.length < 40) await new Promise((r) => setTimeout(r, 5));
    first.child.kill('SIGKILL');
    killed = true;
    await Promise.all(clients);
    expect(acked.length).toBeGreaterThanOrEqual(40);
    expect(acked.length).toBeLessThan(batches.length * 2);
    const second = await startServe(target);
    try {
      const auth = { authorization: `Bearer ${token}` };
      for (const id of acked) expect((await fetch(`${second.url}/api/v1/reports/${id}`, { headers: auth })).status).toBe(200);
      const buckets = (await (await fetch(`${second.url}/api/v1/buckets`, { headers: auth })).json()) as { buckets: { count: number; hosts: number }[] };
      const hosts = (await (await fetch(`${second.url}/api/v1/hosts?limit=500`, { headers: auth })).json()) as { hosts: { crashes: number }[] };
      // Each stored batch is two reports in two buckets, counted once each.
      const stored = hosts.hosts.length;
      expect(stored).toBeGreaterThanOrEqual(acked.length / 2);
      expect(hosts.hosts.every((h) => h.crashes === 2)).toBe(true);
      expect(buckets.buckets.map((b) => [b.count, b.hosts])).toEqual([
        [stored, stored],
        [stored, stored],
      ]);
    } finally {
      second.child.kill('SIGTERM');
    }
  }, 60_000);
});
