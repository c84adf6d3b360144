import type { Picked } from './pick-frame.js';

/**
 * How to find the function a report is blamed on, per report family: which lines of the report
 * to read (the header's own `in func+0x…`, the `RIP:` line, a lock site, the call trace), which
 * frames the family always shares and must pass over, and how to choose among the rest. This is
 * the convention of syzkaller's pkg/report, which the syzbot titles kernel developers know use.
 */
export type Step = RegExp | 'trace';
export type Pick = (frames: readonly string[]) => Picked;

export interface FrameRecipe {
  /** Read top to bottom from the header line. */
  steps: readonly Step[];
  /** Tried when `steps` found no frame at all. */
  fallback?: readonly Step[];
  /** Words that, found anywhere in a frame's name, pass it over (on top of rules/skip-frames.txt). */
  skip?: readonly string[];
  /** Chooses among the frames found; the first one by default. */
  pick?: Pick;
  /** false: the frame is named by the report's own words (a lock site), the shared skip list does not apply. */
  skipShared?: false;
}

/** `name+0x` or `name.isra…`: the name part of a printed frame (old ppc64 prints `.name`). */
const FUNC = '\\.?([A-Za-z0-9_]+)[.+]';
/** A printed address: `[<ffffffff81234567>]`, `[ffff…]`, `[<0x…>]`. */
const PC = '\\[<?(?:0x)?[0-9a-f]+>?\\]';

const fn = (source: string): RegExp => new RegExp(source.replaceAll('{FUNC}', FUNC).replaceAll('{PC}', PC));

/** The faulting instruction: `RIP: 0010:func+0x…`, `IP: [<…>] func+0x…`, `pc : func+0x…`, `NIP [..] func+0x…`, `epc : func+0x…`. */
const IP_LINE = fn('(?:N?IP:? (?:(?:\\d+:)?(?:{PC} +){0,2}{FUNC}|\\d+:0x[0-9a-f]+|(?:\\d+:)?{PC} +\\[< *\\(null\\)>\\] +\\(null\\)|\\d+: +\\(null\\))|^\\s*(?:pc|epc) ?: (?:{PC} )?{FUNC}|^PC is at {FUNC})');
const TIMER_IRQ = /apic_timer_interrupt|__irq_svc|el1_irq|el1_interrupt|gic_handle_irq/;
const CALL_TRACE = /Call Trace:|Call trace:|^\s*Backtrace:/;

/**
 * CPU stalls loop somewhere in a loop of several functions; the stable name is the frame called
 * by the dispatcher that started the work (the syscall, the ioctl handler, the work item, the
 * timer, the protocol handler). These are the dispatchers.
 */
const STALL_ANCHORS: readonly RegExp[] = [
  /process_one_work|do_syscall_|do_fast_syscall_|sysenter_dispatch|tracesys_phase2|netif_receive_skb|do_softirq|call_timer_fn|_run_timers|run_timer_softirq|run_ksoftirqd|smpboot_thread_fn|^kthread$|tasklet_action|start_secondary|cpu_startup_entry|ret_from_fork/,
  /vfs_write|vfs_read|^new_sync_(?:read|write)$|vfs_iter_read|vfs_iter_write|do_iter_read|do_iter_write|vfs_ioctl|ksys_ioctl|compat_ioctl|compat_sys_ioctl|blkdev_driver_ioctl|blkdev_ioctl|^call_read_iter|^call_write_iter|do_iter_readv_writev|^call_mmap|mmap_region|do_mmap|do_dentry_open|vfs_open/,
  /^sock_sendmsg|^sock_recvmsg|^sock_release|^__sock_release|__sys_setsockopt|kernel_setsockopt|sock_common_setsockopt|__sys_listen|kernel_listen|sk_common_release|^sock_mmap|__sys_accept|kernel_accept|^sock_do_ioctl|^sock_ioctl|^compat_sock_ioctl|^nfnetlink_rcv_msg|^rtnetlink_rcv_msg|^netlink_dump|^(?:compat_)?(?:SYSC|SyS|__sys|___sys|__do_sys|__se_sys|__x64_sys)_(?:socketpair|connect|ioctl)/,
  /__fput|task_work_run|exit_to_usermode|exit_to_user_mode|smp_call_function|el0_svc|invoke_syscall|x64_sys_call|ret_fast_syscall/,
];

/** The frame just before the first dispatcher; a cross-CPU call is named for itself. */
export const stallFrame: Pick = (frames) => {
  let previous = frames[0] ?? '';
  for (const frame of frames) {
    if (STALL_ANCHORS.some((re) => re.test(frame))) {
      if (frame.includes('smp_call_function')) previous = 'smp_call_function';
      return { function: previous };
    }
    previous = frame;
  }
  return { corrupted: 'no dispatcher frame in the stall' };
};

/**
 * Hung tasks wait anywhere; two waits are one cause whoever waits: the RTNL lock and RCU grace
 * periods. Otherwise the first frame that is not itself waiting.
 */
