/**
 * Lines that open a stack, and the label the stack gets. A `generic` header (`Call Trace:`) gives
 * `main` to the first such stack of a report and `other` (or the pending label) after that;
 * `labelled` headers are followed directly by their frames; `pending` lines name the task or the
 * purpose of the next generic stack (`task:foo state:D …`, `NMI backtrace for cpu 1`).
 */
export interface StackHeaderRow {
  re: RegExp;
  type: 'generic' | 'labelled' | 'pending';
  /** Label; `$1` is replaced with capture group 1 (lockdep chain numbers). */
  label?: string;
  /** Task the stack belongs to; `$1`/`$2` are capture groups (`$1:$2` is `comm:pid`). */
  task?: string;
  /** A pending label that names a side stack, never the report's main one. */
  neverMain?: boolean;
}

export const STACK_HEADERS: readonly StackHeaderRow[] = [
  { re: /^(?:Call Trace|Call trace|Backtrace|Stack trace|Call Trace \(unreliable\)):\s*$/, type: 'generic' },
  // KASAN / generic-KASAN auxiliary stacks.
  { re: /^Allocated by task (\d{1,10})\b.{0,80}:$/, type: 'labelled', label: 'allocated', task: '$1' },
  { re: /^Freed by task (\d{1,10})\b.{0,80}:$/, type: 'labelled', label: 'freed', task: '$1' },
  { re: /^Last (?:potentially related work creation|call_rcu\(\)):$/, type: 'labelled', label: 'last-call' },
  { re: /^Second to last (?:potentially related work creation|call_rcu\(\)):$/, type: 'labelled', label: 'second-to-last-call' },
  { re: /^page last allocated via order \d{1,2}.{0,300}?\bpid (\d{1,10})/, type: 'labelled', label: 'page-allocated', task: '$1' },
  { re: /^page last free (?:pid (\d{1,10}) .{0,40})?stack trace:$/, type: 'labelled', label: 'page-freed', task: '$1' },
  // SLUB debug (slub_debug=U): `Allocated in func+0x… age=0 cpu=0 pid=112`.
  { re: /^Allocated in .{1,300}? age=\d{1,12} cpu=\d{1,5} pid=(\d{1,10})$/, type: 'labelled', label: 'allocated', task: '$1' },
  { re: /^Freed in .{1,300}? age=\d{1,12} cpu=\d{1,5} pid=(\d{1,10})$/, type: 'labelled', label: 'freed', task: '$1' },
  // KFENCE: the access stack, then the object's allocation/free stacks.
  { re: /^(?:Use-after-free|Out-of-bounds|Invalid|Corrupted memory)(?: (?:read|write))? at 0x[0-9a-f]{1,16}\b.{0,120}:$/, type: 'labelled', label: 'main' },
  { re: /^kfence-#\d{1,6} .{0,200}\ballocated by task (\d{1,10})\b.{0,80}:$/, type: 'labelled', label: 'allocated', task: '$1' },
  { re: /^(?:kfence-#\d{1,6} .{0,200})?\bfreed by task (\d{1,10})\b.{0,80}:$/, type: 'labelled', label: 'freed', task: '$1' },
  // KMSAN: the report line is followed by its frames.
  { re: /^BUG: KMSAN: /, type: 'labelled', label: 'main' },
  { re: /^Uninit was created at:$/, type: 'labelled', label: 'uninit-created' },
  { re: /^Uninit was stored to memory at:$/, type: 'labelled', label: 'uninit-stored' },
  { re: /^Local variable .{1,200} created at:$/, type: 'labelled', label: 'local-variable' },
  // KCSAN: the two racing accesses.
  { re: /^(?:read|write|read-write)(?: \(marked\))? to 0x[0-9a-f]{1,16} of \d{1,4} bytes by (?:task (\d{1,10})|(interrupt)) on cpu \d{1,5}:$/, type: 'labelled', label: 'race-access', task: '$1$2' },
  // kmemleak.
  { re: /^backtrace(?: \(crc [0-9a-f]{1,16}\))?:$/, type: 'labelled', label: 'allocated' },
  // lockdep: each link of a dependency chain, and the places a lock was used.
  { re: /^-> #(\d{1,3}) .{1,300}:$/, type: 'labelled', label: 'lock-chain-$1' },
  { re: /^(?:[A-Z-]{2,30}-[RW]|INITIAL USE|INITIAL [A-Z]{2,10} USE) at:$/, type: 'labelled', label: 'lock-usage' },
  { re: /^(?:\.\.\. )?(?:acquired|key) at:$/, type: 'labelled', label: 'lock-usage' },
  { re: /^\S{1,80} is trying to (?:release|acquire|lock) .{1,300} at:$/, type: 'labelled', label: 'lock-site' },
  { re: /^Preemption disabled at:$/, type: 'labelled', label: 'preemption-disabled' },
  // Lines that say whose stack the next `Call Trace:` is.
  { re: /^task:(.{1,64}?) {1,20}state:[A-Za-z]\b.{0,40}?\bpid: {0,8}(\d{1,10})/, type: 'pending', label: 'task', task: '$1:$2' },
  { re: /^NMI backtrace for cpu (\d{1,5})/, type: 'pending', label: 'nmi-backtrace', task: 'cpu $1' },
  { re: /^(?:rcu: )?RCU grace-period kthread stack dump:$/, type: 'pending', label: 'rcu-gp-kthread', neverMain: true },
  { re: /^Sending NMI from CPU \d{1,5} to CPUs (\d{1,5}):$/, type: 'pending', label: 'nmi-backtrace', task: 'cpu $1' },
  { re: /^comm "(.{1,64})", pid (\d{1,10})/, type: 'pending', label: 'allocated', task: '$1:$2' },
];
