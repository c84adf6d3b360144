import type { Escalation } from './diagnosis.js';
import type { IncidentFacts } from './incident-facts.js';

/**
 * Panics that happen only because a setting asks for them: without it the kernel would have
 * logged the report and gone on. Keyed by the panic reason of src/reports/decode/panic-reasons.ts.
 */
interface EscalationRow {
  reason: string;
  /** Extra condition on the panic message (e.g. the OOM panic names panic_on_oom). */
  message?: RegExp;
  setting: string;
  explanation: string;
}

const ESCALATIONS: readonly EscalationRow[] = [
  { reason: 'panic-on-warn', setting: 'kernel.panic_on_warn', explanation: 'a WARNING panics the machine; without it the kernel logs the warning and goes on' },
  { reason: 'panic-on-kmsan', setting: 'kmsan.panic', explanation: 'a KMSAN report panics the machine' },
  { reason: 'fatal-exception', setting: 'kernel.panic_on_oops', explanation: 'an oops panics the machine (or `oops=panic` on the command line); without it only the faulting task dies' },
  { reason: 'hung-task', setting: 'kernel.hung_task_panic', explanation: 'a task blocked longer than kernel.hung_task_timeout_secs panics the machine' },
  { reason: 'soft-lockup', setting: 'kernel.softlockup_panic', explanation: 'a soft lockup panics the machine' },
  { reason: 'hard-lockup', setting: 'kernel.hardlockup_panic', explanation: 'a hard lockup (NMI watchdog) panics the machine' },
  { reason: 'rcu-stall', setting: 'kernel.panic_on_rcu_stall', explanation: 'an RCU stall panics the machine' },
  { reason: 'panic-on-taint', setting: 'panic_on_taint= (boot parameter)', explanation: 'getting one of the listed taint flags panics the machine' },
  { reason: 'oom', message: /panic_on_oom/, setting: 'vm.panic_on_oom', explanation: 'running out of memory panics the machine instead of killing a task' },
  { reason: 'nmi', setting: 'kernel.unknown_nmi_panic / kernel.panic_on_io_nmi / kernel.panic_on_unrecovered_nmi', explanation: 'an unknown or I/O-check NMI panics the machine' },
];

/** The setting that turned the incident into a panic, when one did. */
export function escalationOf(facts: IncidentFacts): Escalation | undefined {
  const panic = facts.panic?.panic;
  if (!panic) return undefined;
  // An oops in interrupt context or in init panics whatever the settings say: those panic reasons
  // (`fatal-exception-in-interrupt`, `init-killed`) have no row here.
  const row = ESCALATIONS.find((r) => r.reason === panic.reason && (!r.message || r.message.test(panic.message)));
  return row ? { setting: row.setting, explanation: row.explanation } : undefined;
}