const HANG_ANCHORS: readonly [RegExp, string | undefined][] = [
  [/rtnl_lock/, undefined],
  [/synchronize_(?:rcu|srcu|net|sched)/, 'synchronize_rcu'],
];
const WAITING = /sched|_lock|_slowlock|down|rwsem|completion|kthread|wait|synchronize|context_switch|__switch_to|cancel_delayed_work/;

export const hangFrame: Pick = (frames) => {
  for (const frame of frames) {
    const anchor = HANG_ANCHORS.find(([re]) => re.test(frame));
    if (anchor) return { function: anchor[1] ?? frame };
  }
  const running = frames.find((f) => !WAITING.test(f));
  return running ? { function: running } : { corrupted: 'every frame of the hung task is waiting' };
};

const trace = (...skip: string[]): FrameRecipe => ({ steps: [CALL_TRACE, 'trace'], ...(skip.length ? { skip } : {}) });
const ipThenTrace = (...skip: string[]): FrameRecipe => ({ steps: [IP_LINE, CALL_TRACE, 'trace'], ...(skip.length ? { skip } : {}) });
/** WARNINGs trap: the frames start at the trapping instruction; old kernels only print the trace. */
const warning = (...skip: string[]): FrameRecipe => ({
  steps: [fn(`(?:${IP_LINE.source}|--- interrupt: \\d+ at {FUNC})`), 'trace'],
  fallback: [CALL_TRACE, 'trace'],
  ...(skip.length ? { skip } : {}),
});
/** The function named on the first line after `anchor` that matches `line` (no frames skipped). */
const after = (anchor: RegExp, line: string): FrameRecipe => ({ steps: [anchor, fn(line)], skipShared: false });

/** VFS and page-cache helpers that WARN about the state their caller handed them. */
const CALLER_CHECKS = ['^(?:drop|inc|clear|set)_nlink$', '^mark_buffer_dirty$', '^(?:fast_)?dput$', '^iput$'];

