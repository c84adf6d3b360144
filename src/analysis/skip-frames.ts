/**
 * Frames every report of a kind shares, which never name the culprit: the reporting machinery
 * (dump_stack, panic, __warn, sanitizer runtimes), allocator and freeing helpers, locking and RCU
 * primitives, string and user-copy helpers, and the entry code every syscall and interrupt goes
 * through. The culprit is the first frame of a trace that matches none of these.
 *
 * One regex per family, each anchored to the whole name. Keep the families sorted.
 */
export const SKIP_FRAMES: readonly RegExp[] = [
  // keep-sorted start
  /^_{0,2}(?:raw_)?(?:spin|read|write)_(?:un|try)?lock(?:_\w+)?$|^osq_lock$|^queued_\w+_lock\w*$/, // spinlocks and rwlocks
  /^(?:__)?arm64_sys_\w+$|^__(?:x64|ia32|se|do)_sys_\w+$|^(?:SyS|sys|ksys)_\w+$/, // syscall wrappers (stripped, see below)
  /^(?:__)?kasan_\w+$|^kasan\w*$|^(?:__)?asan_\w+$|^print_address_description\w*$|^print_report$|^report_\w+$|^check_memory_region\w*$|^memory_is_poisoned\w*$|^check_region_inline$/, // KASAN runtime
  /^(?:__)?kfence_\w+$|^kfence\w*$/, // KFENCE runtime
  /^(?:__)?kmsan_\w+$|^__msan_\w+$|^kmsan\w*$/, // KMSAN runtime
  /^(?:__)?ubsan_\w+$|^__ubsan_handle_\w+$|^ubsan\w*$/, // UBSAN runtime
  /^(?:__)?kcsan_\w+$|^kcsan\w*$/, // KCSAN runtime
  /^(?:__)?kmalloc\w*$|^(?:__)?kmem_cache_\w+$|^(?:__)?kfree\w*$|^kvfree\w*$|^kvmalloc\w*$|^kzalloc\w*$|^krealloc\w*$|^kmemdup\w*$|^(?:__)?slab_\w+$|^(?:__)?slab_free\w*$|^___slab_alloc$|^__?cache_free$|^(?:__)?do_kmalloc\w*$|^(?:__)?alloc_pages\w*$|^__get_free_pages$|^(?:__)?vmalloc\w*$|^vfree$|^(?:__)?folio_alloc\w*$|^post_alloc_hook$|^free_pcp\w*$|^(?:__)?free_pages\w*$|^(?:__)?kmalloc_\w+$|^kmalloc_trace$|^(?:__)?kvmalloc_node\w*$|^kmemleak_\w+$|^create_object\w*$/, // allocators
  /^(?:__)?(?:mem|str)(?:cpy|set|move|cmp|len|nlen|chr|rchr|scpy|lcpy|ncpy|dup|cat|sep)\w*$|^(?:__)?(?:copy|strncpy)_(?:from|to)_user\w*$|^_copy_(?:from|to)_user\w*$|^(?:__)?check_object_size$|^usercopy_\w+$|^(?:__)?get_user\w*$|^(?:__)?put_user\w*$|^copy_user_\w+$|^rep_movs_alternative$/, // string and user-copy helpers
  /^(?:__)?dump_stack\w*$|^show_stack$|^dump_backtrace$|^show_trace_log_lvl$|^(?:__)?panic$|^__warn\w*$|^warn_slowpath\w*$|^report_bug$|^handle_bug$|^(?:__)?die\w*$|^oops_\w+$|^do_trap$|^do_error_trap$|^(?:exc|do)_(?:invalid_op|general_protection|page_fault|int3|debug|double_fault|stack_segment|divide_error)$|^asm_exc_\w+$|^(?:invalid_op|general_protection|(?:async_)?page_fault|divide_error|stack_segment|double_fault|error_(?:entry|exit)|retint_\w+|restore_regs_and_return_to_kernel|do_invalid_op|do_general_protection)$|^(?:__)?bad_area\w*$|^(?:__)?do_(?:user|kern)_addr_fault$|^page_fault_oops$|^kernelmode_fixup_or_oops$|^no_context$|^(?:__)?do_page_fault$|^check_panic_on_warn\w*$|^(?:__)?stack_chk_fail$|^bug_handler$|^(?:__)?die_kernel_fault$|^do_mem_abort$|^do_translation_fault$|^do_bad_area$|^el1_\w+$|^el1h_\w+$|^__do_kernel_fault$|^(?:__)?print_\w+$|^print_\w+$|^_{0,2}v?printk\w*$|^console_\w+$|^show_regs$|^__show_regs$|^watchdog_timer_fn$/, // reporting machinery
  /^(?:__)?list_(?:add|del)\w*$|^__list_\w+_valid\w*$|^(?:__)?hlist_\w+$/, // list helpers
  /^(?:__)?mutex_(?:un)?lock\w*$|^(?:__)?down_(?:read|write)\w*$|^(?:__)?up_(?:read|write)$|^(?:__)?rwsem_\w+$|^(?:__)?lock_(?:acquire|release|is_held|acquired|contended)\w*$|^(?:__)?lockdep_\w+$|^(?:check|validate)_\w+_(?:chain|add|usage|deadlock|dependencies)$|^(?:__)?raw_spin_rq_lock\w*$|^(?:__)?mark_lock\w*$|^(?:__)?local_bh_(?:en|dis)able\w*$|^(?:__)?rcu_read_(?:un)?lock\w*$|^(?:__)?wait_for_completion\w*$|^(?:__)?percpu_(?:down|up)_\w+$|^find_held_lock$|^print_circular_bug\w*$|^check_noncircular$|^(?:__)?bfs$|^check_prev_add$/, // locking
  /^(?:__)?schedule\w*$|^(?:__)?io_schedule\w*$|^preempt_schedule\w*$|^(?:__)?wait_\w+$|^(?:__)?context_switch$|^(?:__)?switch_to\w*$|^(?:__)?finish_task_switch\w*$|^schedule_timeout\w*$|^(?:__)?bit_wait\w*$|^(?:__)?folio_wait_bit\w*$|^(?:__)?wait_on_\w+$|^(?:__)?rwsem_down_\w+$|^(?:__)?mutex_lock_common$|^(?:__)?down\w*$|^(?:__)?rt_mutex_\w+$|^(?:__)?futex_wait\w*$|^do_nanosleep$|^(?:__)?cond_resched\w*$/, // scheduler and waiting (hung tasks)
  /^ret_from_fork\w*$|^kthread$|^entry_SYSCALL_\w+$|^do_syscall_\w+$|^do_fast_syscall_\w+$|^(?:__)?sysvec_\w+$|^asm_sysvec_\w+$|^(?:__)?irq_exit\w*$|^(?:__)?do_softirq\w*$|^(?:__)?handle_softirqs$|^run_ksoftirqd$|^(?:__)?irq_\w+$|^handle_irq\w*$|^(?:__)?common_interrupt$|^asm_common_interrupt$|^(?:__)?hrtimer_\w+$|^(?:__)?run_timer\w*$|^(?:__)?tick_\w+$|^update_process_times$|^(?:__)?smp_apic_timer_interrupt$|^apic_timer_interrupt$|^invoke_syscall$|^el0_\w+$|^do_el0_\w+$|^el0t_\w+$|^handle_domain_irq$|^gic_handle_irq$|^call_on_irq_stack$|^do_interrupt_handler$|^(?:__)?rcu_\w+$|^rcu_core\w*$|^(?:__)?call_timer_fn$|^expire_timers$|^(?:__)?run_hrtimer$|^smpboot_thread_fn$|^(?:__)?entry_\w+$|^(?:__)?asm_call_\w+$|^(?:__)?run_on_irqstack\w*$|^(?:__)?flush_smp_call_function\w*$|^(?:__)?sched_clock\w*$|^native_\w+$|^arch_\w+$|^default_idle\w*$|^(?:__)?cpuidle_\w+$|^do_idle$|^cpu_startup_entry$|^start_secondary$|^(?:__)?pv_\w+$|^(?:__)?raw_\w+$|^(?:__)?x86_\w+$|^secondary_startup_64\w*$|^(?:__)?trace_\w+$/, // entry, interrupts, timers, RCU, idle
  /^sock_kmalloc$|^sk_prot_alloc$|^(?:__)?alloc_skb\w*$|^__netdev_alloc_skb$|^(?:__)?kstrdup\w*$|^kmemdup_nul$/, // allocation wrappers (kmemleak backtraces)
  /^(?:__)?wake_up\w*$|^__wake_up_common\w*$|^finish_wait$|^prepare_to_wait\w*$|^mutex_remove_waiter$|^kthread_stop$|^rhashtable_\w+$|^(?:__)?rb_(?:erase|insert_color|next|prev|first|last)\w*$|^device_del$|^(?:__)?put_device$|^kernfs_put$|^(?:__)?destroy_workqueue$/, // core infrastructure a caller misused
  /^sk_alloc$|^(?:__)?(?:dev|netdev|napi)_alloc_skb\w*$|^alloc_inode$|^(?:__)?list_lru_init\w*$|^radix_tree_node_alloc$|^(?:__)?radix_tree_(?:insert|create|preload)\w*$|^id[ar]_alloc\w*$|^kernel_fpu_begin\w*$/, // more allocation wrappers
  /^(?:__)?kernel_text_address$|^unwind_\w+$|^(?:__)?save_stack\w*$|^arch_stack_walk$|^(?:__)?orc_find$|^is_bpf_text_address$|^(?:__)?module_address$|^(?:__)?stack_depot_\w+$|^depot_\w+$|^debug_check_no_obj_freed$|^fixup_bug$|^hlock_class$|^reacquire_held_locks$|^(?:__)?cancel_work(?:_timer|_sync)?$|^stack_trace_save\w*$|^__read_once_\w+$|^(?:__)?unwind_next_frame$|^idr_get_free$|^skb_(?:put|push|pull|over_panic|under_panic)$|^assertfail$|^do_tag_check_fault$|^do_tag_recovery$/, // reporting and checking helpers of subsystems
  /^usb_(?:start_wait_urb|bulk_msg|control_msg|interrupt_msg|submit_urb|kill_urb|poison_urb|hcd_submit_urb)$|^drain_workqueue$|^debug_print_object$|^kobject_(?:add_internal|put|release|init|get|del|uevent)\w*$|^register_lock_class$|^look_up_lock_class$|^warn_alloc\w*$|^(?:__)?flush_work$|^(?:__)?(?:check_)?flush_workqueue\w*$|^(?:__)?(?:bad|dump)_page\w*$|^(?:__)?\w+_panic$|^usercopy_abort$|^(?:__)?should_fail\w*$|^fail_dump$|^call_rwsem_\w+$|^_{0,3}might_(?:sleep|fault|resched)\w*$|^(?:__)?refcount_\w+$|^read_word_at_a_time$|^debug_lockdep_rcu_enabled$|^perf_trace_\w+$|^exiting_irq$|^__x86_indirect_thunk_\w+$|^msan_\w+$|^(?:__)?sanitizer_\w+$|^spin_dump$|^spin_bug$|^do_raw_spin_\w+$|^check_preemption_disabled$|^debug_(?:check_no_locks_\w+|smp_processor_id)$|^__this_cpu_preempt_check$|^__sanitizer_cov_\w+$|^write_comp_data$|^__stack_chk_\w+$/, // debug checks and coverage hooks
  // keep-sorted end
];

