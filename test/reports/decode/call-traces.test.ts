import { describe, expect, test } from 'vitest';
import type { CallTrace } from '../../../src/reports/crash-report.js';
import { parseCallTraces } from '../../../src/reports/decode/call-traces.js';
import { parseFrameLine } from '../../../src/reports/decode/frame-line.js';
import { fixtureLines, lineOf } from './fixture-lines.js';

const traces = (fx: string) => parseCallTraces(fixtureLines(fx));
const labels = (stacks: CallTrace[]) => stacks.map((s) => s.label);
const names = (s: CallTrace | undefined) => (s?.frames ?? []).map((f) => f.function);

describe('parseCallTraces: x86-64', () => {
  test('lab NULL write: <TASK> frames, `?` unreliable frames, module frames', () => {
    const { stacks, corruptedReasons } = traces('x86-null-deref-write-lkdtm.txt');
    expect(corruptedReasons).toEqual([]);
    expect(labels(stacks)).toEqual(['main']);
    const main = stacks[0];
    expect(main?.frames).toHaveLength(12);
    expect(main?.frames[0]).toEqual({ function: 'direct_entry.cold', offset: '18', size: '24', module: 'lkdtm', reliable: true, context: 'task', raw: 'direct_entry.cold+0x18/0x24 [lkdtm]' });
    expect(main?.frames[4]?.function).toBe('do_syscall_64');
    expect(main?.frames[5]).toMatchObject({ function: 'filemap_map_pages', reliable: false });
    expect(main?.frames.every((f) => f.context === 'task')).toBe(true);
    expect(main?.frames.at(-1)?.function).toBe('entry_SYSCALL_64_after_hwframe');
  });

  test('BUG then panic: the oops stack is main, the panic stack is other', () => {
    const { stacks } = traces('x86-warning-panic-on-warn-lkdtm.txt');
    expect(labels(stacks)).toEqual(['main', 'other']);
    expect(stacks[1]?.frames.slice(0, 2).map((f) => f.function)).toEqual(['dump_stack_lvl', 'panic']);
    // Frames after the exception's register dump still belong to the panic stack.
    expect(names(stacks[1])).toContain('direct_entry.cold');
    expect(stacks[1]?.frames).toHaveLength(28);
  });

  test('pre-4.x: `<IRQ>  [<addr>] func` on one line, `<EOI>`, an interleaved line', () => {
    const { stacks } = traces('x86-rcu-stall-old-irq-eoi.txt');
    const main = stacks[0];
    expect(main?.frames).toHaveLength(31);
    expect(main?.frames[0]).toMatchObject({ address: 'ffffffff813a0886', function: '_sched_show_task', offset: '2a6', size: '4f0', context: 'irq', reliable: true });
    expect(main?.frames[1]).toMatchObject({ function: '_sched_show_task', reliable: false, context: 'irq' });
    expect(main?.frames[14]).toMatchObject({ function: 'smp_apic_timer_interrupt_entry_after_kaiser_bti', context: 'irq' });
    // `<EOI>  [<…>] ? _raw_spin_unlock_irqrestore`: first frame back on the task stack.
    expect(main?.frames[15]).toMatchObject({ function: '_raw_spin_unlock_irqrestore', reliable: false, context: 'task' });
    // `executing program` from user space sat between two frames.
    expect(names(main).slice(20, 22)).toEqual(['bpf_map_free_deferred', 'process_one_work']);
  });

  test('RCU stall: the NMI backtrace is main (cpu 0), the GP kthread stack is labelled', () => {
    const { stacks } = traces('x86-rcu-self-detected-nmi-backtrace.txt');
    expect(stacks.map((s) => [s.label, s.task])).toEqual([['main', 'cpu 0'], ['rcu-gp-kthread', 'rcu_sched:11']]);
    const nmi = stacks.find((s) => s.label === 'main');
    expect(nmi?.frames[0]).toMatchObject({ function: 'dump_stack', context: 'irq' });
    expect(nmi?.frames[12]).toMatchObject({ function: 'asm_call_irq_on_stack', context: 'irq' });
    expect(nmi?.frames[13]).toMatchObject({ function: 'sysvec_apic_timer_interrupt', context: 'task' });
    // Two register dumps inside the stack do not end it.
    expect(nmi?.frames.at(-1)?.function).toBe('entry_SYSCALL_64_after_hwframe');
    expect(nmi?.frames).toHaveLength(25);
  });

  test('syzbot-symbolized frames: file:line and [inline]', () => {
    const { stacks } = traces('x86-syzbot-symbolized-inline.txt');
    const main = stacks[0];
    expect(main?.frames[0]).toEqual({ function: '__dump_stack', file: 'lib/dump_stack.c', line: 77, inlined: true, reliable: true, context: 'unknown', raw: '__dump_stack lib/dump_stack.c:77 [inline]' });
    expect(main?.frames[1]).toMatchObject({ function: 'dump_stack', offset: '172', size: '1f0', file: 'lib/dump_stack.c', line: 113 });
    expect(main?.frames[9]).toMatchObject({ function: 'invalid_op', file: 'arch/x86/entry/entry_64.S', line: 997 });
    expect(main?.frames).toHaveLength(24);
    expect(main?.frames.at(-1)).toMatchObject({ function: 'ret_from_fork', line: 413 });
  });

  test('another task\'s line right after `Call Trace:` does not lose the stack', () => {
    const { stacks } = traces('x86-page-fault-pf-lines-interleaved.txt');
    expect(stacks[0]?.frames[0]).toMatchObject({ function: 'device_del', offset: '91a', size: 'd30' });
    expect(stacks[0]?.frames).toHaveLength(42);
  });

  test('every frame unreliable, RIP in nowhere', () => {
    const { stacks } = traces('x86-null-exec-bad-rip.txt');
    expect(stacks[0]?.frames).toHaveLength(21);
    expect(stacks[0]?.frames.every((f) => !f.reliable)).toBe(true);
  });

  test('`Call Trace:` with nothing after it', () => {
    expect(traces('x86-stack-protector-empty-trace.txt')).toEqual({ stacks: [], corruptedReasons: ['call trace truncated'] });
  });

  test('a frame line cut by the console keeps the symbol (a real stack, last line truncated here)', () => {
    const lines = fixtureLines('x86-null-deref-write-lkdtm.txt');
    const at = lines.findIndex((l) => l.includes('ksys_write+0x6b/0xf0'));
    const cut = [...lines.slice(0, at), ' ksys_write+0x6', ...lines.slice(at + 1)];
    const got = parseCallTraces(cut).stacks[0]?.frames[3];
    expect(got).toMatchObject({ function: 'ksys_write', offset: '6' });
  });

  test('an open <TASK> at the end of the input is a truncated trace', () => {
    const lines = fixtureLines('x86-null-deref-write-lkdtm.txt');
    const at = lines.findIndex((l) => l.includes('vfs_write+0xc7'));
    const got = parseCallTraces(lines.slice(0, at + 1));
    expect(got.corruptedReasons).toEqual(['call trace truncated']);
    expect(names(got.stacks[0])).toEqual(['direct_entry.cold', 'full_proxy_write', 'vfs_write']);
  });
});

