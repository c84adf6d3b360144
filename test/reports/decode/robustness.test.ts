import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { decodeReportFields } from '../../../src/reports/decode/decode-report.js';
import { fixtureLines } from './fixture-lines.js';

const FIXTURES = readdirSync(fileURLToPath(new URL('../../fixtures/decode/', import.meta.url))).filter((f) => f.endsWith('.txt'));

describe('decoders never throw on damaged input', () => {
  test.each(FIXTURES)('%s: every line cut in half', (fx) => {
    const lines = fixtureLines(fx).map((l) => l.slice(0, Math.ceil(l.length / 2)));
    expect(() => decodeReportFields(lines)).not.toThrow();
  });
  test.each(FIXTURES)('%s: lines in reverse order', (fx) => {
    const d = decodeReportFields(fixtureLines(fx).reverse());
    expect(Array.isArray(d.stacks)).toBe(true);
  });
  test('no lines at all', () => {
    expect(decodeReportFields([])).toEqual({ stacks: [], details: {}, corruptedReasons: [] });
  });
});

describe('bounded work per line (no catastrophic backtracking)', () => {
  const big = 64 * 1024;
  // Lines built to make a backtracking regex explode: long runs of what a pattern almost accepts.
  const hostile = [
    ' '.repeat(big),
    ` ${'a'.repeat(big)}`,
    `${'['.repeat(big)}`,
    `Call Trace:${' '.repeat(big)}x`,
    `RAX: ${'0'.repeat(big)}`,
    `-> #1 ${'('.repeat(big)}`,
    `task:${' '.repeat(big)}state:`,
    `INFO: task ${'a:'.repeat(big / 2)}`,
    `BUG: KASAN: ${'a '.repeat(big / 2)}`,
    `Killed process 1 (${')'.repeat(big)}`,
    ` ${'func+0x1/0x2 '.repeat(big / 13)}`,
    `Modules linked in: ${'m(OE) '.repeat(big / 6)}`,
    `Code: ${'00 '.repeat(big / 3)}`,
    `EDAC MC0: 1 CE ${'x on '.repeat(big / 5)}`,
    `Kernel panic - not syncing: ${'Fatal '.repeat(big / 6)}`,
    `${'x29: 0000000000000000 '.repeat(big / 22)}`,
  ];
  test.each(hostile.map((l, i) => [i, l] as const))('hostile line %i', (_i, line) => {
    const start = performance.now();
    decodeReportFields([line, line]);
    // Generous: a linear pass over 128 KiB takes well under a millisecond; backtracking takes seconds.
    expect(performance.now() - start).toBeLessThan(250);
  });
});
