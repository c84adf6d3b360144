import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { anyOf, firstChars, rowsByFirstChar, topLevelAlternatives } from '../../src/reports/any-of.js';
import { STACK_HEADERS } from '../../src/reports/decode/stack-headers.js';
import { KIND_TABLE } from '../../src/reports/kinds.js';
import { PRECURSOR_TABLE } from '../../src/reports/precursors.js';

const chars = (s: Set<number> | undefined) => (s ? [...s].map((c) => String.fromCharCode(c)).sort().join('') : undefined);

describe('anyOf', () => {
  it('splits only top-level alternatives', () => {
    expect(topLevelAlternatives(String.raw`^a(?:b|c)|[|]d|\|e`)).toEqual(['^a(?:b|c)', '[|]d', String.raw`\|e`]);
  });

  it('knows the first characters of the shapes the tables use', () => {
    expect(chars(firstChars('Kernel panic'))).toBe('K');
    expect(chars(firstChars('(?:Oops: )?general protection'))).toBe('Og');
    expect(chars(firstChars('(?:NMI )?(?:watchdog: )?BUG: soft'))).toBe('BNw');
    expect(chars(firstChars(String.raw`\[ BUG: `))).toBe('[');
    expect(chars(firstChars('[Oo]ut of memory'))).toBe('Oo');
    expect(chars(firstChars(String.raw`(?:\d{4}\/\d\d )?BUG`))).toBe('0123456789B');
    // Not plain: said so rather than guessed.
    expect(firstChars(String.raw`\w+ error`)).toBeUndefined();
    expect(firstChars('(?:ab){0,2}c')).toBeUndefined();
    expect(firstChars('.*x')).toBeUndefined();
  });

  it('every table row: anyOf passes exactly where the row regex matches, on real header lines and near misses', () => {
    const lines = [
      'BUG: kernel NULL pointer dereference, address: 0000000000000000',
      'Oops: general protection fault, probably for non-canonical address 0xdffffc0000000002: 0000 [#1]',
      'dd invoked oom-killer: gfp_mask=0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO), order=0, oom_score_adj=0',
      'NMI watchdog: Watchdog detected hard LOCKUP on cpu 3',
      'I/O error, dev vda, sector 16520 op 0x0:(READ) flags 0x80700 phys_seg 32 prio class 2',
      'blk_update_request: critical medium error, dev sdb, sector 0',
      'EXT4-fs (vda): Remounting filesystem read-only',
      '2018/01/09 14:28:48 BUG: memory leak',
      'traps: syz-executor229[3615] general protection fault ip:7feb96eb56a1 sp:20000fd0 error:0',
      'Speculative Return Stack Overflow: WARNING: See https://kernel.org/doc/html/latest/',
      'usb 1-1: new high-speed USB device number 2 using ehci-pci',
    ];
    for (const table of [KIND_TABLE.map((r) => r.header), PRECURSOR_TABLE.map((r) => r.pattern)]) {
      const fast = anyOf(table);
      for (const line of lines) expect(fast.test(line), line).toBe(table.some((re) => re.test(line)));
    }
  });

  it('rowsByFirstChar offers, in table order, every row that matches a line: each fixture line, trimmed or not', () => {
    const fixtures = join(import.meta.dirname, '..', 'fixtures');
    const lines = ['', ' ', 'Call Trace:', '\u00e9t\u00e9', '\u2028x', 'kfence-#7 freed by task 2:', 'OOPS: 1', 'oOPS', 'ab'];
    for (const dir of ['reports', 'decode']) {
      for (const f of readdirSync(join(fixtures, dir)).filter((n) => /\.(log|txt)$/.test(n))) {
        for (const line of readFileSync(join(fixtures, dir, f), 'latin1').split('\n')) lines.push(line, line.trim());
      }
    }
    const shapes = [/^RIP: (?:([0-9a-f]{4}):)?/, /^pc ?: /, /^IP: (?=\[<)/, /^[Oo]ops/i, /^x|y/, /^(?:ab)?$/];
    expectSameMatches(STACK_HEADERS, (r) => r.re, lines);
    expectSameMatches(shapes, (r) => r, lines);
    // Most lines are offered no row at all: the point of the index.
    const rowsFor = rowsByFirstChar(STACK_HEADERS, (r) => r.re);
    expect(rowsFor(' ? __schedule+0x1a2/0x5b0')).toEqual([]);
  });
});

/** The rows offered for each line hold every row that matches it, in table order. */
function expectSameMatches<Row>(rows: readonly Row[], patternOf: (row: Row) => RegExp, lines: string[]): void {
  const rowsFor = rowsByFirstChar(rows, patternOf);
  let matches = 0;
  for (const line of lines) {
    const matching = rows.filter((r) => patternOf(r).test(line));
    const offered = rowsFor(line);
    expect(offered.filter((r) => matching.includes(r)), line).toEqual(matching);
    expect(offered, line).toEqual(rows.filter((r) => offered.includes(r)));
    matches += matching.length;
  }
  expect(matches).toBeGreaterThan(0);
}
