/**
 * The first log file is read straight into the byte scan's WebAssembly memory (no copy of each
 * block): the inputs opened after it must not touch those buffers, and they are given back.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/cli/analyze-command.js';
import { READ_CHUNK_BYTES, READ_POOL } from '../../src/logs/open-input.js';
import { shippedTriggerFilters } from '../../src/reports/window-filter.js';

const BYTE_FILTER = shippedTriggerFilters().bytes;

const LOGS = join(import.meta.dirname, '..', 'fixtures', 'logs');
const options = (inputs: string[]) => ({ inputs, inputFormat: 'auto' as const, format: 'json' as const, knownIssues: [], exitCode: false, color: false });

describe('reading into the byte scan', () => {
  it('keeps the first log whole while the next one is opened (a small first file is all read before its lines are)', async () => {
    const console = join(LOGS, 'lab-exception-kdump-console.log');
    const alone = await analyze(options([console]));
    const both = await analyze(options([console, join(LOGS, 'lab-exception-kdump-guest-vmcore-dmesg.txt')]));
    // The vmcore's copy of the oops is dropped; the console's is the same, line numbers included.
    expect(both.reports.map((r) => r.lines.map((l) => [l.line, l.text]))).toEqual(alone.reports.map((r) => r.lines.map((l) => [l.line, l.text])));
    expect(both.reports[0]?.lines[0]).toMatchObject({ line: 343, text: 'BUG: kernel NULL pointer dereference, address: 0000000000000000' });
    expect(both.inputs.map((i) => i.lines)).toEqual([733, 396]);
  });

  it('gives the buffers back once the inputs are read, also when one fails', async () => {
    await expect(analyze(options([join(LOGS, 'dmesg-plain.txt'), join(LOGS, 'no-such.log')]))).rejects.toThrow(/no such file/);
    const pool = BYTE_FILTER?.claimReadPool(READ_POOL, READ_CHUNK_BYTES);
    expect(pool).toBeDefined();
    pool?.release();
  });
});
