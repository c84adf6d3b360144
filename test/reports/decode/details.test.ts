import { describe, expect, test } from 'vitest';
import { parseHeaderDetails } from '../../../src/reports/decode/header-details.js';
import { parseLockupDetails } from '../../../src/reports/decode/lockup-details.js';
import { parseMachineCheck } from '../../../src/reports/decode/machine-check.js';
import { parseKasanAccess, parseKasanRange, parseKfence, parseKmsan, parseSlubDebug } from '../../../src/reports/decode/memory-access.js';
import { parseModulesLinkedIn } from '../../../src/reports/decode/modules-linked-in.js';
import { parseOom } from '../../../src/reports/decode/oom.js';
import { parsePanicReason } from '../../../src/reports/decode/panic-reason.js';
import { fixtureLines, lineOf } from './fixture-lines.js';

describe('parseModulesLinkedIn', () => {
  test('flags in parentheses', () => {
    const lines = fixtureLines('x86-null-deref-write-lkdtm.txt');
    const at = lines.findIndex((l) => l.startsWith('Modules linked in:'));
    expect(parseModulesLinkedIn(lines, at)).toEqual({
      linked: [
        { name: 'lkdtm', flags: ['O', 'E'] }, { name: 'pvpanic_mmio', flags: [] }, { name: 'pvpanic', flags: [] }, { name: 'qemu_fw_cfg', flags: [] },
      ],
      lineCount: 1,
    });
  });
  test('empty list; the next line is not taken for a continuation', () => {
    const lines = fixtureLines('kasan-gpf-null-ptr-deref-range.txt');
    const at = lines.findIndex((l) => l.startsWith('Modules linked in:'));
    expect(parseModulesLinkedIn(lines, at)).toEqual({ linked: [], lineCount: 1 });
  });
  test('not a modules line', () => {
    expect(parseModulesLinkedIn([lineOf('x86-null-deref-write-lkdtm.txt', /^CPU: /)])).toBeUndefined();
  });
});

describe('memory access reports', () => {
  test('KASAN use-after-free read, object in kmalloc-96', () => {
    expect(parseKasanAccess(fixtureLines('kasan-uaf-read-alloc-free-aux.txt'))).toEqual({
      bugType: 'use-after-free', access: 'read', size: 8, address: 'ffff88801a663430', task: 'syz-executor.3', pid: 18348,
      objectAddress: 'ffff88801a663400', cache: 'kmalloc-96', objectSize: 96, relation: '48 bytes inside of',
    });
  });
  test('KASAN null-ptr-deref range under a GPF', () => {
    expect(parseKasanRange(fixtureLines('kasan-gpf-null-ptr-deref-range.txt'))).toEqual({ kind: 'null-ptr-deref', start: '0000000000000000', end: '0000000000000007' });
    expect(parseKasanAccess(fixtureLines('kasan-gpf-null-ptr-deref-range.txt'))).toBeUndefined();
  });
  test('KFENCE memory corruption in a kmalloc-32 object', () => {
    expect(parseKfence(fixtureLines('kfence-memory-corruption.txt'))).toEqual({
      bugType: 'memory corruption', address: 'ffff8c2aae24c020', relation: 'inside of',
      objectAddress: 'ffff8c2aae24c000', objectSize: 32, cache: 'kmalloc-32',
    });
  });
  test('KFENCE invalid read', () => {
    expect(parseKfence(fixtureLines('kfence-invalid-read-regs.txt'))).toEqual({ bugType: 'invalid-access', access: 'read', address: 'ffff8c2aae20000a' });
  });
  test('KMSAN uninit-value', () => {
    expect(parseKmsan(fixtureLines('kmsan-uninit-local-variable.txt'))).toEqual({ bugType: 'uninit-value' });
  });
  test('SLUB debug: poison overwritten after free', () => {
    expect(parseSlubDebug(fixtureLines('x86-slub-poison-overwritten-lkdtm.txt'))).toEqual({
      bugType: 'Poison overwritten', cache: 'kmalloc-1k', access: 'write', address: 'ffff893282ff0600', size: 4,
      objectAddress: 'ffff893282ff0400', relation: '512 bytes inside of',
    });
  });
});

describe('parseOom', () => {
  test('lab OOM with panic_on_oom: trigger, Mem-Info summary', () => {
    const got = parseOom(fixtureLines('x86-oom-panic-on-oom-dd.txt'));
    expect(got?.trigger).toEqual({ comm: 'dd', gfpMask: '0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO)', order: 0, oomScoreAdj: 0 });
    expect(got?.memorySummary[0]).toBe('Mem-Info:');
    expect(got?.memorySummary[1]).toBe('active_anon:503 inactive_anon:16669 isolated_anon:0');
    expect(got?.memorySummary.at(-1)).toBe('8938 pages reserved');
    expect(got?.memorySummary).toHaveLength(24);
    expect(got?.victim).toBeUndefined();
  });
  test('no OOM', () => {
    expect(parseOom(fixtureLines('x86-null-deref-write-lkdtm.txt'))).toBeUndefined();
  });
});

