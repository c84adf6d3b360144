import type { ReportDetails } from '../crash-report.js';
import { anyOf } from '../any-of.js';
import { toInt } from './hex.js';

export interface HeaderDetails {
  details: ReportDetails;
  /** CPU/PID/comm named by a `WARNING:` line, for reports whose `CPU:` line is missing. */
  cpu?: number;
  pid?: number;
  comm?: string;
}

const WARNING_OLD = /^WARNING: CPU: (\d{1,5}) PID: (-?\d{1,10}) at (\S{1,200}):(\d{1,7}) /;
const WARNING_NEW = /^WARNING: (?:\[.{0,200}\] )?(\S{1,200}):(\d{1,7}) at \S{1,300}, CPU#(\d{1,5}): (.{1,80})$/;
const KERNEL_BUG = /^kernel BUG at (\S{1,200}):(\d{1,7})!/;
const LIST_CORRUPTION = /^(list_add|list_del|list_add_tail|hlist_add|hlist_del)? ?corruption\. (.{1,300})$/;
const STACK_GUARD = /^BUG: (\w{1,20}) stack guard page was hit at/;
/** Headers that name the task after a colon: `BUG: scheduling while atomic: syz-executor.1/12771/0x00000002`. */
const TASK_IN_HEADER = /^BUG: (?:scheduling while atomic|using (?:__this_cpu_\w+|smp_processor_id)\(\) in preemptible \[[0-9a-f]+\] code): (.{1,64}?)\/(\d{1,10})\b/;
/** might_sleep(): `in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 3658, name: syz-fuzzer`. */
const MIGHT_SLEEP_TASK = /^in_atomic\(\): \d+, irqs_disabled\(\): \d+,.{0,40}? pid: (\d{1,10}), name: (.{1,64})$/;
const GPF_ADDRESS = /general protection fault, probably for non-canonical address 0x([0-9a-f]{1,16})/;
/** Lines none of these can match are passed at once: most of a report (its frames and registers). */
const ANY_DETAIL = anyOf([WARNING_OLD, WARNING_NEW, KERNEL_BUG, LIST_CORRUPTION, STACK_GUARD, TASK_IN_HEADER, MIGHT_SLEEP_TASK, GPF_ADDRESS]);

/**
 * What the report's own header lines say beyond their kind: where a WARNING or BUG() fired
 * (`WARNING: CPU: 1 PID: 5944 at net/core/sock.c:1508 …`, `kernel BUG at lib/list_debug.c:27!`),
 * the list operation that found corruption, the stack whose guard page was hit, the non-canonical
 * address of a general protection fault.
 */
export function parseHeaderDetails(lines: readonly string[]): HeaderDetails {
  const out: HeaderDetails = { details: {} };
  const d = out.details;
  for (const line of lines) {
    const t = line.trim();
    if (!ANY_DETAIL.test(t)) continue;
    const w = d.sourceFile === undefined ? WARNING_OLD.exec(t) : null;
    if (w) {
      out.cpu = toInt(w[1]);
      out.pid = toInt(w[2]);
      d.sourceFile = w[3] ?? '';
      d.sourceLine = Number(w[4]);
      continue;
    }
    const n = d.sourceFile === undefined ? WARNING_NEW.exec(t) : null;
    if (n) {
      d.sourceFile = n[1] ?? '';
      d.sourceLine = Number(n[2]);
      out.cpu = toInt(n[3]);
      const task = n[4] ?? '';
      const at = task.lastIndexOf('/');
      const pid = at > 0 ? toInt(task.slice(at + 1)) : undefined;
      if (pid !== undefined) {
        out.pid = pid;
        out.comm = task.slice(0, at);
      }
      continue;
    }
    const b = d.sourceFile === undefined ? KERNEL_BUG.exec(t) : null;
    if (b) {
      d.sourceFile = b[1] ?? '';
      d.sourceLine = Number(b[2]);
      continue;
    }
    const l = d.listCorruption === undefined ? LIST_CORRUPTION.exec(t) : null;
    if (l) {
      d.listCorruption = l[1] ?? 'list';
      d.listCorruptionDetail = (l[2] ?? '').trim();
      continue;
    }
    const g = d.stackGuardHit === undefined ? STACK_GUARD.exec(t) : null;
    if (g) {
      d.stackGuardHit = g[1] ?? '';
      continue;
    }
    const p = d.gpfAddress === undefined ? GPF_ADDRESS.exec(t) : null;
    if (p) {
      d.gpfAddress = p[1] ?? '';
      continue;
    }
    const task = out.pid === undefined ? TASK_IN_HEADER.exec(t) : null;
    if (task) {
      out.comm = task[1] ?? '';
      out.pid = toInt(task[2]);
      continue;
    }
    const sleeper = out.pid === undefined ? MIGHT_SLEEP_TASK.exec(t) : null;
    if (sleeper) {
      out.pid = toInt(sleeper[1]);
      out.comm = (sleeper[2] ?? '').trim();
    }
  }
  return out;
}
