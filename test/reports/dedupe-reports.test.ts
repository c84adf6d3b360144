import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/cli/analyze-command.js';
import type { CrashReport } from '../../src/reports/crash-report.js';
import { ReportDeduper } from '../../src/reports/dedupe-reports.js';

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

  it('a machine that rebooted the same way again and again: one unexpected-reboot report, copies known before decoding', async () => {
    const boot = readFileSync(join(LOGS, 'dmesg-plain.txt'), 'utf8'); // a boot with no crash
    const dir = mkdtempSync(join(tmpdir(), 'kt-reboots-'));
    try {
      const file = join(dir, 'console.log');
      writeFileSync(file, boot.repeat(4)); // four boots, none shut down
      const result = await run([file]);
      expect(result.reports.map((r) => r.kind)).toEqual(['unexpected-reboot']);
      const reboot = result.reports[0] as CrashReport;
      const deduper = new ReportDeduper();
      expect(deduper.isKnownReboot('unexpected-reboot', undefined, reboot.lines)).toBe(false);
      expect(deduper.isNew(reboot)).toBe(true);
      expect(deduper.isKnownReboot('unexpected-reboot', undefined, reboot.lines)).toBe(true);
      expect(deduper.isKnownReboot('unexpected-reboot', 'other-host', reboot.lines)).toBe(false);
      expect(deduper.isKnownReboot('unexpected-reboot', undefined, reboot.lines.slice(1))).toBe(false);
      expect(deduper.isKnownReboot('panic', undefined, reboot.lines)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
