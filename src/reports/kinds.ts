import type { ReportKind, Severity } from './crash-report.js';

/**
 * Every kind of kernel report ktriage recognises, one row each, most specific first (the first
 * row whose header matches wins). The engine (segmenter.ts) reads only this table; adding a kind
 * is a row here plus a fixture under test/fixtures/reports/.
 */
export interface KindRow {
  kind: ReportKind;
  severity: Severity;
  /** Matches the message text of the line that opens the report. */
  header: RegExp;
  /** A header that is not proof on its own: the report counts only if a call trace follows. */
  weak?: boolean;
  /**
   * A line from the middle of a report, a header only when no report is open: it stands in for
   * a header that was lost (`** N printk messages dropped **`).
   */
  orphan?: boolean;
  /**
   * Headers of these kinds that arrive before the open report has printed its call trace are
   * part of it (`BUG: kernel NULL pointer dereference` is followed by its own `Oops: 0002 [#1]`).
   */
  absorbs?: readonly ReportKind[];
  /** When absorbed into an open report, the report takes this row's kind (list corruption shown via BUG/WARN). */
  refines?: boolean;
  /** Announces a report rather than being its header: the first header it absorbs becomes the report's. */
  intro?: boolean;
  /** The report's last line (included). */
  end?: RegExp;
  /** The report ends just before this line (another CPU's dump follows). */
  stopBefore?: RegExp;
  /** Body is free text until `end` or the next header (lockdep, OOM, sanitizers), not only indented trace lines. */
  freeform?: boolean;
  /** A report of this kind without a call trace is marked corrupted. */
  expectsStack?: boolean;
  /** What it means, for the docs and the `--explain` output. */
  description: string;
  /** What the analysis stages know about the kind (which cause rule, culprit rule, … applies): see KindTag. */
  tags?: readonly KindTag[];
}

/**
 * Groups of kinds the analysis treats alike, declared here on the rows instead of as sets in
 * each stage: `sanitizer` (a sanitizer caught it), `locking` (a locking or context rule broke),
 * `assertion` (the kernel's own check fired), `fault` (a bad memory access or trap), `stall`
 * (a CPU stopped making progress), `stack-overflow`, `nothing-to-blame` (no code frame caused it:
 * memory ran out, hardware failed, the machine restarted), `interrupted` (printed from an
 * interrupt about the code it interrupted), `ip-not-at-fault` (the instruction pointer is where
 * the problem was noticed, not made).
 */
export type KindTag = 'sanitizer' | 'locking' | 'assertion' | 'fault' | 'stall' | 'stack-overflow' | 'nothing-to-blame' | 'interrupted' | 'ip-not-at-fault';

/** syzkaller's tools log through Go's `log` package: `2018/01/09 14:28:48 ` before their lines. */
const GO_LOG_PREFIX = String.raw`(?:\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d )?`;

const DIE_LINE: readonly ReportKind[] = ['kernel-oops', 'invalid-opcode', 'arm-oops', 'general-protection-fault'];
const SANITIZER_END = /^={20,}\s*$/;
/** panic() stops the other CPUs; on arm each prints its own CPU line and backtrace after this. */
const OTHER_CPU_STOPPING = /^CPU\d+: stopping$/;