/**
 * The syscall-wrapper macros' decorations, reduced to the name syzbot titles use: the
 * architecture and SYSCALL_DEFINE prefixes go (`__x64_sys_read` and `__se_sys_read` are
 * `sys_read`; the old `SyS_read`/`SYSC_read` are `read`), `ksys_` helpers lose theirs
 * (`ksys_mount` is `mount`).
 */
const WRAPPER_PREFIXES: readonly [RegExp, string][] = [
  [/^__(?:x64|ia32|arm64|riscv|s390x?|se|do)_(compat_)?sys_/, '$1sys_'],
  [/^(compat_)?(?:SyS|SYSC)_/, '$1'],
  [/^ksys_/, ''],
];

/** Compiler clones: `.isra.0`, `.constprop.3`, `.part.0`, `.cold`, `.llvm.123…`. */
const COMPILER_SUFFIX = /(?:\.(?:isra|constprop|part|cold|llvm|lto_priv|localalias|clone)(?:\.\d+)?)+$/;

export function stripCompilerSuffix(name: string): string {
  return name.replace(COMPILER_SUFFIX, '');
}

export function isSkippedFrame(name: string): boolean {
  const bare = stripCompilerSuffix(name);
  return bare.startsWith('0x') || SKIP_FRAMES.some((re) => re.test(bare));
}

