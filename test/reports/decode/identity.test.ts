import { describe, expect, test } from 'vitest';
import { parseCpuLine } from '../../../src/reports/decode/cpu-line.js';
import { parseHardwareLine } from '../../../src/reports/decode/hardware-line.js';
import { parseTaint, parseVerboseTaint } from '../../../src/reports/decode/taint.js';
import { parseVersionThenTaint } from '../../../src/reports/decode/taint-and-version.js';
import { TAINT_FLAGS } from '../../../src/reports/decode/taint-flags.js';
import { lineOf } from './fixture-lines.js';

describe('parseCpuLine', () => {
  const rows = [
    {
      name: 'Debian 6.1 under QEMU, tainted OE',
      line: lineOf('x86-null-deref-write-lkdtm.txt', /^CPU: /),
      cpu: 0, pid: 112, comm: 'sh', taintRaw: 'G           OE', letters: ['O', 'E'],
      release: '6.1.0-56-cloud-amd64', build: '#1 Debian 6.1.192-2',
    },
    {
      name: '6.x form with UID: and a PREEMPT suffix (riscv)',
      line: lineOf('riscv-warning-verbose-taint.txt', /^CPU: /),
      cpu: 0, pid: 10040, comm: 'kworker/u8:0', taintRaw: 'G             L', letters: ['L'],
      release: 'syzkaller', build: '#0 PREEMPT',
    },
    {
      name: 'not tainted, syzkaller release',
      line: lineOf('kasan-gpf-null-ptr-deref-range.txt', /^CPU: /),
      cpu: 3, pid: 6734, comm: 'syz-executor.0', taintRaw: 'Not tainted', letters: [],
      release: '5.11.0-rc6+', build: '#19',
    },
    {
      name: 'tainted B and W, old kernel',
      line: lineOf('arm64-list-poison-paging-request.txt', /^CPU: /),
      cpu: 2, pid: 12170, comm: 'syz-executor', taintRaw: 'G    BU', letters: ['B', 'U'],
      release: '3.18.0', build: '#78',
    },
  ];
  test.each(rows)('$name', (row) => {
    const got = parseCpuLine(row.line);
    expect(got?.cpu).toBe(row.cpu);
    expect(got?.pid).toBe(row.pid);
    expect(got?.comm).toBe(row.comm);
    expect(got?.taint?.raw).toBe(row.taintRaw);
    expect(got?.taint?.flags.map((f) => f.letter)).toEqual(row.letters);
    expect(got?.kernel).toEqual({ release: row.release, build: row.build });
  });

  test('the UID field of 6.x', () => {
    expect(parseCpuLine(lineOf('riscv-warning-verbose-taint.txt', /^CPU: /))?.uid).toBe(0);
  });

  test('a line cut after the comm keeps what it has', () => {
    const line = lineOf('x86-null-deref-write-lkdtm.txt', /^CPU: /);
    expect(parseCpuLine(line.slice(0, line.indexOf(' Tainted')))).toEqual({ cpu: 0, pid: 112, comm: 'sh' });
  });

  test('other lines are not CPU lines', () => {
    expect(parseCpuLine(lineOf('x86-null-deref-write-lkdtm.txt', /^Hardware name/))).toBeUndefined();
    expect(parseCpuLine(lineOf('x86-soft-lockup-lkdtm.txt', /soft lockup/))).toBeUndefined();
  });
});

describe('parseTaint', () => {
  test('every letter is explained from the table, G is not a flag', () => {
    const t = parseTaint('G    B   W  O      ');
    expect(t.tainted).toBe(true);
    expect(t.flags).toEqual([
      { letter: 'B', bit: 5, meaning: 'bad page referenced or unexpected page flags' },
      { letter: 'W', bit: 9, meaning: 'kernel issued a warning' },
      { letter: 'O', bit: 12, meaning: 'out-of-tree module loaded' },
    ]);
  });
  test('P is bit 0 (proprietary module)', () => {
    expect(parseTaint('P           O ').flags.map((f) => [f.letter, f.bit])).toEqual([['P', 0], ['O', 12]]);
  });
  test('an unknown letter is kept with meaning "unknown"', () => {
    expect(parseTaint('G   V').flags).toEqual([{ letter: 'V', bit: -1, meaning: 'unknown' }]);
  });
  test('Not tainted', () => {
    expect(parseTaint('Not tainted')).toEqual({ raw: 'Not tainted', tainted: false, flags: [] });
  });
  test('the table has one row per bit 0..19 with distinct letters', () => {
    expect(TAINT_FLAGS.map((r) => r.bit)).toEqual([...Array(20).keys()]);
    expect(new Set(TAINT_FLAGS.map((r) => r.letter)).size).toBe(20);
  });
  test('verbose form from a real 6.x log: `Tainted: [L]=SOFTLOCKUP`', () => {
    const line = lineOf('riscv-warning-verbose-taint.txt', /^Tainted: \[/);
    expect(parseVerboseTaint(line.slice('Tainted: '.length)).flags).toEqual([{ letter: 'L', bit: 14, meaning: 'soft lockup occurred' }]);
    expect(parseTaint(line.slice('Tainted: '.length)).flags[0]?.bit).toBe(14);
  });
});

describe('taint and version without a CPU line', () => {
  test('lockdep `4.15.0+ #221 Not tainted`', () => {
    const got = parseVersionThenTaint(lineOf('lockdep-circular-old-format.txt', /Not tainted$/));
    expect(got?.kernel).toEqual({ release: '4.15.0+', build: '#221' });
    expect(got?.taint?.tainted).toBe(false);
  });
});

describe('parseHardwareLine', () => {
  test.each([
    ['x86-null-deref-write-lkdtm.txt', { name: 'QEMU Standard PC (i440FX + PIIX, 1996)', bios: '1.16.2-debian-1.16.2-1 04/01/2014' }],
    ['kasan-uaf-read-alloc-free-aux.txt', { name: 'Google Google Compute Engine/Google Compute Engine', bios: 'Google 01/01/2011' }],
    ['riscv-warning-verbose-taint.txt', { name: 'riscv-virtio,qemu (DT)' }],
    ['arm-paging-request-backtrace.txt', { name: 'ARM-Versatile Express' }],
  ])('%s', (fixture, want) => {
    expect(parseHardwareLine(lineOf(fixture, /^Hardware name: /))).toEqual(want);
  });
});
