/**
 * `Kernel panic - not syncing: <message>` → a normalised reason. Rows are tried in order; `re` is
 * matched anywhere in the message (6.x prefixes some with the subsystem: `kernel: panic_on_warn set`).
 */
export interface PanicReasonRow {
  re: RegExp;
  reason: string;
  meaning: string;
}

export const PANIC_REASONS: readonly PanicReasonRow[] = [
  { re: /^Fatal exception in interrupt/, reason: 'fatal-exception-in-interrupt', meaning: 'an oops in interrupt context, which cannot be survived' },
  { re: /Fatal exception$|Fatal exception\b/, reason: 'fatal-exception', meaning: 'an oops with panic_on_oops set (or in a task that cannot die)' },
  { re: /^Attempted to kill init!/, reason: 'init-killed', meaning: 'PID 1 exited or was killed' },
  { re: /^Attempted to kill the idle task!/, reason: 'idle-killed', meaning: 'the idle task oopsed' },
  { re: /^VFS: Unable to mount root fs/, reason: 'vfs-no-root', meaning: 'the root filesystem could not be mounted (missing driver, wrong root=, corrupt filesystem)' },
  { re: /^No working init found|^Requested init \S{0,200} failed|^No init found/, reason: 'no-init', meaning: 'no init program could be started' },
  { re: /^Out of memory and no killable processes|^System is deadlocked on memory|^Out of memory: (?:system-wide |compulsory )?panic|^Out of memory/, reason: 'oom', meaning: 'out of memory with nothing left to kill, or panic_on_oom set' },
  { re: /hung_task: blocked tasks/, reason: 'hung-task', meaning: 'a task was blocked too long with hung_task_panic set' },
  { re: /softlockup: hung tasks/, reason: 'soft-lockup', meaning: 'a CPU was stuck in the kernel with softlockup_panic set' },
  { re: /Hard LOCKUP/, reason: 'hard-lockup', meaning: 'a CPU stopped taking interrupts with hardlockup_panic set' },
  { re: /RCU Stall/, reason: 'rcu-stall', meaning: 'an RCU grace period stalled with panic_on_rcu_stall set' },
  { re: /Fatal (?:local )?machine check|Machine check|MCE: Fatal/i, reason: 'machine-check', meaning: 'an uncorrectable hardware error (machine check)' },
  { re: /^Fatal hardware error!?/, reason: 'hardware-error', meaning: 'firmware (GHES/APEI) reported a fatal hardware error' },
  { re: /^sysrq triggered crash/, reason: 'sysrq', meaning: 'crash requested with SysRq-c (echo c > /proc/sysrq-trigger)' },
  { re: /panic_on_warn set/, reason: 'panic-on-warn', meaning: 'a WARNING with panic_on_warn set' },
  { re: /panic_on_kmsan set/, reason: 'panic-on-kmsan', meaning: 'a KMSAN report with panic_on_kmsan set' },
  { re: /^Machine halted\.?$/, reason: 'machine-halted', meaning: 'the CPU could not go on (the double-fault handler halts this way)' },
  { re: /panic_on_taint set/, reason: 'panic-on-taint', meaning: 'the kernel got a taint flag listed in panic_on_taint (e.g. after a BUG or a bad page)' },
  { re: /^stack-protector: Kernel stack is corrupted in/, reason: 'stack-protector', meaning: 'a stack canary was overwritten: stack buffer overflow' },
  { re: /^corrupted stack end detected inside scheduler/, reason: 'stack-end-corrupted', meaning: 'the end-of-stack magic was overwritten: stack overflow' },
  { re: /^Kernel stack overflow/, reason: 'stack-overflow', meaning: 'the kernel stack overflowed' },
  { re: /^NMI: Not continuing|^NMI IOCK error|^NMI: IOCK error/, reason: 'nmi', meaning: 'an unknown or I/O-check NMI with panic_on_unrecovered_nmi/panic_on_io_nmi set' },
  { re: /^Aiee, killing interrupt handler!/, reason: 'killed-interrupt-handler', meaning: 'an oops inside an interrupt handler' },
  { re: /^scheduling while atomic/, reason: 'scheduling-while-atomic', meaning: 'schedule() called in atomic context' },
  { re: /^dumptest$|^lkdtm/, reason: 'lkdtm', meaning: 'crash requested through lkdtm' },
  { re: /^Oops - BUG|^BUG!/, reason: 'bug', meaning: 'a BUG() assertion' },
  { re: /^bad mode/, reason: 'bad-mode', meaning: 'arm64: an exception in an unexpected CPU mode' },
  { re: /^Asynchronous SError Interrupt/, reason: 'serror', meaning: 'arm64: an asynchronous external abort, usually a hardware error' },
  { re: /^Watchdog detected hard LOCKUP/, reason: 'hard-lockup', meaning: 'a CPU stopped taking interrupts' },
];
