import type { ReportKind } from '../../src/reports/crash-report.js';
import type { CauseCategory } from '../../src/analysis/diagnosis.js';

// Typed as complete records, so a kind or cause added to the model fails the build until listed.
const KIND_SET: Record<ReportKind, true> = {
  panic: true, 'page-fault': true, 'null-pointer-dereference': true, 'general-protection-fault': true, 'kernel-bug': true,
  'invalid-opcode': true, 'divide-error': true, 'stack-segment-fault': true, warning: true, kasan: true, kfence: true, ubsan: true,
  kmsan: true, kcsan: true, 'memory-leak': true, 'soft-lockup': true, 'hard-lockup': true, 'spinlock-lockup': true, 'rcu-stall': true,
  'hung-task': true, 'oom-kill': true, 'machine-check': true, edac: true, 'scheduling-while-atomic': true, 'sleeping-in-atomic': true,
  lockdep: true, 'list-corruption': true, 'stack-protector': true, 'stack-overflow': true, 'double-fault': true, 'bad-page-state': true,
  'slab-corruption': true, 'arm-oops': true, 'kernel-oops': true, bug: true, 'unexpected-reboot': true, other: true,
};
const CAUSE_SET: Record<CauseCategory, true> = {
  hardware: true, firmware: true, driver: true, 'third-party-driver': true, 'kernel-bug': true, 'resource-exhaustion': true, boot: true,
  configuration: true, deliberate: true, undetermined: true,
};

/** Report kinds, sorted for a filter menu. */
export const KINDS: readonly string[] = Object.keys(KIND_SET).sort();
/** Cause categories in the order the analysis lists them; `unknown` is the collector's for a report sent without its incident. */
export const CAUSES: readonly string[] = [...Object.keys(CAUSE_SET), 'unknown'];
export const STATUSES = ['open', 'known', 'fixed', 'ignored'] as const;
