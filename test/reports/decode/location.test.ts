import { describe, expect, test } from 'vitest';
import { parseCodeLocation } from '../../../src/reports/decode/code-location.js';
import { parseInstructionPointer } from '../../../src/reports/decode/instruction-pointer.js';
import { lineOf } from './fixture-lines.js';

describe('parseCodeLocation', () => {
  test.each([
    ['func+off/size [module]', 'lkdtm_EXCEPTION+0x5/0x20 [lkdtm]', { function: 'lkdtm_EXCEPTION', offset: '5', size: '20', module: 'lkdtm' }],
    ['.isra/.constprop suffixes', '_snd_timer_stop.constprop.9+0x184/0x2b0', { function: '_snd_timer_stop.constprop.9', offset: '184', size: '2b0' }],
    ['64-bit size of a data symbol', 'data_area+0x0/0xffffffffffff76e0 [lkdtm]', { function: 'data_area', offset: '0', size: 'ffffffffffff76e0', module: 'lkdtm' }],
    ['user address', '0x7f395483bc8b', { address: '7f395483bc8b' }],
    ['old x86 `[<addr>]  [<addr>] func`', '[<ffffffff83408ca0>]  [<ffffffff83408ca0>] drm_legacy_newctx+0x190/0x290', { address: 'ffffffff83408ca0', function: 'drm_legacy_newctx', offset: '190', size: '290' }],
    ['syzbot file:line after the symbol', '__flush_work+0x740/0x880 kernel/workqueue.c:2911', { function: '__flush_work', offset: '740', size: '880' }],
  ])('%s', (_name, text, want) => {
    expect(parseCodeLocation(text)).toMatchObject(want);
  });
  test('not a location', () => {
    expect(parseCodeLocation('')).toBeUndefined();
    expect(parseCodeLocation('(ftrace buffer empty)')).toBeUndefined();
  });
});

describe('parseInstructionPointer', () => {
  test('x86 kernel RIP with module', () => {
    const got = parseInstructionPointer(lineOf('x86-null-deref-write-lkdtm.txt', /^RIP: 0010/));
    expect(got?.arch).toBe('x86_64');
    expect(got?.ip).toMatchObject({ segment: '0010', function: 'lkdtm_EXCEPTION', offset: '5', size: '20', module: 'lkdtm' });
  });
  test('x86 user RIP', () => {
    expect(parseInstructionPointer(lineOf('x86-null-deref-write-lkdtm.txt', /^RIP: 0033/))?.ip).toEqual({ raw: '0x47b7a0', address: '47b7a0', segment: '0033' });
  });
  test('x86 compat user RIP (0023)', () => {
    expect(parseInstructionPointer(lineOf('x86-hung-task-compat-garbled-comm.txt', /^RIP: /))?.ip).toMatchObject({ address: 'f7f07fcc', segment: '0023' });
  });
  test('syzbot RIP with a source location', () => {
    expect(parseInstructionPointer(lineOf('x86-syzbot-symbolized-inline.txt', /^RIP: 0010/))?.ip).toMatchObject({ function: '__flush_work', offset: '740' });
  });
  test('arm64 pc and lr', () => {
    const fx = 'arm64-paging-request-esr-fsc.txt';
    expect(parseInstructionPointer(lineOf(fx, /^pc : /))).toMatchObject({ arch: 'arm64', ip: { function: '__lock_acquire', offset: '7cc', size: '30a4' } });
    expect(parseInstructionPointer(lineOf(fx, /^lr : /))).toMatchObject({ arch: 'arm64', lr: { function: '__lock_acquire', offset: '7c0' } });
  });
  test('old arm64 `pc : [<…>] lr : [<…>] pstate:`', () => {
    const got = parseInstructionPointer(lineOf('arm64-list-poison-paging-request.txt', /^pc : /));
    expect(got).toMatchObject({ arch: 'arm64', ip: { address: 'ffffffc000d394c4' }, lr: { address: 'ffffffc000d394c4' } });
  });
  test('32-bit arm `PC is at` and `pc : [<…>] … psr:`', () => {
    const fx = 'arm-paging-request-backtrace.txt';
    expect(parseInstructionPointer(lineOf(fx, /^PC is at/))).toMatchObject({ arch: 'arm', ip: { function: 'io_serial_out', offset: '40', size: '48' } });
    expect(parseInstructionPointer(lineOf(fx, /^LR is at/))).toMatchObject({ arch: 'arm', lr: { function: 'io_serial_out', offset: '28' } });
    expect(parseInstructionPointer(lineOf(fx, /^pc : /))).toMatchObject({ arch: 'arm', ip: { address: '8078e15c' }, lr: { address: '8078e144' } });
  });
  test('riscv epc and ra', () => {
    const fx = 'riscv-warning-verbose-taint.txt';
    expect(parseInstructionPointer(lineOf(fx, /^epc : io/))).toMatchObject({ arch: 'riscv', ip: { function: 'io_ring_exit_work', offset: '44c', size: 'bc0' } });
    expect(parseInstructionPointer(lineOf(fx, /^ ra : /))).toMatchObject({ arch: 'riscv', lr: { function: 'io_ring_exit_work' } });
    expect(parseInstructionPointer(lineOf(fx, /^epc : f/))).toMatchObject({ ip: { address: 'ffffffff80014264' }, lr: { address: 'ffffffff80014264' } });
  });
  test('a frame or a register line is not an instruction pointer', () => {
    expect(parseInstructionPointer(lineOf('x86-null-deref-write-lkdtm.txt', /^RAX: /))).toBeUndefined();
    expect(parseInstructionPointer(lineOf('x86-null-deref-write-lkdtm.txt', /vfs_write/))).toBeUndefined();
  });
});