describe('parsePanicReason', () => {
  const want: Record<string, string> = {
    'Fatal exception in interrupt': 'fatal-exception-in-interrupt',
    'hung_task: blocked tasks': 'hung-task',
    'softlockup: hung tasks': 'soft-lockup',
    'scheduling while atomic': 'scheduling-while-atomic',
    'corrupted stack end detected inside scheduler': 'stack-end-corrupted',
    'Machine halted.': 'machine-halted',
    'synchronous external abort: Fatal exception': 'fatal-exception',
    'panic_on_kmsan set ...': 'panic-on-kmsan',
    'bad mode': 'bad-mode',
    'KASAN: panic_on_warn set ...': 'panic-on-warn',
    "Couldn't open N_TTY ldisc for ptm1 --- error -12.": 'other',
    'Attempted to kill init! exitcode=0x0000000b': 'init-killed',
    'kernel: panic_on_warn set ...': 'panic-on-warn',
  };
  test.each(fixtureLines('panic-lines-corpus.txt'))('%s', (line) => {
    const got = parsePanicReason(line);
    expect(got).toBeDefined();
    expect(got?.reason).toBe(want[got?.message ?? '']);
  });
  test.each([
    ['x86-sysrq-panic-user-regs.txt', 'sysrq triggered crash', 'sysrq'],
    ['x86-panic-dumptest-lkdtm.txt', 'dumptest', 'lkdtm'],
    ['x86-null-deref-write-lkdtm.txt', 'Fatal exception', 'fatal-exception'],
    ['x86-stack-protector-lkdtm.txt', 'stack-protector: Kernel stack is corrupted in: lkdtm_CORRUPT_STACK+0x42/0x4b [lkdtm]', 'stack-protector'],
    ['x86-oom-panic-on-oom-dd.txt', 'Out of memory: system-wide panic_on_oom is enabled', 'oom'],
    ['x86-slub-poison-overwritten-lkdtm.txt', 'panic_on_taint set ...', 'panic-on-taint'],
    ['arm64-paging-request-esr-fsc.txt', 'Oops: Fatal exception', 'fatal-exception'],
  ])('%s', (fx, message, reason) => {
    expect(parsePanicReason(lineOf(fx, /Kernel panic - not syncing/))).toEqual({ message, reason });
  });
});

describe('lockups and stalls', () => {
  test('soft lockup', () => {
    expect(parseLockupDetails(fixtureLines('x86-soft-lockup-lkdtm.txt'))).toEqual({ stuckCpu: 0, stuckSeconds: 13, stuckComm: 'sh', stuckPid: 112 });
  });
  test('hung task', () => {
    expect(parseLockupDetails(fixtureLines('x86-hung-task-lkdtm.txt'))).toEqual({ blockedComm: 'sh', blockedPid: 112, blockedSeconds: 5 });
  });
  test('hung task in I/O wait, comm with a colon in the pid part', () => {
    expect(parseLockupDetails(fixtureLines('arm64-hung-task-io-wait.txt'))).toEqual({ blockedComm: 'udevd', blockedPid: 5612, blockedIn: 'I/O wait', blockedSeconds: 143 });
  });
  test('RCU self-detected stall', () => {
    expect(parseLockupDetails(fixtureLines('x86-rcu-self-detected-nmi-backtrace.txt'))).toEqual({
      rcuFlavor: 'rcu_sched', rcuStall: 'self-detected', stalledCpus: '0', stallJiffies: 10502, gracePeriod: 2601, callbacksQueued: 18, kthreadStarvedJiffies: 10494,
    });
  });
  test('RCU stall, old format `(detected by 0, t=… g=…, c=…, q=…)`', () => {
    expect(parseLockupDetails(fixtureLines('x86-rcu-stall-old-irq-eoi.txt'))).toEqual({
      rcuFlavor: 'rcu_sched', rcuStall: 'detected', detectedByCpu: 0, stallJiffies: 125002, gracePeriod: 6134, callbacksQueued: 11,
    });
  });
});

describe('header details', () => {
  test.each([
    ['x86-warning-panic-on-warn-lkdtm.txt', { sourceFile: 'drivers/misc/lkdtm/bugs.c', sourceLine: 85 }],
    ['x86-kernel-bug-invalid-opcode-lkdtm.txt', { sourceFile: 'drivers/misc/lkdtm/bugs.c', sourceLine: 78 }],
    ['x86-list-add-corruption-lkdtm.txt', { listCorruption: 'list_add', listCorruptionDetail: 'next->prev should be prev (ffffceb9805c3ad8), but was 0000000000000000. (next=ffffceb9805c3ae8).', sourceFile: 'lib/list_debug.c', sourceLine: 27 }],
    ['x86-stack-guard-page-lkdtm.txt', { stackGuardHit: 'TASK' }],
    ['kasan-gpf-null-ptr-deref-range.txt', { gpfAddress: 'dffffc0000000000' }],
    ['x86-slab-double-free-bug-lkdtm.txt', { sourceFile: 'mm/slub.c', sourceLine: 419 }],
  ])('%s', (fx, want) => {
    expect(parseHeaderDetails(fixtureLines(fx)).details).toEqual(want);
  });
  test('6.x WARNING form names CPU and task', () => {
    expect(parseHeaderDetails(fixtureLines('riscv-warning-verbose-taint.txt'))).toEqual({
      details: { sourceFile: 'io_uring/io_uring.c', sourceLine: 3026 }, cpu: 0, pid: 10040, comm: 'kworker/u8:0',
    });
  });
});

describe('parseMachineCheck', () => {
  test('the EDAC driver banner at boot is not an error', () => {
    expect(parseMachineCheck(fixtureLines('edac-banner-boot-line.txt'))).toEqual({});
  });
  test('a crash without hardware errors has no MCE details', () => {
    expect(parseMachineCheck(fixtureLines('x86-null-deref-write-lkdtm.txt'))).toEqual({});
  });
});
