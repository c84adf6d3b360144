/**
 * Inputs of 64 MiB and more are decoded in a worker thread (KTRIAGE_ANALYZE_WORKER=1/0 forces
 * either way): the answer must not depend on where it was computed.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBundledKnownIssues } from '../../src/analysis/known-issues.js';
import { analyze } from '../../src/cli/analyze-command.js';
import { AnalyzeWorker } from '../../src/cli/analyze-in-worker.js';
import type { AnalyzeOptions } from '../../src/cli/parse-args.js';
import { KtError } from '../../src/errors.js';
import { openLog } from '../../src/logs/read-log.js';
import { ReportExtractor } from '../../src/reports/extract-reports.js';
import { renderJson } from '../../src/render/json-renderer.js';
import type { RawReport } from '../../src/reports/segmenter.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'ktriage.js');
const WORKER = join(ROOT, 'dist', 'bundles', 'cli', 'analyze-worker.cjs');
const FIXTURES = join(ROOT, 'test', 'fixtures');

function run(args: string[], worker: '0' | '1') {
  const r = spawnSync('node', [BIN, 'analyze', ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '', KTRIAGE_ANALYZE_WORKER: worker } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const options = (inputs: string[], extra: Partial<AnalyzeOptions> = {}): AnalyzeOptions => ({ inputs, inputFormat: 'auto', format: 'json', knownIssues: [], exitCode: false, color: false, ...extra });

/** Reads `options.inputs` here and sends what it finds to a worker running the built bundle. */
async function analyzeThroughWorker(opts: AnalyzeOptions) {
  let output = '';
  const worker = new AnalyzeWorker(WORKER, opts, await loadBundledKnownIssues(), { write: (chunk) => (output += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString()) });
  const extractor = new ReportExtractor(worker);
  const inputs = [];
  try {
    for (const path of opts.inputs) {
      const log = await openLog({ path });
      extractor.beginInput(log.source, log.format);
      for await (const window of log.windows) extractor.pushWindow(window, log.source);
      inputs.push({ source: log.source, format: log.format, lines: log.stats.lines });
    }
    const reportCount = await worker.finish(extractor.finish(), inputs);
    return { output, reportCount };
  } finally {
    worker.stop();
  }
}