describe('parseCallTraces: sanitizer and debug stacks', () => {
  test('KASAN: main, allocated, freed, last-call, page owner stacks with their tasks', () => {
    const { stacks } = traces('kasan-uaf-read-alloc-free-aux.txt');
    expect(stacks.map((s) => [s.label, s.task, s.frames.length])).toEqual([
      ['main', undefined, 28], ['allocated', '18344', 8], ['freed', '8', 11], ['last-call', undefined, 13],
      ['page-allocated', '3602', 15], ['page-freed', undefined, 15],
    ]);
    expect(stacks[1]?.frames[0]).toMatchObject({ function: '____kasan_kmalloc', context: 'unknown' });
    expect(stacks[2]?.frames[4]?.function).toBe('kfree');
  });

  test('KFENCE: the access stack and the allocation stack', () => {
    const { stacks } = traces('kfence-memory-corruption.txt');
    expect(stacks.map((s) => [s.label, s.task, s.frames.length])).toEqual([['main', undefined, 5], ['allocated', '120', 6]]);
    expect(stacks[0]?.frames[0]?.function).toBe('test_corruption');
  });

  test('KMSAN: frames right after the report line, the origin, then the panic', () => {
    const { stacks } = traces('kmsan-uninit-local-variable.txt');
    expect(labels(stacks)).toEqual(['main', 'local-variable', 'other']);
    expect(stacks[0]?.frames[0]?.function).toBe('prepare_task_switch');
    expect(stacks[1]?.frames.map((f) => f.function)).toEqual(['step_into', 'path_openat']);
    expect(stacks[2]?.frames.at(-1)).toMatchObject({ function: 'context_switch', inlined: true, file: 'kernel/sched/core.c', line: 4302 });
  });

  test('KCSAN: the two racing accesses', () => {
    const { stacks } = traces('kcsan-data-race.txt');
    expect(stacks.map((s) => [s.label, s.task, s.frames.length])).toEqual([['race-access-1', '1082', 8], ['race-access-2', 'interrupt', 13]]);
  });

  test('kmemleak: address, symbol and source of each frame', () => {
    const { stacks } = traces('kmemleak-backtrace.txt');
    expect(stacks[0]?.label).toBe('allocated');
    expect(stacks[0]?.task).toBe('executor:11746');
    expect(stacks[0]?.frames[0]).toMatchObject({ address: 'ffffffff848a2f5f', function: 'sock_kmalloc', offset: '7f', file: 'net/core/sock.c', line: 1774 });
    expect(stacks[0]?.frames).toHaveLength(6);
  });

  test('SLUB debug: `Allocated in …` and `Freed in …` stacks', () => {
    const { stacks } = traces('x86-slub-poison-overwritten-lkdtm.txt');
    // The report's own trace comes first, then the object's allocation and free stacks.
    expect(labels(stacks)).toEqual(['main', 'allocated', 'freed', 'other']);
    expect(stacks.slice(1, 3).map((s) => [s.label, s.task, s.frames.length])).toEqual([['allocated', '112', 8], ['freed', '112', 6]]);
  });

  test('lockdep (4.15): one stack per dependency-chain link, then the report stack', () => {
    const { stacks } = traces('lockdep-circular-old-format.txt');
    expect(stacks.map((s) => [s.label, s.frames.length])).toEqual([['main', 64], ['lock-chain-2', 14], ['lock-chain-1', 12], ['lock-chain-0', 8]]);
    expect(stacks.find((s) => s.label === 'lock-chain-2')?.frames[0]?.function).toBe('__mutex_lock');
  });

  test('lockdep (6.15): `{+.+.}-{4:4}:` links, Rust and C++ mangled names', () => {
    const { stacks } = traces('lockdep-circular-modern.txt');
    expect(labels(stacks)).toEqual(['main', 'lock-chain-2', 'lock-chain-1', 'lock-chain-0']);
    expect(names(stacks[2])).toContain('_RNvXCsktjF9JQNZ8U_5rnullNtB2_13NullBlkModuleNtCs43vyB533jt3_6kernel13InPlaceModule4init');
    expect(names(stacks[3])).toContain('_Z8fakeNameiii');
  });
});

