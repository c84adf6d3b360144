// The agent as users run it (`ktriage watch` processes) on a followed file: an oops shows in
// /metrics as soon as it is read; killed with SIGKILL at random points while reports arrive and
// the collector is down, it still delivers every report exactly once when the collector returns.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeText } from '../../src/pipeline/index.js';
import { BIN, fakeHost, FIXTURES, freePort, getJson, metricValue, scrape, startCollector, tempDir, waitFor, type Collector } from './watch-harness.js';

const BUG_LINES = readFileSync(join(FIXTURES, 'logs/lab-bug-console.log'), 'utf8').split(/\r?\n/).filter((l) => l.startsWith('['));
/** The real BUG report (cut here … end trace), its kernel time moved by `seconds`: a crash again, a report of its own. */
function bugAt(seconds: number): string {
  return `${BUG_LINES.slice(335, 384)
    .map((l) => l.replace(/^\[ *(\d+)\.(\d+)\]/, (_m, s: string, us: string) => `[${String(Number(s) + seconds).padStart(5)}.${us}]`))
    .join('\n')}\n`;
}

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function agentProcess(args: string[], env: Record<string, string> = {}): ChildProcess {
  const child = spawn(process.execPath, [BIN, 'watch', ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  children.push(child);
  return child;
}

function setup(host: string): { dir: string; log: string; common: string[] } {
  const dir = tempDir();
  dirs.push(dir);
  const { proc, sys } = fakeHost(dir, '3b1f0c7e-8a2d-4e6f-9c1b-5d7e9f1a3c5e');
  const log = join(dir, 'kern.log');
  writeFileSync(log, `${BUG_LINES.slice(0, 300).join('\n')}\n`);
  const common = ['--no-kmsg', '--file', log, '--host', host, '--state-dir', join(dir, 'state'), '--proc', proc, '--sys', sys, '--crash-dir', join(dir, 'crash'), '--systemd-pstore', join(dir, 'none'), '--no-previous-journal', '--quiet', '1'];
  return { dir, log, common };
}

describe('watch as a process', () => {
  it('an oops appended to a followed file shows in /metrics', async () => {
    const { log, common } = setup('follow-host');
    const port = await freePort();
    const agent = agentProcess([...common, '--metrics-listen', `127.0.0.1:${port}`]);
    try {
      await waitFor(async () => (await scrape(port).catch(() => '')).includes('ktriage_watch_spool_depth') || undefined, 15_000, 'the agent up');
      const before = await scrape(port);
      expect(metricValue(before, 'ktriage_watch_events_total', { rule: 'oops' })).toBe(undefined);
      appendFileSync(log, bugAt(0));
      const text = await waitFor(async () => {
        const t = await scrape(port);
        return (metricValue(t, 'ktriage_watch_events_total', { rule: 'oops' }) ?? 0) >= 1 ? t : undefined;
      }, 15_000, 'the oops in /metrics');
      // Two lines of it match the oops rule: `kernel BUG at drivers/misc/lkdtm/bugs.c:78!` and `invalid opcode: 0000 [#1]`.
      expect(metricValue(text, 'ktriage_watch_events_total', { rule: 'oops', severity: 'critical' })).toBe(2);
      expect(metricValue(text, 'ktriage_watch_source_lines_total', { source: `file:${log}` })).toBeGreaterThanOrEqual(49);
    } finally {
      agent.kill('SIGTERM');
    }
  }, 40_000);

  it('killed at random points with the collector down, delivers every report exactly once after restart', async () => {
    const host = 'restart-host';
    const { dir, log, common } = setup(host);
    const collectorPort = await freePort();
    const args = [...common, '--from', 'start', '--collector', `http://127.0.0.1:${collectorPort}`];
    // The collector's database and tokens first; the server itself starts only at the end.
    const collector: Collector = await startCollector(dir, collectorPort);
    await collector.stop();
    const env = { KTRIAGE_TOKEN: collector.ingest };
    let agent = agentProcess(args, env);
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const reports = 6;
    const kills: number[] = [];
    for (let k = 0; k < reports; k++) {
      appendFileSync(log, bugAt(100 * (k + 1)));
      await new Promise((r) => setTimeout(r, 400 + random() * 1200));
      if (k % 2 === 1) {
        kills.push(k);
        agent.kill('SIGKILL');
        await new Promise((r) => agent.once('exit', r));
        agent = agentProcess(args, env);
      }
    }
    expect(kills).toHaveLength(3);
    await collector.start();

    const expected = await analyzeText(readFileSync(log), { source: log, host });
    const ids = expected.reports.filter((r) => r.kind !== 'unexpected-reboot').map((r) => r.id);
    expect(ids).toHaveLength(reports);
    const stored = await waitFor(async () => {
      const h = await getJson(`${collector.url}/api/v1/hosts/${host}`, collector.read);
      return h.status === 200 && h.json.host.crashes >= reports ? h.json : undefined;
    }, 40_000, 'every report in the collector');
    for (const id of ids) expect((await getJson(`${collector.url}/api/v1/reports/${id}`, collector.read)).status).toBe(200);
    // Give a late duplicate the time to arrive, then count again: each report once.
    agent.kill('SIGTERM');
    await new Promise((r) => agent.once('exit', r));
    const after = await getJson(`${collector.url}/api/v1/hosts/${host}`, collector.read);
    expect(after.json.host.crashes).toBe(reports);
    expect(stored.host.crashes).toBe(reports);
    await collector.stop();
  }, 90_000);
});
