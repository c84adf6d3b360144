/** Skimming journal, syslog and kmsg text: blocks passed over by their bytes, the same reports found. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLog } from '../../src/logs/read-log.js';
import { ReportCollector } from '../../src/reports/collect-reports.js';
import { ReportExtractor } from '../../src/reports/extract-reports.js';
import { compilePrefixedScreen } from '../../src/reports/prefixed-screen.js';
import { TRIGGER_PATTERNS } from '../../src/reports/window-filter.js';

const LOGS = join(import.meta.dirname, '..', 'fixtures', 'logs');
const REPORTS = join(import.meta.dirname, '..', 'fixtures', 'reports');

/** The reports of a file, read as `analyze` reads it (skimming), or every line pushed. */
async function reportsOf(path: string, skim: boolean) {
  const collector = new ReportCollector();
  const extractor = new ReportExtractor(collector);
  const log = await openLog({ path });
  extractor.beginInput(log.source, log.format);
  for await (const window of log.windows) {
    if (skim) extractor.pushWindow(window, log.source);
    else for (const line of window.lines()) extractor.push(line);
  }
  extractor.finish();
  const { reports, precursors } = collector.finish();
  return { format: log.format, lines: log.stats.lines, skipped: extractor.windowsSkipped, reports: reports.map((r) => [r.id, r.kind, r.lines.length]), precursors: precursors.length };
}

describe('the prefixed-format screen', () => {
  const screen = compilePrefixedScreen('journal-short', TRIGGER_PATTERNS);
  const journal = readFileSync(join(LOGS, 'journal-short-precise.out'), 'latin1').split('\n');
  // The capture's boot banner and its `Speculative Return Stack Overflow: WARNING:` line are the
  // only lines a trigger may start on (the second only by its first bytes: the exact test says no).
  const ordinary = journal.filter((l) => !/Linux version|Speculative Return/.test(l)).join('\n');

  it('passes over ordinary kernel messages and holds a block with a crash header or a boot', () => {
    expect(screen?.mayHold(Buffer.from(ordinary, 'latin1'))).toBe(false);
    expect(screen?.mayHold(Buffer.from(journal.join('\n'), 'latin1'))).toBe(true);
    const bug = `${ordinary}\nNov 23 00:14:01.123456 vm kernel: BUG: kernel NULL pointer dereference, address: 0000000000000008\n`;
    expect(screen?.mayHold(Buffer.from(bug, 'latin1'))).toBe(true);
    // Another ident's message is not the kernel's.
    expect(screen?.mayHold(Buffer.from(`${ordinary}\nNov 23 00:14:01 vm myapp[12]: BUG: kernel NULL pointer dereference\n`, 'latin1'))).toBe(false);
    // A block where no line has the kernel's ident where the format puts it is in a layout not
    // known here: read, never passed over.
    expect(screen?.mayHold(Buffer.from('Nov 23 00:14:01 vm vmunix: e1000e: eth0 NIC Link is Up\n', 'latin1'))).toBe(true);
    // A storage event anywhere in the line (a floating trigger).
    expect(screen?.mayHold(Buffer.from(`${ordinary}\nNov 23 00:14:01 vm kernel: blk_update_request: I/O error, dev sda, sector 2048 op 0x1:(WRITE)\n`, 'latin1'))).toBe(true);
  });

  it('reads past the [ ts] imklog keeps in syslog messages', () => {
    const syslog = compilePrefixedScreen('syslog', TRIGGER_PATTERNS);
    expect(syslog?.mayHold(Buffer.from('Nov 23 00:10:45 lab-a kernel: [   12.345678] Kernel panic - not syncing: Fatal exception\n', 'latin1'))).toBe(true);
    expect(syslog?.mayHold(Buffer.from('Nov 23 00:10:45 lab-a kernel: [   12.345678] e1000e: eth0 NIC Link is Up\n', 'latin1'))).toBe(false);
  });

  for (const file of ['journal-short-precise.out', 'journal-short.out', 'journal-short-iso.out', 'journal-short-monotonic.out', 'syslog-rsyslog-traditional.log', 'syslog-rsyslog-precise.log', 'syslog-rsyslog-rfc5424.log', 'kmsg.txt']) {
    it(`${file}: the same reports, storage events and line count skimmed as read line by line`, async () => {
      const path = join(LOGS, file);
      expect(await reportsOf(path, true)).toEqual({ ...(await reportsOf(path, false)), skipped: expect.any(Number) });
    });
  }

  it('a long journal with one crash in it is mostly passed over, and the crash is found whole', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const crash = readFileSync(join(REPORTS, 'x86-warning-panic-on-warn-lkdtm.log'), 'latin1')
      .split('\n')
      .map((l) => l.replace(/^\[ *\d+\.\d+\] /, ''))
      .filter((l) => l.length > 0)
      .map((l) => `Nov 23 00:14:01.123456 vm kernel: ${l}`)
      .join('\n');
    const noise = `${ordinary}\n`.repeat(40);
    const path = join(mkdtempSync(join(tmpdir(), 'ktriage-journal-')), 'long.out');
    writeFileSync(path, `${noise}${crash}\n${noise}`, 'latin1');
    const skimmed = await reportsOf(path, true);
    expect(skimmed.format).toBe('journal-short');
    expect(skimmed.reports.map((r) => r[1])).toEqual(['warning', 'panic']);
    expect(skimmed.skipped).toBeGreaterThan(20);
    // (Lines passed over are counted as physical lines, blank ones too: LogStats.lines.)
    const read = await reportsOf(path, false);
    expect({ ...skimmed, skipped: 0, lines: 0 }).toEqual({ ...read, skipped: 0, lines: 0 });
    expect(skimmed.lines).toBeGreaterThanOrEqual(read.lines);
    expect(skimmed.lines).toBeLessThanOrEqual(readFileSync(path, 'latin1').split('\n').length - 1);
  });
});