describe('parseCallTraces: hung tasks', () => {
  test('lab hung task: the blocked task is main and named', () => {
    const { stacks } = traces('x86-hung-task-lkdtm.txt');
    expect(stacks.map((s) => [s.label, s.task, s.frames.length])).toEqual([['main', 'sh:112', 12], ['other', undefined, 7]]);
  });
  test('arm64 `(T)` frame suffix', () => {
    const { stacks } = traces('arm64-hung-task-io-wait.txt');
    expect(stacks[0]?.task).toBe('udevd:5612');
    expect(stacks[0]?.frames[0]).toMatchObject({ function: '__switch_to', offset: '2b0', size: '6e0', reliable: true, raw: '__switch_to+0x2b0/0x6e0 (T)' });
    expect(stacks[0]?.frames).toHaveLength(26);
    expect(stacks[0]?.frames.at(-1)?.function).toBe('el0t_64_sync');
  });
  test('a comm of binary garbage split over two lines does not lose the stack', () => {
    const { stacks } = traces('x86-hung-task-compat-garbled-comm.txt');
    expect(stacks[0]?.label).toBe('main');
    expect(stacks[0]?.frames[0]).toMatchObject({ function: '__schedule', context: 'task' });
    expect(stacks[0]?.frames.at(-1)?.function).toBe('entry_SYSENTER_compat_after_hwframe');
  });
});