/**
 * Functions that stand for a family when blamed, so one cause gets one title: every RCU
 * grace-period wait is `synchronize_rcu`, every cross-CPU call `smp_call_function`.
 */
const CANONICAL_FUNCTIONS: readonly [RegExp, string][] = [
  [/^(?:__)?synchronize_(?:rcu|sched|srcu|net)(?:_\w+)?$/, 'synchronize_rcu'],
  [/^smp_call_function(?:_\w+)?$|^on_each_cpu(?:_\w+)?$/, 'smp_call_function'],
];

export function canonicalFunction(name: string): string {
  return CANONICAL_FUNCTIONS.find(([re]) => re.test(name))?.[1] ?? name;
}

/** C++ names as the linker sees them: `_Z8fakeNameiii` is `fakeName`. */
const MANGLED = /^_Z(\d+)(\w+)$/;

export function demangle(name: string): string {
  const m = MANGLED.exec(name);
  const length = Number(m?.[1]);
  return m?.[2] && m[2].length >= length ? m[2].slice(0, length) : name;
}

/** `__x64_sys_ioctl` → `sys_ioctl`, the name syzbot-style titles use. */
export function stripWrapperPrefix(name: string): string {
  for (const [re, to] of WRAPPER_PREFIXES) if (re.test(name)) return name.replace(re, to);
  return name;
}