/** Recipes by title family (the title text before ` in `). */
export const FRAME_RECIPES: readonly [RegExp, FrameRecipe, RegExp?][] = [
  // An IRQ-safe -> unsafe order is about where the safe lock became IRQ-safe.
  [/^possible deadlock/, { steps: [/which became \S+-irq-safe at:/, 'trace'], fallback: [/is trying to acquire/, fn('at: (?:{PC} +)?{FUNC}')] }, /-safe -> \S+-unsafe lock order/],
  [/^KASAN: (?:invalid|double)-free/, { steps: [fn('BUG: KASAN: [\\w -]+? in {FUNC}'), CALL_TRACE, 'trace'], skip: ['kmem_', 'slab_', 'kfree', 'vunmap', 'vfree'] }],
  [/^KASAN: /, { steps: [fn('BUG: KASAN: [\\w-]+ in {FUNC}'), CALL_TRACE, 'trace'] }],
  [/^KFENCE: /, { steps: [fn('BUG: KFENCE: [\\w -]+ in {FUNC}'), 'trace'], skip: ['kfree', 'kmem_', 'slab_', 'krealloc', 'kvfree'] }],
  [/^KMSAN: kernel-usb-infoleak/, { steps: [fn('BUG: KMSAN: [\\w-]+ in {FUNC}'), 'trace'], skip: ['usb_submit_urb', 'usb_start_wait_urb', 'usb_bulk_msg', 'usb_interrupt_msg', 'usb_control_msg'] }],
  [/^KMSAN: /, { steps: [fn('BUG: KMSAN: [\\w-]+ in {FUNC}'), 'trace'] }],
  [/^BUG: unable to handle kernel|^general protection fault|^stack segment fault|^Internal error|^Unhandled fault|^Oops/, ipThenTrace()],
  [/^BUG: spinlock /, trace('spin_', '_lock$')],
  [/^BUG: soft lockup/, { ...ipThenTrace(), pick: stallFrame }],
  [/^BUG: still has locks held/, after(/still has locks held!/, '{PC} +{FUNC}')],
  [/^(?:BUG|WARNING): lock held when returning to user space/, after(/leaving the kernel with locks still held/, 'at: (?:{PC} +)?{FUNC}')],
  [/^(?:BUG|WARNING): bad unlock balance/, { steps: [/is trying to release lock/, fn('(?:{PC} +|at: ){FUNC}'), CALL_TRACE, 'trace'], skip: ['print_unlock_imbalance_bug'] }],
  [/^BUG: held lock freed/, after(/held lock freed!/, '{PC} +{FUNC}')],
  [/^WARNING: held lock freed/, after(/held lock freed!/, 'at:(?: {PC})? +{FUNC}')],
  [/^BUG: sleeping function called from invalid context|^BUG: scheduling while atomic/, trace('schedule', 'preempt', 'might_resched', '__cond_resched')],
  [/^BUG: using \S+ in preemptible/, trace('preempt', 'debug_', 'processor_id', 'this_cpu')],
  [/^BUG: workqueue leaked lock/, { steps: [/workqueue leaked lock/, /last function: ([A-Za-z0-9_]+)/], skipShared: false }],
  [/^memory leak/, { steps: [/backtrace:/, 'trace'], skip: ['kmemleak', 'kmalloc', 'kcalloc', 'kzalloc', 'vmalloc', 'mmap', 'kmem', 'slab', 'alloc', 'create_object', 'idr_get', 'list_lru_init', 'kasprintf', 'kvasprintf', 'pcpu_create', 'strdup', 'strndup', 'memdup'] }],
  // The overflowing recursion is long and varies; name it for what started it, as stalls are.
  [/^BUG: stack guard page was hit/, { ...ipThenTrace(), pick: stallFrame }],
  [/^WARNING: ODEBUG bug/, warning('debug_', 'rcu', 'hrtimer_', 'timer_', 'work_', 'percpu_', 'kmem_', 'slab_', 'kfree', 'vunmap', 'vfree', '__free_', 'debug_check', 'kobject_')],
  [/^WARNING: bad usercopy|^BUG: bad usercopy/, warning('usercopy', '__check')],
  [/^WARNING: kobject bug/, warning('kobject_')],
  [/^WARNING: refcount bug/, warning('refcount', 'kobject_')],
  [/^WARNING: locking bug/, warning('lock_sock', 'release_sock')],
  [/^WARNING: kmalloc bug|^WARNING: zero-size vmalloc/, warning('kmalloc', 'kcalloc', 'kzalloc', 'krealloc', 'vmalloc', 'slab', 'kmem')],
  [/^WARNING: proc registration bug/, warning('proc_')],
  // The page allocator refused a request: blame whoever asked for that much.
  [/^WARNING$/, warning('alloc_pages', 'alloc_page_', 'alloc_frozen', 'kmalloc', 'kmem', 'slab', 'vmalloc', 'memdup'), / at mm\/page_alloc\.c:\d+ /],
  [/^WARNING: zero-size vmalloc/, warning('vmalloc')],
  [/^WARNING$/, warning(...CALLER_CHECKS, 'usb_start_wait_urb', 'usb_bulk_msg', 'usb_interrupt_msg', '__alloc_pages', '__alloc_frozen_pages')],
  [/^possible deadlock/, { steps: [fn('at: (?:{PC} +)?{FUNC}'), fn('at: (?:{PC} +)?{FUNC}'), 'trace'], skip: ['process_one_work', 'flush_workqueue', 'drain_workqueue', 'destroy_workqueue'] }],
  [/^inconsistent lock state/, { steps: [/takes:?$|takes\b/, fn('at: (?:{PC} +)?{FUNC}'), 'trace'] }],
  [/^(?:WARNING|INFO): suspicious RCU usage/, trace('rcu', 'kmem', 'slab', 'kmalloc', 'vmalloc', 'kcalloc', 'kzalloc')],
  // The stalled CPU's own frames start where the timer interrupt entered (x86 APIC, ARM GIC).
  [/^INFO: rcu detected stall/, { steps: [TIMER_IRQ, IP_LINE, 'trace'], fallback: [TIMER_IRQ, 'trace'], skip: ['apic_timer_interrupt', 'rcu', 'irq_svc', 'el1_irq', 'el1_interrupt', 'gic_handle_irq'], pick: stallFrame }],
  [/^INFO: trying to register non-static key/, trace('stack', 'lock', 'IRQ')],
  [/^INFO: task hung/, { ...trace(), pick: hangFrame }],
  [/^INFO: task can't die/, trace('schedule')],
  [/^kernel panic: stack is corrupted/, { steps: [fn('stack is corrupted in: {FUNC}')], fallback: [CALL_TRACE, 'trace'], skip: ['stack_chk'] }],
  [/^kernel panic: corrupted stack end/, { ...trace('schedule', 'retint_kernel'), pick: stallFrame }],
  [/^PANIC: double fault|^divide error|^invalid opcode/, { steps: [IP_LINE] }],
  [/^kernel BUG|^BUG: corrupted list/, ipThenTrace()],
  [/^UBSAN: /, trace('ubsan', 'overflow')],
  // Who allocated the page is what the page's state is about.
  [/^BUG: Bad page state/, { steps: [/page last allocated via/, 'trace'], skip: ['post_alloc_hook', 'get_page_from_freelist', 'alloc_pages', 'folio_alloc', 'filemap_get_folio', 'filemap_alloc', 'pagecache_get_page', 'prep_new_page', '__alloc_', 'alloc_page_'], fallback: [CALL_TRACE, 'trace'] }],
  [/^BUG: Bad page state/, trace('bad_page', 'free_page', 'free_pages', 'free_unref', 'page_frag', '__free_', 'release_pages', 'put_page', 'folio_put')],
];

export function recipeFor(family: string, header: string): FrameRecipe | undefined {
  return FRAME_RECIPES.find(([re, , headerRe]) => re.test(family) && (headerRe?.test(header) ?? true))?.[1];
}
