/**
 * The collector's API against a real database, the same suite on SQLite and on a PostgreSQL
 * cluster the test starts itself. Reports are real: fixture logs through the analysis.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningCollector } from '../../src/server/serve.js';
import { revokeToken } from '../../src/server/storage/token-store.js';
import { agentBatch, call, collectorOn, FIXTURES, postgresDialect, sqliteDialect, tokenFor, type Dialect } from './collector-harness.js';

const DIALECTS = [
  ['sqlite', sqliteDialect],
  ['postgres', postgresDialect],
] as const;

describe.each(DIALECTS)('collector API on %s', (_name, makeDialect) => {
  let dialect: Dialect | undefined;
  let c: RunningCollector;
  let ingest: string;
  let read: string;
  let admin: string;

  beforeAll(async () => {
    dialect = await makeDialect();
    if (!dialect) return;
    c = await collectorOn(await dialect.fresh());
    [ingest, read, admin] = [await tokenFor(c, 'ingest'), await tokenFor(c, 'read'), await tokenFor(c, 'admin')];
  }, 60_000);

  afterAll(async () => {
    await c?.close();
    dialect?.stop();
  });

  it('groups two identical panics from two hosts and a different one into two buckets, the first counted twice', async () => {
    if (!dialect) return;
    for (const [fixture, host] of [
      ['x86-panic-dumptest-lkdtm.log', 'web-1'],
      ['x86-panic-dumptest-lkdtm.log', 'web-2'],
      ['x86-vfs-no-root-no-initramfs.log', 'db-1'],
    ] as const) {
      const r = await call(c, 'POST', '/api/v1/reports', ingest, await agentBatch(fixture, host, '6.1.0-26-amd64'));
      expect(r.status).toBe(200);
      expect(r.json).toEqual({ accepted: 1, duplicates: 0 });
    }
    const list = await call(c, 'GET', '/api/v1/buckets', read);
    expect(list.status).toBe(200);
    expect(list.json.total).toBe(2);
    const [top, other] = list.json.buckets;
    expect(top.title).toBe('kernel panic: dumptest');
    expect(top.count).toBe(2);
    expect(top.hosts).toBe(2);
    expect(top.releases).toEqual(['6.1.0-26-amd64']);
    expect(top.sparkline).toHaveLength(14);
    expect(top.sparkline[13]).toBe(2);
    expect(other.title).toMatch(/VFS: Unable to mount root fs/);
    expect(other.count).toBe(1);
  });

  it('counts a retried report once', async () => {
    if (!dialect) return;
    const batch = await agentBatch('x86-panic-dumptest-lkdtm.log', 'web-1', '6.1.0-26-amd64');
    const again = await call(c, 'POST', '/api/v1/reports', ingest, batch);
    expect(again.json).toEqual({ accepted: 0, duplicates: 1 });
    const top = (await call(c, 'GET', '/api/v1/buckets?q=dumptest', read)).json.buckets[0];
    expect(top.count).toBe(2);
  });

  it('answers nothing but /healthz and /metrics without a token, and refuses the wrong scope and a revoked token', async () => {
    if (!dialect) return;
    expect((await call(c, 'GET', '/healthz', undefined)).json).toEqual({ ok: true });
    expect((await call(c, 'GET', '/metrics', undefined)).text).toMatch(/^ktriage_reports_accepted_total 3$/m);
    const none = await call(c, 'GET', '/api/v1/buckets', undefined);
    expect(none.status).toBe(401);
    expect(none.json.error.code).toBe('KT_E_UNAUTHORIZED');
    expect((await call(c, 'GET', '/api/v1/buckets', 'kt_aaaaaaaa_' + 'x'.repeat(43))).status).toBe(401);
    expect((await call(c, 'GET', '/api/v1/buckets', ingest)).status).toBe(403);
    expect((await call(c, 'POST', '/api/v1/reports', read, { host: 'x', reports: [] })).status).toBe(403);
    const doomed = await tokenFor(c, 'read');
    expect((await call(c, 'GET', '/api/v1/buckets', doomed)).status).toBe(200);
    expect(await revokeToken(c.db, doomed)).toBe(true);
    const revoked = await call(c, 'GET', '/api/v1/buckets', doomed);
    expect(revoked.status).toBe(401);
  });

  it('analyses raw logs on arrival, gzip and zstd, and refuses bombs, bad encodings and long lines without changing anything', async () => {
    if (!dialect) return;
    const log = readFileSync(join(FIXTURES, 'x86-sysrq-crash.log'));
    const gz = await call(c, 'POST', '/api/v1/logs?host=cache-1&release=6.1.0-27-amd64', ingest, gzipSync(log), { 'content-encoding': 'gzip' });
    expect(gz.status).toBe(200);
    expect(gz.json.accepted).toBe(1);
    expect(gz.json.reports[0].title).toBe('kernel panic: sysrq triggered crash');
    const zst = execFileSync('zstd', ['-q', '-c'], { input: log });
    const z = await call(c, 'POST', '/api/v1/logs', ingest, zst, { 'content-encoding': 'zstd', 'x-ktriage-host': 'cache-2' });
    expect(z.json).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(z.json.reports[0].bucket).toBe(gz.json.reports[0].bucket);
    const before = (await call(c, 'GET', '/metrics', undefined)).text.match(/^ktriage_reports_accepted_total (\d+)$/m)![1];
    const bomb = gzipSync(Buffer.alloc(80 << 20, 0x41));
    const refused = await call(c, 'POST', '/api/v1/logs?host=evil', ingest, bomb, { 'content-encoding': 'gzip' });
    expect(refused.status).toBe(413);
    expect(refused.json.error.code).toBe('KT_E_TOO_LARGE');
    expect((await call(c, 'POST', '/api/v1/logs?host=evil', ingest, log, { 'content-encoding': 'br' })).status).toBe(415);
    expect((await call(c, 'POST', '/api/v1/logs?host=evil', ingest, Buffer.from('not gzip at all'), { 'content-encoding': 'gzip' })).status).toBe(415);
    const longLine = Buffer.concat([log, Buffer.alloc(70 << 10, 0x61), Buffer.from('\n')]);
    const tooLong = await call(c, 'POST', '/api/v1/logs?host=evil', ingest, longLine);
    expect(tooLong.status).toBe(413);
    expect(tooLong.json.error.message).toMatch(/^line \d+ is longer than 65536 bytes$/);
    expect((await call(c, 'POST', '/api/v1/logs', ingest, log)).status).toBe(400);
    expect((await call(c, 'POST', '/api/v1/reports', ingest, '{"host": "x", "reports": [')).json.error.code).toBe('KT_E_BAD_REQUEST');
    expect((await call(c, 'POST', '/api/v1/reports', ingest, { host: 'x', reports: [{ id: 7 }] })).status).toBe(400);
    const after = (await call(c, 'GET', '/metrics', undefined)).text.match(/^ktriage_reports_accepted_total (\d+)$/m)![1];
    expect(after).toBe(before);
    expect((await call(c, 'GET', '/api/v1/hosts?q=evil', read)).json.hosts).toEqual([]);
  });

  it('shows a bucket, its reports page by page, one report and its raw lines', async () => {
    if (!dialect) return;
    const top = (await call(c, 'GET', '/api/v1/buckets?q=dumptest', read)).json.buckets[0];
    const detail = await call(c, 'GET', `/api/v1/buckets/${top.id}`, read);
    expect(detail.json.representative.report.title).toBe('kernel panic: dumptest');
    expect(detail.json.representative.incident.diagnosis.cause.category).toBe('deliberate');
    expect(detail.json.hosts.map((h: { host: string }) => h.host).sort()).toEqual(['web-1', 'web-2']);
    expect(detail.json.releases).toEqual([expect.objectContaining({ release: '6.1.0-26-amd64', count: 2 })]);
    expect(detail.json.series.daily.reduce((n: number, p: { count: number }) => n + p.count, 0)).toBe(2);
    const page1 = await call(c, 'GET', `/api/v1/buckets/${top.id}/reports?limit=1`, read);
    expect(page1.json.reports).toHaveLength(1);
    const page2 = await call(c, 'GET', `/api/v1/buckets/${top.id}/reports?limit=1&cursor=${page1.json.nextCursor}`, read);
    expect(page2.json.reports).toHaveLength(1);
    expect(page2.json.nextCursor).toBeUndefined();
    expect(new Set([page1.json.reports[0].host, page2.json.reports[0].host])).toEqual(new Set(['web-1', 'web-2']));
    const one = await call(c, 'GET', `/api/v1/reports/${page1.json.reports[0].id}`, read);
    expect(one.json.report.panic.message).toBe('dumptest');
    const raw = await call(c, 'GET', `/api/v1/reports/${page1.json.reports[0].id}/raw`, read);
    expect(raw.text).toMatch(/Kernel panic - not syncing: dumptest/);
    expect((await call(c, 'GET', '/api/v1/buckets/nope', read)).status).toBe(404);
    expect((await call(c, 'GET', '/api/v1/buckets?limit=501', read)).status).toBe(400);
  });

  it("keeps hosts and their timeline, with the agent's unexpected reboots", async () => {
    if (!dialect) return;
    const event = { id: 'web-1:boot-2', type: 'unexpected-reboot', time: new Date().toISOString(), release: '6.1.0-26-amd64', summary: 'boot 2 followed boot 1 without a clean shutdown' };
    expect((await call(c, 'POST', '/api/v1/events', ingest, { host: 'web-1', events: [event] })).json).toEqual({ accepted: 1, duplicates: 0 });
    expect((await call(c, 'POST', '/api/v1/events', ingest, { host: 'web-1', events: [event] })).json).toEqual({ accepted: 0, duplicates: 1 });
    const host = await call(c, 'GET', '/api/v1/hosts/web-1', read);
    expect(host.json.host).toMatchObject({ host: 'web-1', crashes: 1, unexpectedReboots: 1, release: '6.1.0-26-amd64' });
    expect(host.json.timeline.map((t: { type: string }) => t.type).sort()).toEqual(['crash', 'unexpected-reboot']);
    const list = await call(c, 'GET', '/api/v1/hosts?limit=2', read);
    expect(list.json.hosts.map((h: { host: string }) => h.host)).toEqual(['cache-1', 'cache-2']);
    expect(list.json.nextCursor).toBeDefined();
    const overview = await call(c, 'GET', '/api/v1/overview', read);
    expect(overview.json.unexpectedReboots).toEqual([expect.objectContaining({ host: 'web-1' })]);
    expect(overview.json.series.reduce((n: number, p: { total: number }) => n + p.total, 0)).toBe(5);
  });

  it('flags a bucket fixed in a release that comes back on that release or newer, not on an older one', async () => {
    if (!dialect) return;
    const top = (await call(c, 'GET', '/api/v1/buckets?q=dumptest', read)).json.buckets[0];
    expect((await call(c, 'PATCH', `/api/v1/buckets/${top.id}`, read, { status: 'fixed' })).status).toBe(403);
    const fixed = await call(c, 'PATCH', `/api/v1/buckets/${top.id}`, admin, { status: 'fixed', fixedIn: '6.1.0-28-amd64', note: 'fixed by the 6.1.0-28 update' });
    expect(fixed.json).toMatchObject({ status: 'fixed', fixedIn: '6.1.0-28-amd64', regressed: false });
    await call(c, 'POST', '/api/v1/reports', ingest, await agentBatch('x86-panic-dumptest-lkdtm.log', 'web-3', '6.1.0-27-amd64'));
    const older = (await call(c, 'GET', `/api/v1/buckets/${top.id}`, read)).json.bucket;
    expect(older).toMatchObject({ count: 3, status: 'fixed', regressed: false });
    await call(c, 'POST', '/api/v1/reports', ingest, await agentBatch('x86-panic-dumptest-lkdtm.log', 'web-4', '6.1.0-101-amd64'));
    const back = await call(c, 'GET', `/api/v1/buckets/${top.id}`, read);
    expect(back.json.bucket).toMatchObject({ count: 4, status: 'open', regressed: true, regression: { reason: 'fixed-came-back', release: '6.1.0-101-amd64' } });
    expect(back.json.notes).toEqual([expect.objectContaining({ text: 'fixed by the 6.1.0-28 update' })]);
    expect((await call(c, 'GET', '/api/v1/buckets?status=open&release=6.1.0-101-amd64', read)).json.buckets.map((b: { id: string }) => b.id)).toEqual([top.id]);
  });

  it('flags a new crash first seen on a release newer than every earlier one', async () => {
    if (!dialect) return;
    await call(c, 'POST', '/api/v1/reports', ingest, await agentBatch('x86-stack-protector-lkdtm.log', 'web-5', '6.1.0-102-amd64'));
    const b = (await call(c, 'GET', '/api/v1/buckets?q=CORRUPT_STACK', read)).json.buckets[0];
    expect(b).toMatchObject({ new: true, regressed: true, regression: { reason: 'new-release', release: '6.1.0-102-amd64' } });
  });

  it('gives one bucket and no double count when two collectors ingest the same reports at once', async () => {
    if (!dialect) return;
    const target = await dialect.fresh();
    const a = await collectorOn(target);
    const b = await collectorOn(target);
    try {
      const token = await tokenFor(a, 'admin');
      const batches = await Promise.all(['web-1', 'web-2', 'web-3', 'web-4', 'web-5', 'web-6'].map((h) => agentBatch('x86-oom-panic-on-oom.log', h, '6.1.0-26-amd64')));
      const replies = await Promise.all(batches.flatMap((batch) => [call(a, 'POST', '/api/v1/reports', token, batch), call(b, 'POST', '/api/v1/reports', token, batch)]));
      expect(replies.every((r) => r.status === 200)).toBe(true);
      expect(replies.reduce((n, r) => n + r.json.accepted, 0)).toBe(12);
      expect(replies.reduce((n, r) => n + r.json.duplicates, 0)).toBe(12);
      const buckets = (await call(a, 'GET', '/api/v1/buckets', token)).json;
      expect(buckets.total).toBe(2);
      expect(buckets.buckets.map((x: { count: number; hosts: number }) => [x.count, x.hosts])).toEqual([
        [6, 6],
        [6, 6],
      ]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('trades a read token for a session cookie the dashboard uses, and ends it', async () => {
    if (!dialect) return;
    expect((await call(c, 'POST', '/api/v1/session', undefined, { token: ingest })).status).toBe(401);
    const opened = await call(c, 'POST', '/api/v1/session', undefined, { token: read });
    expect(opened.status).toBe(204);
    const cookie = opened.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^ktriage_session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/$/);
    const session = { cookie: cookie.split(';')[0]! };
    expect((await call(c, 'GET', '/api/v1/session', undefined, undefined, session)).json).toEqual({ scope: 'read' });
    expect((await call(c, 'GET', '/api/v1/buckets', undefined, undefined, session)).json.total).toBeGreaterThan(0);
    expect((await call(c, 'PATCH', '/api/v1/buckets/x', undefined, { status: 'open' }, session)).status).toBe(403);
    expect((await call(c, 'DELETE', '/api/v1/session', undefined, undefined, session)).status).toBe(204);
    expect((await call(c, 'GET', '/api/v1/session', undefined, undefined, session)).status).toBe(401);
  });

  it('serves its OpenAPI document', async () => {
    if (!dialect) return;
    const doc = (await call(c, 'GET', '/api/v1/openapi.json', undefined)).json;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toContain('/api/v1/buckets/{id}/reports');
    expect(doc.paths['/api/v1/reports'].post['x-ktriage-scope']).toBe('ingest');
  });
});
