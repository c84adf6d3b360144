/**
 * The skim path (whole blocks of console text passed over unread when they cannot start
 * anything) must find exactly what reading every line finds: checked on every real log fixture.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLog } from '../../src/logs/read-log.js';
import { ReportExtractor } from '../../src/reports/extract-reports.js';
import { WINDOW_FILTER } from '../../src/reports/window-filter.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const logs = [
  ...readdirSync(join(FIXTURES, 'reports')).filter((f) => f.endsWith('.log')).map((f) => join(FIXTURES, 'reports', f)),
  // (xz is refused by design; the journal file is read through journalctl elsewhere)
  ...readdirSync(join(FIXTURES, 'logs'))
    .filter((f) => !f.endsWith('.journal.gz') && !f.endsWith('.xz'))
    .map((f) => join(FIXTURES, 'logs', f)),
];

async function extract(path: string, skim: boolean) {
  const log = await openLog({ path });
  const extractor = new ReportExtractor();
  let read = 0;
  const push = extractor.push.bind(extractor);
  extractor.push = (line) => {
    read++;
    push(line);
  };
  extractor.beginInput(log.source, log.format);
  for await (const window of log.windows) {
    if (skim) extractor.pushWindow(window, log.source);
    else for (const line of window.lines()) extractor.push(line);
  }
  return { result: extractor.finish(), skipped: extractor.windowsSkipped, read, lines: log.stats.lines };
}

describe('window filter', () => {
  it('is built from the tables (every anchored alternative has plain first characters)', () => {
    expect(WINDOW_FILTER).toBeDefined();
  });

  it.each(logs.map((p) => [p.slice(FIXTURES.length + 1), p]))('%s: skimming finds what reading every line finds', async (_name, path) => {
    const full = await extract(path, false);
    const skim = await extract(path, true);
    expect(skim.result).toEqual(full.result);
  });

  it('passes over ordinary kernel output unread, and still finds the crash after it', async () => {
    // A real boot's ordinary lines (no banner, no report), repeated past several 64 KiB blocks,
    // then a real oops.
    const clean = readFileSync(join(FIXTURES, 'reports', 'x86-clean-boot-poweroff.log'), 'latin1').split('\n');
    const noise = clean.slice(100, 300).join('\n');
    const oops = readFileSync(join(FIXTURES, 'reports', 'x86-null-deref-read-lkdtm.log'), 'latin1');
    const path = join(mkdtempSync(join(tmpdir(), 'ktriage-skim-')), 'big.log');
    writeFileSync(path, `${Array.from({ length: 40 }, () => noise).join('\n')}\n${oops}`, 'latin1');
    const skim = await extract(path, true);
    const full = await extract(path, false);
    expect(skim.skipped).toBeGreaterThan(5);
    expect(skim.result).toEqual(full.result);
    // The oops log starts with its own boot: after noise that never shut down, that is news too.
    expect(skim.result.reports.map((r) => r.kind)).toEqual(['unexpected-reboot', 'null-pointer-dereference', 'panic']);
  });

  it('reads only around the reports inside big blocks: the lines before and after them are scanned, not read', async () => {
    // Real reports in the middle of 64 KiB blocks of real boot output, one of them with CRLF.
    const clean = readFileSync(join(FIXTURES, 'reports', 'x86-clean-boot-poweroff.log'), 'latin1').split('\n');
    const noise = (n: number) => Array.from({ length: n }, () => clean.slice(100, 300).join('\n')).join('\n');
    const report = (name: string) => readFileSync(join(FIXTURES, 'reports', name), 'latin1').replace(/^[\s\S]*?(?=\[[ \d.]+\] (?:BUG|INFO|WARNING))/, '');
    const hung = report('arm64-hung-task-io-wait.log');
    const kasan = report('kasan-use-after-free-read-wake-up-common.log').replace(/\n/g, '\r\n');
    const path = join(mkdtempSync(join(tmpdir(), 'ktriage-skim-')), 'mid.log');
    writeFileSync(path, [noise(7), hung, noise(3), kasan, noise(9)].join('\n'), 'latin1');
    const skim = await extract(path, true);
    const full = await extract(path, false);
    expect(skim.result).toEqual(full.result);
    expect(skim.result.reports.map((r) => r.kind)).toEqual(['hung-task', 'kasan']);
    // Every line is counted; only a small part of them is read.
    expect(skim.lines).toBe(full.lines);
    expect(full.read).toBe(3972);
    expect(skim.read).toBeLessThan(full.read / 5);
  });
});
