/** Limits and privacy: the rate limit, slow clients, a bounded flood, redaction, retention. */
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pseudonymHost } from '../../src/server/redact.js';
import type { RunningCollector } from '../../src/server/serve.js';
import { agentBatch, call, collectorOn, FIXTURES, sqliteDialect, tokenFor, type Dialect } from './collector-harness.js';

describe('collector limits', () => {
  let dialect: Dialect;
  let c: RunningCollector;

  beforeAll(async () => {
    dialect = await sqliteDialect();
    c = await collectorOn(await dialect.fresh(), { syslog: { host: '127.0.0.1', port: 0 }, limits: { ratePerSecond: 2, requestTimeoutMs: 400 } });
  });

  afterAll(async () => {
    await c?.close();
    dialect?.stop();
  });

  it("refuses a token's requests past its rate with 429 and Retry-After, and leaves other tokens alone", async () => {
    const busy = await tokenFor(c, 'read');
    const other = await tokenFor(c, 'read');
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 8; i++) {
      const r = await call(c, 'GET', '/api/v1/buckets', busy);
      statuses.push(r.status);
      if (r.status === 429) {
        retryAfter = r.headers.get('retry-after');
        expect(r.json.error.code).toBe('KT_E_RATE_LIMITED');
      }
    }
    expect(statuses.slice(0, 4)).toEqual([200, 200, 200, 200]);
    expect(statuses).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect((await call(c, 'GET', '/api/v1/buckets', other)).status).toBe(200);
  });

  it('times out a client that sends its request too slowly', async () => {
    const token = await tokenFor(c, 'ingest');
    const answer = await new Promise<string>((resolve) => {
      let got = '';
      const s = connect(Number(new URL(c.url).port), '127.0.0.1', () => s.write(`POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Length: 1000\r\n\r\n{"host":`));
      s.on('data', (d) => (got += d.toString()));
      s.on('close', () => resolve(got));
      s.on('error', () => resolve(got));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('keeps answering others during a bounded flood from loopback', async () => {
    const read = await tokenFor(c, 'read');
    const udp = createSocket('udp4');
    const junk = Buffer.alloc(1400, 0xff);
    const sends: Promise<void>[] = [];
    for (let i = 0; i < 2000; i++) sends.push(new Promise((r) => udp.send(junk, c.syslog!.port, '127.0.0.1', () => r())));
    const unauthorized = Array.from({ length: 300 }, () => call(c, 'GET', '/api/v1/buckets', 'kt_zzzzzzzz_' + 'y'.repeat(43)).then((r) => r.status));
    const answered = await call(c, 'GET', '/api/v1/buckets', read);
    const healthy = await call(c, 'GET', '/healthz', undefined);
    await Promise.all(sends);
    udp.close();
    const codes = await Promise.all(unauthorized);
    expect(answered.status).toBe(200);
    expect(healthy.json).toEqual({ ok: true });
    expect(new Set(codes)).toEqual(new Set([401]));
  });
});

describe('privacy', () => {
  let dialect: Dialect;
  beforeAll(async () => {
    dialect = await sqliteDialect();
  });
  afterAll(() => dialect?.stop());

  it('redacts host names, IP addresses and kernel addresses on ingest, keeping the buckets', async () => {
    const c = await collectorOn(await dialect.fresh(), { redact: { hosts: true, ips: true, addresses: true } });
    try {
      const token = await tokenFor(c, 'admin');
      const log = readFileSync(join(FIXTURES, 'x86-null-deref-read-lkdtm.log'));
      expect(log.toString()).toMatch(/ffff[0-9a-f]{12}/);
      const r = await call(c, 'POST', '/api/v1/logs?host=db-7.corp.example', token, log);
      expect(r.status).toBe(200);
      const plain = await agentBatch('x86-null-deref-read-lkdtm.log', 'x');
      expect(r.json.reports.map((x: { bucket: string }) => x.bucket).sort()).toEqual((plain['reports'] as { bucket: string }[]).map((x) => x.bucket).sort());
      const hosts = (await call(c, 'GET', '/api/v1/hosts', token)).json.hosts;
      expect(hosts.map((h: { host: string }) => h.host)).toEqual([pseudonymHost('db-7.corp.example')]);
      const raw = (await call(c, 'GET', `/api/v1/reports/${r.json.reports[0].id}/raw`, token)).text;
      expect(raw).toMatch(/lkdtm_ACCESS_NULL/);
      expect(raw).not.toMatch(/ffff[0-9a-f]{12}/);
      expect(raw).toMatch(/ffff\[addr\]/);
    } finally {
      await c.close();
    }
  });

  it('drops the raw text of reports past retention and keeps their counts', async () => {
    const target = await dialect.fresh();
    let c = await collectorOn(target);
    const token = await tokenFor(c, 'admin');
    const batch = await agentBatch('x86-sysrq-crash.log', 'old-1');
    const old = new Date(Date.now() - 40 * 86_400_000).toISOString();
    for (const r of batch['reports'] as { wallTime?: string }[]) r.wallTime = old;
    await call(c, 'POST', '/api/v1/reports', token, batch);
    await call(c, 'POST', '/api/v1/reports', token, await agentBatch('x86-sysrq-crash.log', 'new-1'));
    await c.close();
    c = await collectorOn(target, { retentionDays: 30 });
    try {
      const reports = (await call(c, 'GET', `/api/v1/buckets`, token)).json.buckets[0];
      expect(reports.count).toBe(2);
      const list = (await call(c, 'GET', `/api/v1/buckets/${reports.id}/reports`, token)).json.reports as { id: string; host: string }[];
      let oldRaw = '';
      for (let i = 0; i < 50; i++) {
        oldRaw = (await call(c, 'GET', `/api/v1/reports/${list.find((r) => r.host === 'old-1')!.id}/raw`, token)).text;
        if (oldRaw.trim() === '') break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(oldRaw.trim()).toBe('');
      expect((await call(c, 'GET', `/api/v1/reports/${list.find((r) => r.host === 'new-1')!.id}/raw`, token)).text).toMatch(/sysrq triggered crash/);
      expect((await call(c, 'GET', `/api/v1/buckets/${reports.id}`, token)).json.bucket.count).toBe(2);
    } finally {
      await c.close();
    }
  });
});
