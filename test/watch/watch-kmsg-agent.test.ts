// The agent on a fake /dev/kmsg (a FIFO of real records), uploading to the real collector
// (`ktriage serve` on loopback) and alerting to a JSON webhook.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeText } from '../../src/pipeline/index.js';
import { startAgent, type RunningAgent, type WatchOptions } from '../../src/watch/agent.js';
import { openRecordDevice, type RecordDevice } from '../../src/watch/kmsg-source.js';
import { consoleToKmsg, fakeHost, FIXTURES, getJson, metricValue, scrape, startCollector, tempDir, waitFor, type Collector } from './watch-harness.js';

const BOOT = '6f1c0a52-9d3e-4b7a-8c21-3e5f7a9b0c11';
const HOST = 'kmsg-test-host';

describe('watch on /dev/kmsg', () => {
  let dir: string;
  let collector: Collector;
  let agent: RunningAgent;
  let fifo: string;
  // The writer is another process (the kernel's side): a full FIFO then waits there, not in the agent's event loop.
  let writer: ChildProcess;
  const writeSync = (_w: unknown, data: string | Buffer) => void writer.stdin?.write(data);
  const alerts: any[] = [];
  let hook: Server;
  let epipeArmed = false;

  beforeAll(async () => {
    dir = tempDir();
    collector = await startCollector(dir);
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        alerts.push(...(JSON.parse(body) as { alerts: unknown[] }).alerts);
        res.end('{}');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const hookPort = (hook.address() as { port: number }).port;
    const { proc, sys } = fakeHost(dir, BOOT);
    fifo = join(dir, 'kmsg');
    execFileSync('mkfifo', [fifo]);
    mkdirSync(join(dir, 'crash'));
    const options: WatchOptions = {
      host: HOST,
      stateDir: join(dir, 'state'),
      proc,
      sys,
      kmsg: fifo,
      from: 'start',
      journal: false,
      journalctl: 'journalctl',
      files: [],
      ruleFiles: [],
      knownIssueFiles: [],
      resourceRuleFiles: [],
      collector: { url: collector.url, token: collector.ingest },
      webhook: `http://127.0.0.1:${hookPort}/hook`,
      metricsListen: '127.0.0.1:0',
      once: false,
      pstoreDirs: [join(sys, 'fs/pstore')],
      crashDirs: [join(dir, 'crash')],
      uploadDumps: false,
      sampleSeconds: 60,
      quietSeconds: 1,
      spoolMax: 1000,
      alertWindowSeconds: 2,
      journalAtStart: false,
      // EPIPE is what read(2) on /dev/kmsg says when records were overwritten; a FIFO cannot, so the test says it once.
      openKmsg: (path): RecordDevice => {
        const device = openRecordDevice(path);
        return {
          read: (buf) => {
            if (epipeArmed) {
              epipeArmed = false;
              throw Object.assign(new Error('EPIPE: broken pipe, read'), { code: 'EPIPE' });
            }
            return device.read(buf);
          },
          close: () => device.close(),
        };
      },
    };
    agent = await startAgent(options);
    writer = spawn('sh', ['-c', 'exec cat > "$0"', fifo], { stdio: ['pipe', 'ignore', 'ignore'] });
  }, 30_000);

  afterAll(async () => {
    writer?.kill();
    await agent?.stop();
    await collector?.stop();
    hook?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads real records through junk, a megabyte line and an overwritten stretch; the report reaches the collector once with a stable id', async () => {
    const consoleLog = readFileSync(join(FIXTURES, 'logs/lab-bug-console.log'), 'utf8');
    const records = consoleToKmsg(consoleLog);
    const before = records.slice(0, 100);
    // Records 100..139 are overwritten before the agent reads them: EPIPE, then a jump in seq.
    const after = records.slice(140);
    for (const r of before) writeSync(writer, r);
    writeSync(writer, Buffer.from([0x00, 0xff, 0xfe, 0x13, 0x0a]));
    writeSync(writer, 'not a kmsg record at all\n');
    writeSync(writer, `6,99999,1,-;${'A'.repeat(1 << 20)}\n`);
    await waitFor(async () => ((metricValue(await scrape(agent.metricsPort as number), 'ktriage_watch_records_refused_total', { reason: 'malformed' }) ?? 0) >= 2 ? true : undefined), 10_000, 'junk refused');
    epipeArmed = true;
    for (const r of after) writeSync(writer, r);

    const expected = await analyzeText(after.join('') === '' ? '' : [...before, ...after].join(''), { source: 'kmsg', host: HOST, boot: BOOT });
    const bug = expected.reports.find((r) => r.kind !== 'unexpected-reboot');
    expect(bug?.title).toMatch(/lkdtm_BUG/);

    const metrics = await waitFor(async () => {
      const text = await scrape(agent.metricsPort as number);
      return (metricValue(text, 'ktriage_watch_spool_depth') === 0 && (metricValue(text, 'ktriage_watch_uploads_total', { result: 'ok' }) ?? 0) >= 1 && metricValue(text, 'ktriage_watch_reports_total', { kind: bug?.kind as string })) ? text : undefined;
    }, 30_000, 'the report uploaded');
    expect(metricValue(metrics, 'ktriage_watch_records_lost_total')).toBe(40);
    expect(metricValue(metrics, 'ktriage_watch_records_refused_total', { reason: 'malformed' })).toBe(2);
    expect(metricValue(metrics, 'ktriage_watch_records_refused_total', { reason: 'oversized' })).toBe(1);
    expect(metricValue(metrics, 'ktriage_watch_reports_total', { kind: bug?.kind as string, severity: bug?.severity as string })).toBe(1);
    expect(metricValue(metrics, 'ktriage_watch_events_total', { rule: 'oops', severity: 'critical' })).toBeGreaterThanOrEqual(1);
    expect(metricValue(metrics, 'ktriage_watch_last_report_timestamp_seconds')).toBeGreaterThan(Date.now() / 1000 - 120);

    const stored = await getJson(`${collector.url}/api/v1/reports/${bug?.id}`, collector.read);
    expect(stored.status).toBe(200);
    expect(stored.json.host).toBe(HOST);
    expect(stored.json.report.title).toBe(bug?.title);
    expect(stored.json.report.bucket).toBe(bug?.bucket);

    const alert = await waitFor(() => alerts.find((a) => a.labels.rule === 'oops'), 10_000, 'the oops alert');
    expect(alert.labels).toMatchObject({ alertname: 'ktriage_oops', severity: 'critical', host: HOST });
    expect(alert.annotations.report).toBe(`${collector.url}/api/v1/reports/${bug?.id}`);
    expect(alert.annotations.summary).toContain('lkdtm_BUG');
  }, 60_000);

  it('turns a storm of soft lockups into one alert, then one with the count', async () => {
    const report = readFileSync(join(FIXTURES, 'reports/soft-lockup-csd-lock-smp-call-function.log'), 'utf8');
    const lines = report.split('\n').filter((l) => l.startsWith('['));
    const header = lines[0] as string;
    // The same real header five times, a second apart in kernel time, as a stuck CPU prints it.
    let seq = 5000;
    for (let k = 0; k < 5; k++) {
      const shifted = header.replace(/^\[ *(\d+)\.(\d+)\]/, (_m, s: string, us: string) => `[${Number(s) + k}.${us}]`);
      for (const r of consoleToKmsg(shifted, seq)) writeSync(writer, r);
      seq++;
    }
    const storm = await waitFor(() => {
      const got = alerts.filter((a) => a.labels.rule === 'soft-lockup');
      return got.length >= 2 ? got : undefined;
    }, 15_000, 'the storm alerts');
    expect(storm).toHaveLength(2);
    expect(storm[0].annotations.count).toBe('1');
    expect(storm[1].annotations.count).toBe('5');
    expect(storm[1].annotations.summary).toContain('(5 times)');
    const text = await scrape(agent.metricsPort as number);
    expect(metricValue(text, 'ktriage_watch_events_total', { rule: 'soft-lockup', severity: 'warning' })).toBe(5);
  }, 30_000);
});
