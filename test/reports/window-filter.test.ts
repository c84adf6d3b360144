/**
 * The skim path (whole blocks of console text passed over unread when they cannot start
 * anything) must find exactly what reading every line finds: checked on every real log fixture.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLog } from '../../src/logs/read-log.js';
import { ReportCollector } from '../../src/reports/collect-reports.js';
import { ReportExtractor } from '../../src/reports/extract-reports.js';
import { shippedTriggerFilters } from '../../src/reports/window-filter.js';

const WINDOW_FILTER = shippedTriggerFilters().window;

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
  const collector = new ReportCollector();
  const extractor = new ReportExtractor(collector);
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
  return { result: { ...extractor.finish(), ...collector.finish() }, skipped: extractor.windowsSkipped, read, lines: log.stats.lines };
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

  it('a boot at the top of a block after a block read in part still shows the lines before it', async () => {
    // The first 64 KiB block: real boot output with one precursor line in it (read, with its
    // context, and the rest passed over), ending exactly at the block's end; the next block
    // starts with a new boot, which follows no shutdown: an unexpected reboot, whose report
    // shows the last lines before it.
    const clean = readFileSync(join(FIXTURES, 'reports', 'x86-clean-boot-poweroff.log'), 'latin1').split('\n').slice(100, 300);
    const lines: string[] = [];
    let size = 0;
    for (let i = 0; size < 60_000; i++) {
      const line = i === 300 ? '[   12.000000] EXT4-fs (vda1): Remounting filesystem read-only' : (clean[i % clean.length] as string);
      lines.push(line);
      size += line.length + 1;
    }
    const pad = '[   12.500000] ';
    lines.push(pad + 'x'.repeat(65_536 - size - pad.length));
    const oops = readFileSync(join(FIXTURES, 'reports', 'x86-null-deref-read-lkdtm.log'), 'latin1');
    const text = `${lines.join('\n')}\n${oops}`;
    expect(text.indexOf('Linux version')).toBe(65_537 + 15);
    const path = join(mkdtempSync(join(tmpdir(), 'ktriage-skim-')), 'edge.log');
    writeFileSync(path, text, 'latin1');
    const skim = await extract(path, true);
    const full = await extract(path, false);
    expect(skim.result).toEqual(full.result);
    const reboot = skim.result.reports.find((r) => r.kind === 'unexpected-reboot');
    expect(reboot?.lines.map((l) => l.line)).toEqual([lines.length - 4, lines.length - 3, lines.length - 2, lines.length - 1, lines.length, lines.length + 1]);
    expect(skim.result.precursors).toHaveLength(1);
    expect(skim.read).toBeLessThan(full.read / 5);
  });
});
