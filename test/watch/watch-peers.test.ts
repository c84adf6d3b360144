// The agent with real peers from Debian's packages (scripts/ci/watch.sh): promtool checks its
// /metrics, a real Prometheus scrapes it, a real Alertmanager receives its alerts.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type RunningAgent } from '../../src/watch/agent.js';
import { requireTool, startAlertmanager, type RunningProcess } from '../server/local-services.js';
import { fakeHost, FIXTURES, freePort, getJson, scrape, tempDir, waitFor } from './watch-harness.js';

const HOST = 'peers-test-host';
const haveProm = requireTool('/usr/bin/promtool', 'KTRIAGE_SKIP_PROMETHEUS') && requireTool('/usr/bin/prometheus', 'KTRIAGE_SKIP_PROMETHEUS');
const haveAm = requireTool('/usr/bin/prometheus-alertmanager', 'KTRIAGE_SKIP_ALERTMANAGER');

describe.runIf(haveProm && haveAm)('watch with Prometheus and Alertmanager', () => {
  let dir: string;
  let agent: RunningAgent;
  let alertmanager: RunningProcess;
  let prometheus: ChildProcess;
  let promPort: number;
  let log: string;

  beforeAll(async () => {
    dir = tempDir();
    alertmanager = await startAlertmanager();
    const { proc, sys } = fakeHost(dir, '9e8d7c6b-5a49-4382-a1b0-c9d8e7f6a5b4');
    log = join(dir, 'kern.log');
    writeFileSync(log, '');
    agent = await startAgent({
      host: HOST,
      stateDir: join(dir, 'state'),
      proc,
      sys,
      from: 'now',
      journal: false,
      journalctl: 'journalctl',
      files: [log],
      ruleFiles: [],
      knownIssueFiles: [],
      resourceRuleFiles: [],
      alertmanager: `http://127.0.0.1:${alertmanager.port}`,
      metricsListen: '127.0.0.1:0',
      once: false,
      pstoreDirs: [],
      crashDirs: [],
      uploadDumps: false,
      sampleSeconds: 60,
      quietSeconds: 1,
      spoolMax: 100,
      alertWindowSeconds: 30,
      journalAtStart: false,
    });
    promPort = await freePort();
    writeFileSync(join(dir, 'prometheus.yml'), `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: ktriage-watch\n    static_configs:\n      - targets: ['127.0.0.1:${agent.metricsPort}']\n`);
    prometheus = spawn('/usr/bin/prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${promPort}`], { stdio: 'ignore' });
    await waitFor(async () => (await fetch(`http://127.0.0.1:${promPort}/-/ready`).then((r) => r.ok).catch(() => false)) || undefined, 20_000, 'prometheus ready');
  }, 40_000);

  afterAll(async () => {
    prometheus?.kill('SIGTERM');
    await agent?.stop();
    await alertmanager?.stop();
    if (prometheus && prometheus.exitCode === null) await new Promise((r) => prometheus.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('a crash in the log: promtool accepts /metrics, Prometheus scrapes it, Alertmanager holds the alert', async () => {
    const bug = readFileSync(join(FIXTURES, 'logs/lab-bug-console.log'), 'utf8').split(/\r?\n/).filter((l) => l.startsWith('['));
    appendFileSync(log, `${bug.slice(330, 396).join('\n')}\n`);
    const text = await waitFor(async () => {
      const t = await scrape(agent.metricsPort as number);
      return /ktriage_watch_reports_total\{kind="[^"]+",severity="fatal"\} 1/.test(t) ? t : undefined;
    }, 20_000, 'the reports in /metrics');

    const check = spawnSync('/usr/bin/promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(check.stdout + check.stderr).toBe('');
    expect(check.status).toBe(0);

    const query = async (q: string) => (await getJson(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(q)}`)).json.data.result as { metric: Record<string, string>; value: [number, string] }[];
    const up = await waitFor(async () => {
      const r = await query('up{job="ktriage-watch"}');
      return r[0]?.value[1] === '1' ? r : undefined;
    }, 20_000, 'the target up in Prometheus');
    expect(up[0]?.metric['instance']).toBe(`127.0.0.1:${agent.metricsPort}`);
    const oops = await waitFor(async () => {
      const r = await query('ktriage_watch_events_total{rule="oops"}');
      return r.length > 0 ? r : undefined;
    }, 20_000, 'the oops counter in Prometheus');
    expect(Number(oops[0]?.value[1])).toBe(2);

    const alerts = await waitFor(async () => {
      const r = await getJson(`http://127.0.0.1:${alertmanager.port}/api/v2/alerts`);
      const found = (r.json as { labels: Record<string, string>; annotations: Record<string, string> }[]).filter((a) => a.labels['host'] === HOST);
      return found.some((a) => a.labels['rule'] === 'panic') ? found : undefined;
    }, 20_000, 'the alerts in Alertmanager');
    const panic = alerts.find((a) => a.labels['rule'] === 'panic');
    expect(panic?.labels).toMatchObject({ alertname: 'ktriage_panic', severity: 'critical', host: HOST, source: 'ktriage-watch' });
    expect(panic?.annotations['summary']).toMatch(/Fatal exception on peers-test-host/);
    expect(panic?.annotations['report']).toMatch(/^report r[0-9a-f]{16}$/);
  }, 60_000);
});