describe('analyze in a worker thread', () => {
  it('gives what analyzing on one thread gives: reports, incidents, diagnoses, storage events', async () => {
    for (const files of [
      ['logs/syzkaller-391-348-concatenated.log.gz'],
      ['logs/syslog-rsyslog-traditional.log'],
      ['reports/x86-hung-task-jbd2-failing-throttled-disk.log'],
      ['logs/lab-exception-kdump-console.log', 'logs/lab-exception-kdump-guest-vmcore-dmesg.txt'],
    ]) {
      const opts = options(files.map((f) => join(FIXTURES, f)));
      const rendered = await analyzeThroughWorker(opts);
      const here = await analyze(opts);
      expect(rendered.output).toBe(renderJson(here));
      expect(rendered.reportCount).toBe(here.reports.length);
    }
  });

  it('decodes the storage-error hung task to the same cause in the worker (its precursor crossed over)', async () => {
    const rendered = await analyzeThroughWorker(options([join(FIXTURES, 'reports', 'x86-hung-task-jbd2-failing-throttled-disk.log')]));
    const doc = JSON.parse(rendered.output) as { precursors: { kind: string }[]; incidents: { diagnosis: { cause: { category: string; evidence: { finding: string }[] } } }[] };
    expect(doc.precursors.map((p) => p.kind)).toEqual(['block-io-error']);
    expect(doc.incidents[0]?.diagnosis.cause.evidence.some((e) => e.finding.includes('storage that reported errors'))).toBe(true);
  });

  it('makes the reader wait while the worker is far behind, and still keeps every distinct report', async () => {
    const opts = options([join(FIXTURES, 'reports', 'x86-warning-panic-on-warn-lkdtm.log')]);
    let output = '';
    const worker = new AnalyzeWorker(WORKER, opts, await loadBundledKnownIssues(), { write: (chunk) => (output += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString()) });
    const extractor = new ReportExtractor({ take: (raw: RawReport) => raws.push(raw), precursor: () => undefined });
    const raws: RawReport[] = [];
    const log = await openLog({ path: opts.inputs[0] as string });
    extractor.beginInput(log.source, log.format);
    for await (const window of log.windows) extractor.pushWindow(window, log.source);
    extractor.finish();
    expect(raws.map((r) => r.kind)).toEqual(['warning', 'panic']);
    // 100,000 lines' worth of copies, handed over at once: twice what may be outstanding (50,000
    // lines), far more than the worker takes before the reader asks.
    let waited = false;
    const linesPerPair = raws.reduce((n, r) => n + r.lines.length, 0);
    for (let i = 0; i < Math.ceil(100_000 / linesPerPair); i++) for (const raw of raws) worker.take(raw, raw.order);
    const behind = worker.ready();
    if (behind) {
      waited = true;
      await behind;
    }
    expect(waited).toBe(true);
    expect(worker.ready()).toBeUndefined();
    const reportCount = await worker.finish({}, [{ source: log.source, format: log.format, lines: log.stats.lines }]);
    worker.stop();
    expect(reportCount).toBe(2);
    expect((JSON.parse(output) as { reports: { kind: string }[] }).reports.map((r) => r.kind)).toEqual(['warning', 'panic']);
  });

  it("reports the worker's user errors as this thread's (a --vmlinux that is not ELF)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ktriage-worker-'));
    const notElf = join(dir, 'vmlinux');
    writeFileSync(notElf, 'not an ELF file at all, just text\n'.repeat(10));
    const opts = options([join(FIXTURES, 'reports', 'x86-warning-panic-on-warn-lkdtm.log')], { vmlinux: notElf, symbolCache: join(dir, 'cache') });
    const error = await analyzeThroughWorker(opts).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KtError);
    expect((error as KtError).code).toBe('KT_E_BAD_ELF');
    const cli = [run(['--vmlinux', notElf, opts.inputs[0] as string], '1'), run(['--vmlinux', notElf, opts.inputs[0] as string], '0')];
    expect(cli[0]?.status).toBe(2);
    expect(cli[0]?.stderr).toBe(cli[1]?.stderr);
    expect(cli[0]?.stderr).toMatch(/KT_E_BAD_ELF/);
  });

  it('prints the same from the CLI either way, in every output format', () => {
    const log = join(FIXTURES, 'logs', 'syzkaller-391-348-concatenated.log.gz');
    for (const format of [['--json'], ['--format', 'markdown'], ['--format', 'text'], ['--format', 'html']]) {
      const inWorker = run([...format, '--exit-code', log], '1');
      const here = run([...format, '--exit-code', log], '0');
      expect(inWorker.stderr).toBe('');
      expect(inWorker.status).toBe(1);
      expect(inWorker.stdout).toBe(here.stdout);
    }
    const doc = JSON.parse(run(['--json', log], '1').stdout) as { reports: { kind: string }[]; incidents: unknown[] };
    expect(doc.reports.map((r) => r.kind)).toEqual(['kasan', 'panic', 'warning', 'panic']);
    expect(doc.incidents).toHaveLength(2);
  });

  it('writes straight into standard output when it is a file or /dev/null, and the same bytes as through the reader', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ktriage-worker-'));
    const log = join(FIXTURES, 'logs', 'syzkaller-391-348-concatenated.log.gz');
    const toFile = (name: string, worker: '0' | '1', args: string[]) => {
      const file = join(dir, name);
      const fd = openSync(file, 'w');
      try {
        const r = spawnSync('node', [BIN, 'analyze', ...args], { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8', env: { ...process.env, NO_COLOR: '', KTRIAGE_ANALYZE_WORKER: worker } });
        return { status: r.status, stderr: r.stderr, out: readFileSync(file, 'utf8') };
      } finally {
        closeSync(fd);
      }
    };
    for (const format of [['--json'], ['--format', 'text']]) {
      const inWorker = toFile('worker.out', '1', [...format, '--exit-code', log]);
      const here = toFile('here.out', '0', [...format, '--exit-code', log]);
      expect(inWorker.stderr).toBe('');
      expect(inWorker.status).toBe(1);
      expect(inWorker.out.length).toBeGreaterThan(1000);
      expect(inWorker.out).toBe(here.out);
    }
    const devNull = spawnSync('node', [BIN, 'analyze', '--json', log], { stdio: ['ignore', openSync('/dev/null', 'w'), 'pipe'], encoding: 'utf8', env: { ...process.env, KTRIAGE_ANALYZE_WORKER: '1' } });
    expect(devNull.status).toBe(0);
    expect(devNull.stderr).toBe('');
  });

  it('hands over an unexpected reboot once: its repeats (a console of many boots) never leave the reader', async () => {
    // A real boot's first 200 lines (no shutdown), four times over: three reboots, one text.
    const boot = readFileSync(join(FIXTURES, 'reports', 'x86-clean-boot-poweroff.log'), 'latin1').split('\n').slice(0, 200).join('\n');
    const path = join(mkdtempSync(join(tmpdir(), 'ktriage-reboots-')), 'boots.log');
    writeFileSync(path, `${[boot, boot, boot, boot].join('\n')}\n`, 'latin1');
    const opts = options([path]);
    let output = '';
    const worker = new AnalyzeWorker(WORKER, opts, await loadBundledKnownIssues(), { write: (chunk) => (output += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString()) });
    const extractor = new ReportExtractor(worker);
    const log = await openLog({ path });
    extractor.beginInput(log.source, log.format);
    for await (const window of log.windows) extractor.pushWindow(window, log.source);
    await worker.finish(extractor.finish(), [{ source: log.source, format: log.format, lines: log.stats.lines }]);
    worker.stop();
    expect(worker.handedOver).toBe(1);
    expect(output).toBe(renderJson(await analyze(opts)));
    expect((JSON.parse(output) as { reports: { kind: string }[] }).reports.map((r) => r.kind)).toEqual(['unexpected-reboot']);
  });
});
