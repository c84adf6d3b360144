import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/cli/analyze-command.js';
import type { CrashReport } from '../../src/reports/crash-report.js';
import { ReportDeduper } from '../../src/reports/dedupe-reports.js';
import { ReportExtractor } from '../../src/reports/extract-reports.js';
import { openLog } from '../../src/logs/read-log.js';

/** The reports a fresh deduper keeps, in order. */
const dedupeReports = (reports: CrashReport[]) => {
  const deduper = new ReportDeduper();
  return reports.filter((r) => deduper.isNew(r));
};

const LOGS = join(import.meta.dirname, '..', 'fixtures', 'logs');
const run = (inputs: string[]) => analyze({ inputs, inputFormat: 'auto', format: 'json', knownIssues: [], exitCode: false, color: false });

describe('ReportDeduper', () => {
  it('the same OOM panic from the console capture and from vmcore-dmesg of its dump is reported once', async () => {
    const both = await run([join(LOGS, 'lab-oom-console.log'), join(LOGS, 'lab-oom-vmcore-dmesg.txt')]);
    expect(both.reports.map((r) => r.kind)).toEqual(['oom-kill', 'panic']);
    expect(both.reports.every((r) => r.lines[0]?.source.endsWith('lab-oom-console.log'))).toBe(true);
  });

  it('a copy without kernel timestamps (journal short, syslog) matches the timestamped one; repeats do not', async () => {
    const [oom] = (await run([join(LOGS, 'lab-oom-console.log')])).reports as CrashReport[];
    if (!oom) throw new Error('no report');
    const { ts: _ts, ...withoutTs } = oom;
    const later = { ...oom, ts: (oom.ts ?? 0) + 30 };
    expect(dedupeReports([oom, withoutTs])).toHaveLength(1);
    expect(dedupeReports([oom, later])).toHaveLength(2);
    const otherTask = { ...withoutTs, pid: (oom.pid ?? 0) + 1 };
    expect(dedupeReports([withoutTs, otherTask])).toHaveLength(2);
  });

  it('a machine that rebooted the same way again and again: one unexpected-reboot report, the repeats never leave the extractor', async () => {
    const boot = readFileSync(join(LOGS, 'dmesg-plain.txt'), 'utf8'); // a boot with no crash
    const lines = boot.split('\n');
    // The same boot once more, but its last line says something else: another way to go down.
    const otherEnd = [...lines.slice(0, -2), 'random: crng reseeded on system resumption', ''].join('\n');
    const dir = mkdtempSync(join(tmpdir(), 'kt-reboots-'));
    try {
      const same = join(dir, 'same.log');
      writeFileSync(same, boot.repeat(4)); // four boots, none shut down
      const result = await run([same]);
      expect(result.reports.map((r) => r.kind)).toEqual(['unexpected-reboot']);
      expect(await rebootsHandedOn(same)).toBe(1);
      const two = join(dir, 'two.log');
      writeFileSync(two, boot + otherEnd + boot + boot);
      expect((await run([two])).reports.map((r) => r.kind)).toEqual(['unexpected-reboot', 'unexpected-reboot']);
      expect(await rebootsHandedOn(two)).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Unexpected-reboot reports the extractor hands to its sink, reading `path`. */
async function rebootsHandedOn(path: string): Promise<number> {
  let reboots = 0;
  const extractor = new ReportExtractor({ take: (raw) => void (reboots += raw.kind === 'unexpected-reboot' ? 1 : 0), precursor: () => undefined });
  const log = await openLog({ path });
  extractor.beginInput(log.source, log.format);
  for await (const window of log.windows) extractor.pushWindow(window, log.source);
  extractor.finish();
  return reboots;
}
