import { describe, expect, test } from 'vitest';
import { parseRegisterLine, parseRegisters } from '../../../src/reports/decode/registers.js';
import { fixtureLines, lineOf } from './fixture-lines.js';

describe('parseRegisters', () => {
  test('x86-64 kernel dump: every line of __show_regs', () => {
    const got = parseRegisters(fixtureLines('x86-null-deref-write-lkdtm.txt'));
    expect(got.interleaved).toBe(false);
    expect(got.registers?.arch).toBe('x86_64');
    expect(got.registers?.values).toEqual({
      SS: '0018', RSP: 'ffffd20a805bbbb8', EFLAGS: '00000286',
      RAX: 'ffffffffc02cd4a0', RBX: '000000000000000a', RCX: 'c0000000ffffefff',
      RDX: '0000000000000000', RSI: '00000000ffffefff', RDI: 'ffffffffc02d8e60',
      RBP: 'ffff8d6d02a70000', R08: '0000000000000000', R09: 'ffffd20a805bba58',
      R10: '0000000000000003', R11: 'ffffffffb32d2328', R12: 'ffffffffc02d8e60',
      R13: 'ffffd20a805bbcb8', R14: '000000000000000a', R15: 'ffffd20a805bbcb8',
      FS: '00000000008513c0', GS: 'ffff8d6d07a00000', knlGS: '0000000000000000',
      CS: '0010', DS: '0000', ES: '0000', CR0: '0000000080050033',
      CR2: '0000000000000000', CR3: '0000000002aee000', CR4: '00000000000006b0',
    });
    expect(got.ip).toMatchObject({ function: 'lkdtm_EXCEPTION', segment: '0010' });
  });

  test('the kernel dump is chosen over the user regs at the end of the stack', () => {
    const got = parseRegisters(fixtureLines('kasan-gpf-null-ptr-deref-range.txt'));
    expect(got.registers?.values.RSP).toBe('ffffc9000e01f4a0');
    expect(got.registers?.values.RAX).toBe('dffffc0000000000');
    expect(got.registers?.values.DR7).toBe('0000000000000400');
    expect(got.registers?.values.ORIG_RAX).toBeUndefined();
  });

  test('only user regs (sysrq panic from a syscall): they are returned, with ORIG_RAX and the user RIP', () => {
    const got = parseRegisters(fixtureLines('x86-sysrq-panic-user-regs.txt'));
    expect(got.registers?.values).toMatchObject({ RIP: '47b7a0', SS: '002b', ORIG_RAX: '0000000000000001', RAX: 'ffffffffffffffda' });
    expect(got.ip?.segment).toBe('0033');
  });

  test('PKRU', () => {
    expect(parseRegisters(fixtureLines('kfence-invalid-read-regs.txt')).registers?.values.PKRU).toBe('55555554');
  });

  test('two CPUs printing at once are flagged, first values kept', () => {
    const got = parseRegisters(fixtureLines('x86-old-pf-error-interleaved-cpus.txt'));
    expect(got.interleaved).toBe(true);
    expect(got.registers?.values.RSP).toBe('ffff888216f8c000');
    expect(got.ip?.function).toBe('__udp6_lib_lookup');
  });

  test('arm64: pstate, sp, x0..x29 three to a line', () => {
    const got = parseRegisters(fixtureLines('arm64-paging-request-esr-fsc.txt'));
    expect(got.registers?.arch).toBe('arm64');
    expect(got.registers?.values).toMatchObject({ pstate: '604000c5', sp: 'ffff80001289b8b0', x29: 'ffff80001289b990', x9: '30785d1575e13b00', x0: 'ffff80000cb555a1', x1: '0000000100000001' });
    expect(Object.keys(got.registers?.values ?? {})).toHaveLength(32);
    expect(got.ip?.function).toBe('__lock_acquire');
    expect(got.lr?.offset).toBe('7c0');
  });

  test('arm64, two to a line (5.x)', () => {
    const got = parseRegisters(fixtureLines('arm64-paging-request-esr-interleaved.txt'));
    expect(got.registers?.values).toMatchObject({ x21: 'dfffa00000000000', x0: '0000000000000018', pstate: '80000005' });
  });

  test('old arm64: PC is at / LR is at, then the addresses', () => {
    const got = parseRegisters(fixtureLines('arm64-list-poison-paging-request.txt'));
    expect(got.registers).toEqual({ arch: 'arm64', values: { pc: 'ffffffc000d394c4', lr: 'ffffffc000d394c4', pstate: '200001c5', sp: 'ffffffc016113990' } });
    expect(got.ip).toMatchObject({ function: '_snd_timer_stop.constprop.9', address: 'ffffffc000d394c4' });
  });

  test('32-bit arm: r0..r10, fp, ip, psr, Control/Table/DAC', () => {
    const got = parseRegisters(fixtureLines('arm-paging-request-backtrace.txt'));
    expect(got.registers?.arch).toBe('arm');
    expect(got.registers?.values).toMatchObject({ pc: '8078e15c', lr: '8078e144', psr: '20000093', sp: '9e4ffe10', ip: '00000002', fp: '00000000', r10: '82c92c74', r3: 'fee00001', r0: '811b9fa8', Control: '10c5387d', DAC: '00000051' });
    expect(got.ip).toMatchObject({ function: 'io_serial_out', address: '8078e15c' });
    expect(got.lr).toMatchObject({ function: 'io_serial_out', offset: '28', address: '8078e144' });
  });

  test('riscv: epc/ra/sp, s0..s11, a0..a7, status/badaddr/cause', () => {
    const got = parseRegisters(fixtureLines('riscv-warning-verbose-taint.txt'));
    expect(got.registers?.arch).toBe('riscv');
    expect(got.registers?.values).toMatchObject({ epc: 'ffffffff80014264', ra: 'ffffffff80014264', gp: 'ffffffff89f9adc0', s10: '1ffff5f006f82800', a0: '0000000000000007', status: '0000000200000120', badaddr: 'ffffffff80014264', cause: '0000000000000003' });
    expect(got.ip).toMatchObject({ function: 'io_ring_exit_work', address: 'ffffffff80014264' });
  });

  test('arm per-frame saved registers are not a register dump', () => {
    expect(parseRegisters(fixtureLines('arm-backtrace-per-frame-regs.txt'))).toEqual({ interleaved: false });
  });

  test('no register dump', () => {
    expect(parseRegisters(fixtureLines('kcsan-data-race.txt'))).toEqual({ interleaved: false });
  });
});

describe('parseRegisterLine', () => {
  test('x86 FS/GS with selector suffixes', () => {
    expect(parseRegisterLine(lineOf('x86-null-deref-write-lkdtm.txt', /^FS: /))).toEqual([
      { name: 'FS', value: '00000000008513c0' }, { name: 'GS', value: 'ffff8d6d07a00000' }, { name: 'knlGS', value: '0000000000000000' },
    ]);
  });
  test('prose that merely contains `name: hex` is not a register line', () => {
    expect(parseRegisterLine(lineOf('x86-null-deref-write-lkdtm.txt', /^Hardware name/))).toEqual([]);
    expect(parseRegisterLine(lineOf('arm64-paging-request-esr-fsc.txt', /ESR = /))).toEqual([]);
  });
});