describe('parseCallTraces: other architectures', () => {
  test('powerpc `[sp] [nip] func+0x…` and `(unreliable)`', () => {
    const { stacks } = traces('powerpc-hung-task.txt');
    const main = stacks[0];
    expect(main?.frames).toHaveLength(13);
    expect(main?.frames[0]).toMatchObject({ function: '0xc000000049a875a0', address: 'c000000049a875a0', reliable: false });
    expect(main?.frames[1]).toMatchObject({ function: '__switch_to', offset: '43c', size: '6d0', address: 'c0000000000286fc', reliable: true });
    expect(main?.frames.at(-1)?.function).toBe('ret_from_except_lite');
  });
  test('32-bit arm `[<pc>] (func) from [<lr>] (caller+0x…)`, the last caller kept, headerless stacks', () => {
    const { stacks } = traces('arm-paging-request-backtrace.txt');
    expect(labels(stacks)).toEqual(['main', 'other']);
    expect(names(stacks[0])).toEqual(['io_serial_out', 'serial8250_do_set_ldisc', 'serial8250_set_ldisc', 'uart_set_ldisc', 'tty_set_ldisc', 'tty_ioctl', 'sys_ioctl', '__sys_trace_return']);
    expect(stacks[0]?.frames[0]).toMatchObject({ address: '8078e15c' });
    expect(stacks[0]?.frames[7]).toMatchObject({ address: '80100260', offset: '0', size: '20' });
    // The stopped CPU's stack had no `Backtrace:` line; `Exception stack(…)` dumps sit inside it.
    expect(names(stacks[1])).toContain('__irq_svc');
    expect(names(stacks[1]).at(-1)).toBe('__enable_mmu');
  });
  test('32-bit arm with saved registers after each frame (` r10:8336a068 r9:…`)', () => {
    const { stacks } = traces('arm-backtrace-per-frame-regs.txt');
    expect(stacks).toHaveLength(1);
    expect(stacks[0]?.frames).toHaveLength(26);
    expect(names(stacks[0]).slice(0, 3)).toEqual(['dump_backtrace', 'show_stack', 'dump_stack']);
    expect(names(stacks[0]).at(-1)).toBe('ret_fast_syscall');
  });
  test('riscv `[<addr>] func+0x…` without a header', () => {
    const { stacks } = traces('riscv-warning-verbose-taint.txt');
    expect(stacks[0]?.frames.map((f) => [f.address, f.function])).toEqual([
      ['ffffffff80014264', 'io_ring_exit_work'], ['ffffffff801c2668', 'process_one_work'], ['ffffffff801c408c', 'worker_thread'],
      ['ffffffff801e3054', 'kthread'], ['ffffffff80069946', 'ret_from_fork_kernel'], ['ffffffff863b21b2', 'ret_from_fork_kernel_asm'],
    ]);
  });
  test('arm64 plain frames', () => {
    const { stacks } = traces('arm64-paging-request-esr-interleaved.txt');
    expect(names(stacks[0])).toEqual(['selinux_socket_sendmsg', 'security_socket_sendmsg', 'sock_sendmsg', 'kernel_sendmsg', 'vhci_send_cmd_submit', 'vhci_tx_loop', 'kthread', 'ret_from_fork']);
  });
});

describe('parseFrameLine', () => {
  test('markers', () => {
    expect(parseFrameLine(lineOf('x86-null-deref-write-lkdtm.txt', /<TASK>/))).toEqual({ kind: 'marker', marker: 'TASK', closing: false });
    expect(parseFrameLine(lineOf('x86-null-deref-write-lkdtm.txt', /<\/TASK>/))).toEqual({ kind: 'marker', marker: 'TASK', closing: true });
  });
  test('prose with `+0x` is not a frame', () => {
    expect(parseFrameLine(lineOf('kasan-uaf-read-alloc-free-aux.txt', /^BUG: KASAN/))).toBeUndefined();
    expect(parseFrameLine(lineOf('lockdep-circular-old-format.txt', /^ #0: /))).toBeUndefined();
    expect(parseFrameLine(lineOf('x86-null-deref-write-lkdtm.txt', /^RIP: 0010/))).toBeUndefined();
  });
});
