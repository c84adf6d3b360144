/** Alerts reach a real Alertmanager (Debian's package, started here), checked through its own API; and a JSON webhook. */
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningCollector } from '../../src/server/serve.js';
import { agentBatch, call, collectorOn, sqliteDialect, tokenFor, type Dialect } from './collector-harness.js';
import { requireTool, startAlertmanager, type RunningProcess } from './local-services.js';

async function until<T>(read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  const end = Date.now() + 15_000;
  for (;;) {
    const v = await read();
    if (done(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 150));
  }
}

describe('alerts', () => {
  let dialect: Dialect;
  let am: RunningProcess | undefined;

  beforeAll(async () => {
    dialect = await sqliteDialect();
    if (requireTool('/usr/bin/prometheus-alertmanager', 'KTRIAGE_SKIP_ALERTMANAGER')) am = await startAlertmanager();
  }, 30_000);

  afterAll(async () => {
    await am?.stop();
    dialect?.stop();
  });

  it('pushes new buckets to Alertmanager once each, within the rate limit', async () => {
    if (!am) return;
    const c: RunningCollector = await collectorOn(await dialect.fresh(), { alerts: { target: { kind: 'alertmanager', url: `http://127.0.0.1:${am.port}` }, perMinute: 2 } });
    try {
      const token = await tokenFor(c, 'ingest');
      await call(c, 'POST', '/api/v1/reports', token, await agentBatch('x86-panic-dumptest-lkdtm.log', 'web-1', '6.1.0-26-amd64'));
      await call(c, 'POST', '/api/v1/reports', token, await agentBatch('x86-panic-dumptest-lkdtm.log', 'web-2', '6.1.0-26-amd64'));
      await call(c, 'POST', '/api/v1/reports', token, await agentBatch('x86-sysrq-crash.log', 'web-3', '6.1.0-26-amd64'));
      await call(c, 'POST', '/api/v1/reports', token, await agentBatch('x86-vfs-no-root-no-initramfs.log', 'web-4', '6.1.0-26-amd64'));
      type AmAlert = { labels: Record<string, string>; annotations: Record<string, string> };
      const alerts = await until(
        async () => (await (await fetch(`http://127.0.0.1:${am!.port}/api/v2/alerts`)).json()) as AmAlert[],
        (a) => a.length >= 2,
      );
      expect(alerts.map((a) => a.annotations['summary']).sort()).toEqual(['kernel panic: dumptest', 'kernel panic: sysrq triggered crash']);
      expect(alerts.every((a) => a.labels['alertname'] === 'KtriageCrash' && a.labels['reason'] === 'new-bucket' && a.labels['release'] === '6.1.0-26-amd64')).toBe(true);
      const m = await until(async () => (await call(c, 'GET', '/metrics', undefined)).text, (t) => /^ktriage_alerts_sent_total 2$/m.test(t));
      expect(m).toMatch(/^ktriage_alerts_sent_total 2$/m);
      // The third new bucket is over the limit of 2 a minute; the second dumptest is no new bucket.
      expect(m).toMatch(/^ktriage_alerts_suppressed_total 1$/m);
    } finally {
      await c.close();
    }
  });

  it('posts to a JSON webhook, and a restarted collector does not send an alert again', async () => {
    const got: { reason: string; bucket: string; title: string }[][] = [];
    const hook = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        got.push((JSON.parse(body) as { alerts: { reason: string; bucket: string; title: string }[] }).alerts);
        res.end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
    const port = (hook.address() as { port: number }).port;
    const target = await dialect.fresh();
    const options = { alerts: { target: { kind: 'webhook' as const, url: `http://127.0.0.1:${port}/hook` }, perMinute: 20 } };
    try {
      let c = await collectorOn(target, options);
      const token = await tokenFor(c, 'ingest');
      await call(c, 'POST', '/api/v1/reports', token, await agentBatch('x86-sysrq-crash.log', 'web-1'));
      await until(async () => got.length, (n) => n >= 1);
      await c.close();
      c = await collectorOn(target, options);
      await call(c, 'POST', '/api/v1/reports', token, await agentBatch('x86-sysrq-crash.log', 'web-2'));
      await call(c, 'POST', '/api/v1/reports', token, await agentBatch('x86-panic-dumptest-lkdtm.log', 'web-2'));
      await until(async () => got.length, (n) => n >= 2);
      await c.close();
      expect(got.map((batch) => batch.map((a) => `${a.reason} ${a.title}`))).toEqual([['new-bucket kernel panic: sysrq triggered crash'], ['new-bucket kernel panic: dumptest']]);
    } finally {
      hook.close();
    }
  });
});