export const KIND_TABLE: readonly KindRow[] = [
  // ── panics ───────────────────────────────────────────────────────────────────────────────
  {
    kind: 'stack-protector',
    severity: 'fatal',
    tags: ['stack-overflow'],
    header: /^Kernel panic - not syncing: stack-protector: Kernel stack is corrupted/,
    end: /^---\[ end Kernel panic/,
    stopBefore: OTHER_CPU_STOPPING,
    description: 'The stack canary of a function was overwritten: a stack buffer overflow in that function or a callee.',
  },
  {
    kind: 'panic',
    severity: 'fatal',
    header: /^Kernel panic - not syncing:/,
    end: /^---\[ end Kernel panic/,
    stopBefore: OTHER_CPU_STOPPING,
    description: 'The kernel stopped: panic() was called, with the reason after "not syncing:".',
  },
  {
    kind: 'double-fault',
    severity: 'fatal',
    tags: ['stack-overflow'],
    header: /^PANIC: double fault/,
    absorbs: DIE_LINE,
    expectsStack: true,
    description: 'A fault while handling a fault; usually a kernel stack overflow.',
  },
  {
    kind: 'stack-overflow',
    severity: 'fatal',
    tags: ['stack-overflow'],
    header: /^(?:Oops: )?kernel stack overflow \(double-fault\)|^BUG: (?:TASK |IRQ )?stack guard page was hit/,
    absorbs: [...DIE_LINE, 'stack-overflow'],
    expectsStack: true,
    description: 'A kernel stack ran into its guard page: unbounded recursion or a huge stack frame.',
  },
  // ── sanitizers (report between two ===== lines) ──────────────────────────────────────────
  {
    kind: 'kasan',
    severity: 'oops',
    tags: ['sanitizer'],
    header: /^BUG: KASAN: /,
    end: SANITIZER_END,
    freeform: true,
    expectsStack: true,
    description: 'KASAN caught an invalid memory access (use-after-free, out-of-bounds, double free…).',
  },
  {
    kind: 'kfence',
    severity: 'oops',
    tags: ['sanitizer'],
    header: /^BUG: KFENCE: /,
    end: SANITIZER_END,
    freeform: true,
    expectsStack: true,
    description: 'KFENCE (sampling memory-error detector) caught an invalid access to a guarded object.',
  },
  {
    kind: 'kmsan',
    severity: 'oops',
    tags: ['sanitizer'],
    header: /^BUG: KMSAN: /,
    end: SANITIZER_END,
    freeform: true,
    expectsStack: true,
    description: 'KMSAN caught a use of uninitialised memory.',
  },
  {
    kind: 'kcsan',
    severity: 'warning',
    tags: ['sanitizer'],
    header: /^BUG: KCSAN: /,
    end: SANITIZER_END,
    freeform: true,
    expectsStack: true,
    description: 'KCSAN caught a data race between two accesses.',
  },
  {
    kind: 'ubsan',
    severity: 'warning',
    tags: ['sanitizer'],
    header: /^UBSAN: /,
    end: SANITIZER_END,
    freeform: true,
    description: 'UBSAN caught undefined behaviour (array index out of bounds, shift out of bounds, overflow…).',
  },
  {
    // SLUB/SLAB debugging (slub_debug, CONFIG_SLUB_DEBUG_ON): `BUG kmalloc-1k (Tainted: G  OE): Poison overwritten`.
    // Weak: the same shape appears in one-line messages that are not reports.
    kind: 'slab-corruption',
    severity: 'error',
    tags: ['assertion'],
    header: /^BUG [\w.:@-]+ \((?:Not tainted|Tainted: [^)]*)\): |^Slab corruption \(/,
    freeform: true,
    weak: true,
    description: 'Slab debugging found a freed object written to, a red zone overwritten or an object freed twice.',
  },
  {
    // syz-fuzzer announces the kmemleak reports it read with this line of its own.
    kind: 'memory-leak',
    severity: 'warning',
    tags: ['sanitizer'],
    header: new RegExp(`^${GO_LOG_PREFIX}BUG: memory leak$`),
    absorbs: ['memory-leak'],
    intro: true,
    freeform: true,
    description: 'syzkaller found kmemleak reports; the unreferenced objects follow.',
  },
  {
    kind: 'memory-leak',
    severity: 'warning',
    tags: ['sanitizer'],
    header: /^unreferenced object 0x[0-9a-f]+ \(size \d+\):|^kmemleak: \d+ new suspected memory leaks/,
    freeform: true,
    description: 'kmemleak found an allocated object no longer referenced from anywhere.',
  },
  // ── faults and oopses ────────────────────────────────────────────────────────────────────
  {
    kind: 'list-corruption',
    severity: 'oops',
    tags: ['assertion'],
    header: /^list_(?:add|del) corruption|^list_add double add|^list_del corruption/,
    absorbs: [...DIE_LINE, 'kernel-bug', 'warning'],
    refines: true,
    expectsStack: true,
    description: 'A linked list failed its integrity check: memory corruption or a use-after-free of a list entry.',
  },
  {
    kind: 'null-pointer-dereference',
    severity: 'oops',
    tags: ['fault'],
    header: /^BUG: (?:unable to handle )?kernel NULL pointer dereference|^Unable to handle kernel NULL pointer dereference|^BUG: Kernel NULL pointer dereference/,
    absorbs: DIE_LINE,
    expectsStack: true,
    description: 'The kernel dereferenced a pointer that was NULL (the address is the offset of the field).',
  },
  {
    kind: 'page-fault',
    severity: 'oops',
    tags: ['fault'],
    header: /^BUG: unable to handle (?:page fault|kernel paging request|kernel)|^Unable to handle kernel (?:paging request|access|execute|write|read)|^BUG: Unable to handle kernel|^Unable to handle kernel pointer dereference|^Unhandled fault: /,
    absorbs: DIE_LINE,
    expectsStack: true,
    description: 'The kernel touched an address with no valid mapping (or without the needed permission).',
  },
  {
    kind: 'general-protection-fault',
    severity: 'oops',
    tags: ['fault'],
    header: /^(?:Oops: )?general protection fault/,
    absorbs: ['kernel-oops'],
    expectsStack: true,
    description: 'x86 general protection fault: usually a non-canonical (corrupt or poisoned) pointer.',
  },
  {
    kind: 'kernel-bug',
    severity: 'oops',
    tags: ['assertion'],
    header: /^kernel BUG at \S+|^BUG: failure at /,
    absorbs: DIE_LINE,
    expectsStack: true,
    description: 'A BUG_ON() assertion in the kernel failed.',
  },
  {
    kind: 'invalid-opcode',
    severity: 'oops',
    tags: ['fault'],
    header: /^(?:Oops: )?invalid opcode: [0-9a-f]+/,
    expectsStack: true,
    description: 'The CPU hit an undefined instruction (ud2: a BUG() without its message, or corrupt code).',
  },
  {
    kind: 'divide-error',
    severity: 'oops',
    tags: ['fault'],
    header: /^(?:Oops: )?divide error: [0-9a-f]+/,
    expectsStack: true,
    description: 'Integer division by zero (or overflow) in kernel code.',
  },
  {
    kind: 'stack-segment-fault',
    severity: 'oops',
    tags: ['fault'],
    header: /^(?:Oops: )?stack segment: [0-9a-f]+/,
    expectsStack: true,
    description: 'x86 stack-segment fault: a stack access through a non-canonical address.',
  },
  {
    kind: 'arm-oops',
    severity: 'oops',
    tags: ['fault'],
    header: /^Internal error: /,
    expectsStack: true,
    description: 'ARM/arm64 die(): an exception the kernel cannot recover from (the ESR/FSR says which).',
  },
  {
    kind: 'kernel-oops',
    severity: 'oops',
    tags: ['fault'],
    header: /^Oops(?::| -|\[#\d)|^Bad mode in .* handler detected/,
    expectsStack: true,
    description: 'The kernel died in a task (an oops) without a more specific header.',
  },
  // ── locking and context bugs ─────────────────────────────────────────────────────────────
  {
    // lockdep_sys_exit() prints the locks still held and no stack (kernel/locking/lockdep.c): the
    // lock sites are all there is, and all that is needed.
    kind: 'lockdep',
    severity: 'warning',
    tags: ['locking'],
    header: /^WARNING: lock held when returning to user space|^\[ BUG: lock held when returning to user space/,
    freeform: true,
    description: 'A task returned to user space still holding a lock; lockdep names the locks and where they were taken.',
  },
  {
    kind: 'lockdep',
    severity: 'warning',
    tags: ['locking'],
    // Old kernels print the banner in brackets: `[ BUG: bad unlock balance detected! ]`.
    header:
      /^\[ BUG: .*\]\s*$|^\[ INFO: .*\]\s*$|^WARNING: (?:possible circular locking dependency|possible recursive locking|inconsistent lock state|possible irq lock inversion|.*-safe -> .*-unsafe lock order|suspicious RCU usage|bad unlock balance|held lock freed|lock held when returning|[Nn]ested lock was not taken|(?:\S+ )?still has locks held|lock held at task exit|locking bug)|^INFO: trying to register non-static key|^BUG: (?:held lock freed|bad unlock balance|looking up invalid subclass|MAX_LOCKDEP_\w+ too low|key \w+ has not been registered)/,
    freeform: true,
    expectsStack: true,
    description: 'lockdep proved a locking rule broken (possible deadlock, bad unlock, lock held at exit…).',
  },
  {
    kind: 'spinlock-lockup',
    severity: 'error',
    tags: ['locking'],
    header: /^BUG: spinlock (?:lockup suspected|already unlocked|recursion|bad magic|wrong owner|wrong CPU|cpu recursion)|^BUG: rwlock /,
    expectsStack: true,
    description: 'Spinlock debugging caught a misuse or a CPU spinning too long on a lock.',
  },
  {
    kind: 'scheduling-while-atomic',
    severity: 'error',
    tags: ['locking', 'ip-not-at-fault'],
    header: /^BUG: scheduling while atomic/,
    expectsStack: true,
    description: 'A task slept while holding a spinlock or in interrupt context.',
  },
  {
    kind: 'sleeping-in-atomic',
    severity: 'warning',
    tags: ['locking', 'ip-not-at-fault'],
    header: /^BUG: sleeping function called from invalid context/,
    freeform: true,
    expectsStack: true,
    description: 'A function that may sleep was called in atomic context (spinlock held, IRQs off, RCU read side).',
  },
  {
    kind: 'bad-page-state',
    severity: 'error',
    header: /^BUG: Bad page (?:state|map|cache)|^BUG: Bad rss-counter/,
    freeform: true,
    description: 'The page allocator found a page in an impossible state: memory corruption or a refcount bug.',
  },
  // ── hangs and lockups ────────────────────────────────────────────────────────────────────
  {
    kind: 'soft-lockup',
    severity: 'error',
    tags: ['stall', 'interrupted'],
    // 4.x kernels print soft lockups with an `NMI watchdog: ` prefix too.
    header: /^(?:NMI )?(?:watchdog: )?BUG: soft lockup - CPU#\d+ stuck for/,
    expectsStack: true,
    description: 'A CPU ran kernel code without scheduling for longer than the soft-lockup threshold.',
  },
  {
    kind: 'hard-lockup',
    severity: 'error',
    tags: ['stall', 'interrupted'],
    header: /^(?:NMI )?(?:watchdog: )?Watchdog detected hard LOCKUP on cpu/,
    freeform: true,
    description: 'A CPU stopped taking interrupts (the NMI watchdog saw no timer ticks).',
  },
  {
    kind: 'rcu-stall',
    severity: 'error',
    tags: ['stall', 'interrupted'],
    header: /^(?:rcu: )?INFO: rcu[_ ]\w* ?(?:self-)?detected (?:expedited )?stalls?|^INFO: rcu detected stall/,
    freeform: true,
    description: 'RCU grace periods stopped completing: a CPU or task is stuck in a read-side section or with IRQs off.',
  },
  {
    kind: 'hung-task',
    severity: 'error',
    tags: ['ip-not-at-fault'],
    header: /^INFO: task \S.* (?:blocked (?:in I\/O wait )?|can't die )for more than \d+ seconds/,
    freeform: true,
    description: 'A task stayed in uninterruptible sleep (D state) longer than hung_task_timeout_secs.',
  },
  // ── memory exhaustion ────────────────────────────────────────────────────────────────────
  {
    kind: 'oom-kill',
    severity: 'error',
    tags: ['nothing-to-blame'],
    // A lone `Killed process … total-vm:` is the OOM killer's own line (mm/oom_kill.c): logs filtered
    // by grep, or RHEL 6's `Killed process N, UID U, (comm) total-vm:…` whose header was lost.
    header: / invoked oom-killer: |^(?:Memory cgroup )?[Oo]ut of memory: Kill(?:ed)? process|^Out of memory and no killable processes|^Killed process \d+(?:, UID \d+,)? \([^)]{1,64}\)(?:, UID \d+,)? total-vm:\d+kB/,
    end: /Killed process \d+|^Out of memory and no killable/,
    freeform: true,
    description: 'Memory ran out and the OOM killer killed a process to free some.',
  },
  // ── hardware ─────────────────────────────────────────────────────────────────────────────
  {
    kind: 'machine-check',
    severity: 'error',
    tags: ['nothing-to-blame'],
    header: /^mce: \[Hardware Error\]|^\[Hardware Error\]: |^mce: CPU ?\d+: Machine Check|^Machine check events logged|^\{\d+\}\[Hardware Error\]/,
    absorbs: ['machine-check'],
    freeform: true,
    description: 'The CPU reported a hardware error (machine check): memory, cache, bus or CPU fault.',
  },
  {
    kind: 'edac',
    severity: 'warning',
    tags: ['nothing-to-blame'],
    header: /^EDAC \S+: \d+ (?:CE|UE) /,
    absorbs: ['edac'],
    description: 'The memory controller reported corrected (CE) or uncorrected (UE) memory errors.',
  },
  // ── warnings ─────────────────────────────────────────────────────────────────────────────
  {
    kind: 'warning',
    severity: 'warning',
    tags: ['assertion'],
    header: /^WARNING: (?:CPU: \d+ PID: \d+ at |at \S+:\d+)|^WARNING: \S+:\d+ /,
    absorbs: ['invalid-opcode'],
    expectsStack: true,
    description: 'A WARN_ON() condition was true: the kernel found something wrong and carried on.',
  },
  {
    kind: 'bug',
    severity: 'error',
    tags: ['assertion'],
    header: /^BUG: (?:using (?:__this_cpu_\w+|smp_processor_id)\(\) in preemptible|workqueue lockup|Dentry .* still in use|\w+ \(.*\): Objects remaining)|^VFS: Busy inodes after unmount|^unregister_netdevice: waiting for \S+ to become free/,
    freeform: true,
    description: 'The kernel detected a bug condition and reported it without dying.',
  },
  {
    kind: 'warning',
    severity: 'warning',
    tags: ['assertion'],
    header: /^WARNING: kernel stack (?:regs|frame pointer) at .* has bad/,
    description: 'The stack unwinder found a corrupt frame pointer or register set on a kernel stack.',
  },
  {
    kind: 'slab-corruption',
    severity: 'error',
    tags: ['assertion'],
    header: /^(?:INFO: )?(?:Allocated|Freed) in \S+ age=\d+ cpu=\d+ pid=\d+/,
    orphan: true,
    weak: true,
    freeform: true,
    description: 'The object-tracking lines of a slab debugging report whose header was lost.',
  },
  {
    kind: 'other',
    severity: 'error',
    header: new RegExp(`^${GO_LOG_PREFIX}SYZ(?:FAIL|FATAL): `),
    description: "syzkaller's executor reported its own failure (a fuzzing-infrastructure problem, not a kernel report).",
  },
  // Weak headers: only reports when a call trace follows (plenty of harmless messages start this way).
  { kind: 'warning', severity: 'warning', tags: ['assertion'], header: /^WARNING: /, weak: true, description: 'A warning with a call trace.' },
  { kind: 'bug', severity: 'error', tags: ['assertion'], header: /^BUG: /, weak: true, description: 'A kernel BUG report with a call trace.' },
  { kind: 'hung-task', severity: 'error', tags: ['ip-not-at-fault'], header: /^INFO: task /, weak: true, description: 'A hung-task report whose header line was garbled.' },
];

/** The kinds any of whose rows carries `tag`. */
export function kindsTagged(tag: KindTag): ReadonlySet<ReportKind> {
  return new Set([...KIND_TABLE, UNEXPECTED_REBOOT_ROW].filter((row) => row.tags?.includes(tag)).map((row) => row.kind));
}

/**
 * Not matched by a header: the segmenter opens it when a console capture shows a new boot
 * starting after kernel output that ended with neither a fatal report nor an orderly shutdown.
 */
export const UNEXPECTED_REBOOT_ROW: KindRow = {
  kind: 'unexpected-reboot',
  severity: 'fatal',
  tags: ['nothing-to-blame'],
  header: /^(?!)/,
  description:
    'The machine restarted without logging a panic or an orderly shutdown: a hardware watchdog, power loss, a triple fault, or a panic that reached only another console.',
};
