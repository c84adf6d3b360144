import { describe, expect, test } from 'vitest';
import { decodeReportFields } from '../../../src/reports/decode/decode-report.js';
import { fixtureLines } from './fixture-lines.js';

const decode = (fx: string, kind?: Parameters<typeof decodeReportFields>[1]) => decodeReportFields(fixtureLines(fx), kind);

describe('decodeReportFields: whole reports', () => {
  test('x86-64 NULL pointer write (Debian 6.1, lkdtm under QEMU)', () => {
    const d = decode('x86-null-deref-write-lkdtm.txt');
    expect(d.corruptedReasons).toEqual([]);
    expect([d.cpu, d.pid, d.comm]).toEqual([0, 112, 'sh']);
    expect(d.kernel).toEqual({ release: '6.1.0-56-cloud-amd64', build: '#1 Debian 6.1.192-2' });
    expect(d.taint?.flags.map((f) => f.letter)).toEqual(['O', 'E']);
    expect(d.hardware?.name).toBe('QEMU Standard PC (i440FX + PIIX, 1996)');
    expect(d.ip).toMatchObject({ function: 'lkdtm_EXCEPTION', offset: '5', size: '20', module: 'lkdtm', segment: '0010' });
    expect(d.registers?.values.RAX).toBe('ffffffffc02cd4a0');
    expect(d.registers?.values.CR2).toBe('0000000000000000');
    expect(d.faultAddress).toMatchObject({ address: '0000000000000000', meaning: 'null-pointer', nullOffset: 0 });
    expect(d.pageFault).toMatchObject({ code: 2, write: true, protection: false });
    expect(d.code?.faultIndex).toBe(42);
    expect(d.code?.bytes[42]).toBe('c7');
    expect(d.stacks[0]?.frames[4]?.function).toBe('do_syscall_64');
    expect(d.modules).toEqual({ linked: [{ name: 'lkdtm', flags: ['O', 'E'] }, { name: 'pvpanic_mmio', flags: [] }, { name: 'pvpanic', flags: [] }, { name: 'qemu_fw_cfg', flags: [] }] });
    expect(d.panic).toEqual({ message: 'Fatal exception', reason: 'fatal-exception' });
  });

  test('x86-64 instruction fetch from NULL + 0x86, `Code: Bad RIP value.`', () => {
    const d = decode('x86-null-exec-bad-rip.txt');
    expect(d.faultAddress).toMatchObject({ meaning: 'null-pointer', nullOffset: 0x86 });
    expect(d.pageFault).toMatchObject({ code: 0x10, instructionFetch: true });
    expect(d.ip).toMatchObject({ address: '86', segment: '0010' });
    expect(d.code).toMatchObject({ unavailable: true, bytes: [] });
    expect(d.registers?.values.R12).toBe('dffffc0000000000');
  });

  test('x86-64 write to rodata: permissions violation on a kernel address', () => {
    const d = decode('x86-write-rodata-page-fault-lkdtm.txt');
    expect(d.faultAddress).toMatchObject({ address: 'ffffffffc0241160', meaning: 'kernel-space' });
    expect(d.pageFault).toMatchObject({ code: 3, write: true, protection: true });
  });

  test('KASAN general protection fault: NULL pointer behind a non-canonical address', () => {
    const d = decode('kasan-gpf-null-ptr-deref-range.txt');
    expect(d.faultAddress).toMatchObject({ address: 'dffffc0000000000', meaning: 'null-pointer', nullOffset: 0 });
    expect(d.details).toMatchObject({ kasanRange: '0000000000000000-0000000000000007', gpfAddress: 'dffffc0000000000' });
    expect(d.ip?.function).toBe('nl802154_add_llsec_key');
    expect(d.registers?.values.RSP).toBe('ffffc9000e01f4a0');
  });

  test('KASAN use-after-free: access, object, five auxiliary stacks', () => {
    const d = decode('kasan-uaf-read-alloc-free-aux.txt');
    expect(d.memoryAccess).toMatchObject({ bugType: 'use-after-free', access: 'read', size: 8, cache: 'kmalloc-96', pid: 18348 });
    expect(d.stacks.map((s) => s.label)).toEqual(['main', 'allocated', 'freed', 'last-call', 'page-allocated', 'page-freed']);
    expect(d.taint?.flags.map((f) => f.letter)).toEqual(['W']);
    // Only the user-mode registers at the end of the stack were printed: not the kernel's IP.
    expect(d.ip).toBeUndefined();
    expect(d.registers?.mode).toBe('user');
    expect(String(d.details.userModeIp)).toMatch(/^0x[0-9a-f]+$/);
    expect(d.faultAddress).toBeUndefined();
  });

  test('KFENCE invalid read: the accessing task comes from the CPU line', () => {
    const d = decode('kfence-invalid-read-regs.txt');
    expect(d.memoryAccess).toEqual({ bugType: 'invalid-access', access: 'read', address: 'ffff8c2aae20000a', task: 'kunit_try_catch', pid: 130 });
    expect(d.registers?.values.CR2).toBe('ffff8c2aae20000a');
  });

  test('arm64 KASAN paging request: shadow of NULL + 0x18, ESR decoded', () => {
    const d = decode('arm64-paging-request-esr-interleaved.txt');
    expect(d.registers?.arch).toBe('arm64');
    expect(d.faultAddress).toMatchObject({ address: 'dfffa00000000003', meaning: 'null-pointer', nullOffset: 0x18 });
    expect(d.details).toMatchObject({ esr: '96000004', ecName: 'DABT (current EL)', write: false, fscName: 'level 0 translation fault' });
    expect(d.lr).toMatchObject({ function: 'selinux_socket_sendmsg', offset: '18' });
    expect(d.code?.bytes[d.code.faultIndex ?? -1]).toBe('38e16841');
  });

  test('arm64 3.18 list poison: LIST_POISON1 + 8, write from the syndrome in the oops line', () => {
    const d = decode('arm64-list-poison-paging-request.txt');
    expect(d.faultAddress).toMatchObject({ meaning: 'poison', poison: 'LIST_POISON1' });
    expect(d.details).toMatchObject({ esr: '96000044', write: true });
    expect(d.taint?.flags.map((f) => f.letter)).toEqual(['B', 'U']);
    expect(d.corruptedReasons).toEqual([]);
  });

  test('32-bit arm oops', () => {
    const d = decode('arm-paging-request-backtrace.txt');
    expect(d.registers?.arch).toBe('arm');
    expect(d.faultAddress).toMatchObject({ address: 'fee00001', meaning: 'kernel-space' });
    expect(d.ip).toMatchObject({ function: 'io_serial_out', address: '8078e15c' });
    expect(d.stacks[0]?.frames).toHaveLength(8);
    expect(d.panic?.reason).toBe('fatal-exception');
  });

  test('riscv WARNING: 6.x CPU line, verbose taint line, location from the header', () => {
    const d = decode('riscv-warning-verbose-taint.txt');
    expect([d.cpu, d.pid, d.comm]).toEqual([0, 10040, 'kworker/u8:0']);
    expect(d.taint?.flags).toEqual([{ letter: 'L', bit: 14, meaning: 'soft lockup occurred' }]);
    expect(d.registers?.arch).toBe('riscv');
    expect(d.details).toEqual({ sourceFile: 'io_uring/io_uring.c', sourceLine: 3026 });
    expect(d.modules).toEqual({ linked: [] });
  });

  test('powerpc hung task: taint and version from the indented `Not tainted` line', () => {
    const d = decode('powerpc-hung-task.txt');
    expect(d.kernel).toEqual({ release: '5.1.0-rc3', build: '#1' });
    expect(d.taint?.tainted).toBe(false);
    expect(d.details).toMatchObject({ blockedComm: 'syz-executor.0', blockedPid: 18224, blockedSeconds: 143 });
    expect(d.stacks[0]?.frames).toHaveLength(13);
  });

  test('lab hung task with hung_task_panic', () => {
    const d = decode('x86-hung-task-lkdtm.txt');
    expect(d.details).toEqual({ blockedComm: 'sh', blockedPid: 112, blockedSeconds: 5, userModeIp: '0x47b7a0' });
    expect(d.ip).toBeUndefined();
    expect(d.panic?.reason).toBe('hung-task');
    expect(d.stacks[0]?.task).toBe('sh:112');
    // The CPU line is the watchdog thread's, printed by the panic.
    expect([d.pid, d.comm]).toEqual([23, 'khungtaskd']);
  });

  test('lab soft lockup with softlockup_panic', () => {
    const d = decode('x86-soft-lockup-lkdtm.txt');
    expect(d.details).toEqual({ stuckCpu: 0, stuckSeconds: 13, stuckComm: 'sh', stuckPid: 112 });
    expect(d.ip?.function).toBe('lkdtm_SOFTLOCKUP');
    expect(d.panic?.reason).toBe('soft-lockup');
  });

  test('syzbot soft lockup', () => {
    const d = decode('x86-soft-lockup-irq.txt');
    expect(d.details).toEqual({ stuckCpu: 1, stuckSeconds: 134, stuckComm: 'syz-executor0', stuckPid: 4569 });
    expect([d.cpu, d.pid, d.comm]).toEqual([1, 4569, 'syz-executor0']);
    expect(d.ip?.function).toBe('check_memory_region');
    expect(d.stacks[0]?.frames.map((f) => f.function).at(-2)).toBe('do_syscall_64');
  });

  test('lab OOM with panic_on_oom', () => {
    const d = decode('x86-oom-panic-on-oom-dd.txt');
    expect(d.oom?.trigger?.comm).toBe('dd');
    expect(d.panic?.reason).toBe('oom');
    expect(d.ip?.function).toBe('clear_user_rep_good');
  });

  test('lab stack-protector panic: no registers, a stack', () => {
    const d = decode('x86-stack-protector-lkdtm.txt');
    expect(d.registers).toBeUndefined();
    expect(d.panic?.reason).toBe('stack-protector');
    expect(d.stacks[0]?.frames[1]?.function).toBe('panic');
  });

  test('two CPUs oopsing at once', () => {
    const d = decode('x86-old-pf-error-interleaved-cpus.txt');
    expect(d.corruptedReasons).toEqual(['interleaved register dump', 'call trace truncated']);
    expect(d.faultAddress?.address).toBe('ffff888216edd110');
    expect(d.pageFault?.lines).toEqual(['#PF error: [normal kernel read fault]']);
  });

  test('the lone `CR2:` line at the end of an x86 page-fault oops gives the address when the BUG line is lost', () => {
    const lines = fixtureLines('x86-null-exec-bad-rip.txt').filter((l) => !l.startsWith('BUG: '));
    expect(decodeReportFields(lines).faultAddress).toMatchObject({ address: '0000000000000086', meaning: 'null-pointer', nullOffset: 0x86 });
  });

  test('the register holds the fault address when the kind says page fault and no line does', () => {
    const lines = fixtureLines('x86-null-deref-read-lkdtm.txt').filter((l) => !l.startsWith('BUG: ') && !/^CR2: \S+$/.test(l));
    const d = decodeReportFields(lines, { kind: 'null-pointer-dereference' });
    expect(d.faultAddress).toMatchObject({ address: '0000000000000000', meaning: 'null-pointer' });
    expect(decodeReportFields(lines).faultAddress).toBeUndefined();
  });
});
