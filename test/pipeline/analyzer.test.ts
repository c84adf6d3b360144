/** The analysis library: live completion by time, bounded memory, stable ids. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/cli/analyze-command.js';
import { analyzeText, createAnalyzer, lineReader, loadRules } from '../../src/pipeline/index.js';
import type { AnalysisResult, CrashReport, Incident } from '../../src/reports/crash-report.js';

const REPORTS = join(import.meta.dirname, '..', 'fixtures', 'reports');
const LOGS = join(import.meta.dirname, '..', 'fixtures', 'logs');
const WARN_PANIC = join(REPORTS, 'x86-warning-panic-on-warn-lkdtm.log');
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'ktriage.js');

function consoleLines(path: string) {
  const parse = lineReader('console', path);
  return readFileSync(path, 'latin1')
    .split('\n')
    .flatMap((l) => parse(l));
}

describe('createAnalyzer on a live stream (wall clock)', () => {
  it('completes a report and its incident after the quiet period, with no further line', async () => {
    let now = 1_000_000;
    const reports: CrashReport[] = [];
    const incidents: { incident: Incident; reports: readonly CrashReport[] }[] = [];
    const analyzer = createAnalyzer({
      rules: await loadRules(),
      quietSeconds: 5,
      now: () => now,
      onReport: (r) => reports.push(r),
      onIncident: (incident, own) => incidents.push({ incident, reports: own }),
    });
    analyzer.beginInput('live', 'console');
    for (const line of consoleLines(WARN_PANIC)) analyzer.push(line);
    // The panic is the stream's last line: nothing says it is over but time.
    now += 4_000;
    analyzer.flush();
    expect(reports).toEqual([]);
    now += 1_000;
    analyzer.flush();
    expect(reports.map((r) => r.kind)).toEqual(['warning', 'panic']);
    expect(incidents).toHaveLength(1);
    const incident = incidents[0]?.incident;
    expect(incident?.reportIds).toEqual(reports.map((r) => r.id));
    expect(incident?.diagnosis?.culprit?.function).toBe('lkdtm_WARNING');
    expect(reports[1]?.panic?.reason).toBe('panic-on-warn');
    // The report closed by time is whole: it is the same as when the input ends.
    const whole = await analyze({ inputs: [WARN_PANIC], inputFormat: 'auto', format: 'json', knownIssues: [], exitCode: false, color: false });
    expect(reports.map((r) => [r.id, r.title, r.lines.length])).toEqual(whole.reports.map((r) => [r.id, r.title, r.lines.length]));
    await analyzer.finish();
    expect(reports).toHaveLength(2);
  });

  it('keeps its heap flat over a simulated day of a busy host with a crash every few MiB', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const crash = consoleLines(join(LOGS, 'lab-bug-console.log'));
    const noise = Array.from({ length: 2000 }, (_, i) => ({
      text: `e1000e 0000:00:1f.6 eth${i % 4}: NIC Link is Up 1000 Mbps Full Duplex, Flow Control: None seq=${i}`,
      origin: { source: 'live', line: 0 },
    }));
    let now = 0;
    let reports = 0;
    let incidents = 0;
    const analyzer = createAnalyzer({ rules: await loadRules(), now: () => now, onReport: () => reports++, onIncident: () => incidents++ });
    analyzer.beginInput('live', 'console');
    const heap: number[] = [];
    const rounds = 240; // a crash every 6 simulated minutes (~300 KiB of noise each)
    for (let round = 0; round < rounds; round++) {
      for (const line of noise) analyzer.push({ ...line, host: `host-${round % 7}`, ts: round * 360 });
      // Each crash a little different (another task), so that none is dropped as a copy.
      for (const line of crash) analyzer.push({ ...line, host: `host-${round % 7}`, text: line.text.replace(/PID: \d+/, `PID: ${1000 + round}`) });
      now += 360_000;
      analyzer.flush();
      if (round % 40 === 39) {
        gc();
        heap.push(process.memoryUsage().heapUsed);
      }
    }
    await analyzer.finish();
    expect(reports).toBeGreaterThanOrEqual(rounds);
    expect(incidents).toBeGreaterThanOrEqual(rounds);
    // After the first sample (code warmed up), the heap holds steady: no per-report memory kept.
    const growth = (heap[heap.length - 1] as number) - (heap[1] as number);
    expect(growth).toBeLessThan(4 * 1024 * 1024);
  });
});

describe('stable report ids', () => {
  it('two processes fed the same log (a file, and compressed on standard input) give the same ids', () => {
    const idsOf = (args: string[], input?: Buffer) => {
      const r = spawnSync('node', [BIN, 'analyze', '--json', ...args], { input, encoding: 'utf8' });
      expect(r.status).toBe(0);
      const doc = JSON.parse(r.stdout) as AnalysisResult;
      return { reports: doc.reports.map((x) => x.id), incidents: doc.incidents.map((i) => [i.id, ...i.reportIds]) };
    };
    const file = join(LOGS, 'syzkaller-391-348-concatenated.log.gz');
    const a = idsOf([file]);
    const b = idsOf(['-'], readFileSync(file));
    expect(a.reports).toHaveLength(4);
    expect(new Set(a.reports).size).toBe(4);
    expect(b).toEqual(a);
  });

  it('a report keeps its id whatever else the log holds; the host is part of it', async () => {
    const fromConsole = await analyzeText(readFileSync(join(LOGS, 'lab-oom-console.log')), { source: 'console.log' });
    const oom = (r: { reports: CrashReport[] }) => r.reports.find((x) => x.kind === 'oom-kill');
    expect(oom(fromConsole)?.id).toMatch(/^r[0-9a-f]{16}$/);
    const text = readFileSync(join(LOGS, 'lab-oom-console.log'), 'latin1');
    const inLongerLog = await analyzeText(`${readFileSync(join(LOGS, 'dmesg-plain.txt'), 'latin1')}${text}`, { source: 'other-name.log' });
    expect(oom(inLongerLog)?.id).toBe(oom(fromConsole)?.id);
    // The host is part of what a report is.
    const onHost = await analyzeText(readFileSync(join(LOGS, 'lab-oom-console.log')), { source: 'console.log', host: 'web-7' });
    expect(oom(onHost)?.host).toBe('web-7');
    expect(oom(onHost)?.id).not.toBe(oom(fromConsole)?.id);
  });
});
