import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/cli/analyze-command.js';
import { canonicalFunction, isSkippedFrame, stripCompilerSuffix, stripWrapperPrefix } from '../../src/analysis/skip-frames.js';
import { normalize } from '../../src/analysis/title.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'reports');
const first = async (file: string) => {
  const r = await analyze({ inputs: [join(FIXTURES, file)], inputFormat: 'auto', format: 'json', knownIssues: [], exitCode: false, color: false });
  return r.reports;
};

describe('bucket', () => {
  it('the same crash at other addresses (KASLR on, kdump armed / nokaslr) shares a bucket; another crash does not', async () => {
    const [kdump] = await first('x86-null-deref-write-kdump-lkdtm.log');
    const [nokaslr] = await first('x86-null-deref-write-nokaslr-lkdtm.log');
    const [read] = await first('x86-null-deref-read-lkdtm.log');
    expect(kdump?.ip?.raw).toBe(nokaslr?.ip?.raw);
    expect(kdump?.registers?.values['RBP']).not.toBe(nokaslr?.registers?.values['RBP']);
    expect(kdump?.bucket).toMatch(/^[0-9a-f]{16}$/);
    expect(kdump?.bucket).toBe(nokaslr?.bucket);
    expect(read?.bucket).not.toBe(kdump?.bucket);
  });

  it('an incident\'s reports get different buckets (the WARNING and the panic it caused)', async () => {
    const [warning, panic] = await first('x86-warning-panic-on-warn-lkdtm.log');
    expect(panic?.title).toBe('kernel panic: panic_on_warn set');
    expect(warning?.bucket).not.toBe(panic?.bucket);
  });
});

describe('culprit rules', () => {
  it('skips the machinery every report shares, strips compiler and wrapper decorations', () => {
    for (const f of ['dump_stack_lvl', 'panic', '__warn', 'kasan_report', '__kasan_check_read', 'kmem_cache_free', '_raw_spin_lock_irqsave', 'mutex_lock_nested', 'do_syscall_64', 'entry_SYSCALL_64_after_hwframe', '__schedule', 'memcpy', 'copy_from_user'])
      expect(isSkippedFrame(f), f).toBe(true);
    for (const f of ['lkdtm_EXCEPTION', 'ext4_xattr_set_entry', 'nl802154_add_llsec_key', 'tty_release', 'rtnl_lock'])
      expect(isSkippedFrame(f), f).toBe(false);
    // Library and infrastructure code, by where it lives (rules/skip-frames.txt): lib/, include/linux
    // helpers, kernel/time, kernel/workqueue.c, tracing, stack-trace collection, the kunit runner.
    for (const f of ['rb_next', 'crc32_le', 'csum_partial', 'print_hex_dump', 'find_next_bit', '_atomic_dec_and_lock', '__queue_work', 'xas_load', '__phys_addr', '__timer_delete_sync', 'get_taint', 'vpanic', 'stack_trace_save', '__traceiter_kfree', 'kunit_try_run_case', '__ubsan_handle_out_of_bounds'])
      expect(isSkippedFrame(f), f).toBe(true);
    for (const f of ['kfence_test_out_of_bounds_read', '__unwind_start']) expect(isSkippedFrame(f), f).toBe(false);
    expect(stripCompilerSuffix('__call_rcu.constprop.76')).toBe('__call_rcu');
    expect(stripCompilerSuffix('direct_entry.cold')).toBe('direct_entry');
    expect(stripWrapperPrefix('__x64_sys_ioctl')).toBe('sys_ioctl');
    expect(stripWrapperPrefix('SyS_futex')).toBe('futex');
    expect(stripWrapperPrefix('ksys_mount')).toBe('mount');
    expect(stripWrapperPrefix('ext4_file_write_iter')).toBe('ext4_file_write_iter');
    // One prefix goes, the one leaving the shortest name (syzbot's rule): the syscall itself.
    expect(stripWrapperPrefix('__do_sys_openat2')).toBe('openat2');
    expect(stripWrapperPrefix('__se_sys_mremap')).toBe('mremap');
    expect(stripWrapperPrefix('compat_SyS_mount')).toBe('mount');
    expect(stripWrapperPrefix('sys_memfd_secret')).toBe('memfd_secret');
    expect(stripWrapperPrefix('__x64_sys_memfd_secret')).toBe('sys_memfd_secret');
    expect(stripWrapperPrefix('__riscv_sys_ioctl')).toBe('sys_ioctl');
  });

  it('one family, one name: every RCU grace-period wait is synchronize_rcu, every cross-CPU call smp_call_function', () => {
    for (const f of ['synchronize_net', '__synchronize_srcu', 'synchronize_sched', 'synchronize_rcu_expedited'])
      expect(canonicalFunction(f), f).toBe('synchronize_rcu');
    for (const f of ['smp_call_function_single', 'on_each_cpu_cond', 'on_each_cpu']) expect(canonicalFunction(f), f).toBe('smp_call_function');
    expect(canonicalFunction('tty_release')).toBe('tty_release');
  });

  it('titles hold no address, number or line: equal crashes get equal titles', () => {
    expect(normalize("Couldn't open N_TTY ldisc for ptm1 --- error -12")).toBe("Couldn't open N_TTY ldisc for ptm1 --- error -NUM");
    expect(normalize('at 0xffff8880a1b2c3d4 in fs/ext4/inode.c:123')).toBe('at ADDR in fs/ext4/inode.c:LINE');
    expect(normalize('task syz-executor.3:12345 on CPU#1 from 10.128.0.7 in ip6_fragment+0x1052/0x2d80')).toBe('task syz-executor on CPU from IP in ip6_fragment');
  });
});
