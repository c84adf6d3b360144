import { anyOf } from '../any-of.js';
import type { ReportDetails } from '../crash-report.js';
import { toInt } from './hex.js';

/** `comm:pid` / `comm/pid` where the comm itself may hold `:` or `/` (`kworker/0:1:25`). */
function splitCommPid(text: string, sep: string): { comm: string; pid?: number } {
  const at = text.lastIndexOf(sep);
  const pid = at > 0 ? toInt(text.slice(at + 1)) : undefined;
  return pid === undefined ? { comm: text } : { comm: text.slice(0, at), pid };
}

const SOFT = /BUG: soft lockup - CPU#(\d{1,5}) stuck for (\d{1,7})s! \[(.{1,80})\]/;
const HARD = /Watchdog detected hard LOCKUP on cpu (\d{1,5})/;
const HUNG = /(?:^|\s)INFO: task (.{1,80}) blocked (?:in (.{1,40}) )?for more than (\d{1,7}) seconds\./;
const RCU = /(?:^|\s|rcu: )INFO: (rcu_\w{1,20}|rcu) (self-detected stall on CPU|detected stalls on CPUs\/tasks|detected expedited stalls on CPUs\/tasks)/;
const RCU_CPU = /^(?:rcu: )?\s*(\d{1,5})-[.\w!]{1,8}: \(/;
const RCU_TIMING = /\((?:detected by (\d{1,5}), )?t=(\d{1,12}) jiffies,? g=(-?\d{1,20}),?(?: c=-?\d{1,20},?)? q=(\d{1,12})/;
const RCU_STARVED = /kthread starved for (\d{1,12}) jiffies!/;
/** Lines none of these can match are passed at once: most of a report (its frames and registers). */
const ANY_LOCKUP_LINE = anyOf([SOFT, HARD, HUNG, RCU, RCU_CPU, RCU_TIMING, RCU_STARVED]);

/**
 * Numbers of lockup and stall reports: soft lockup (`watchdog: BUG: soft lockup - CPU#1 stuck for 22s!
 * [swapper/1:0]`), hard lockup (`NMI watchdog: Watchdog detected hard LOCKUP on cpu 3`), hung task
 * (`INFO: task foo:123 blocked for more than 120 seconds.`) and RCU stalls (flavor, stalled CPUs,
 * `(t=10500 jiffies g=1234 q=56)`, kthread starvation).
 */
export function parseLockupDetails(lines: readonly string[]): ReportDetails {
  const d: ReportDetails = {};
  const stalled: number[] = [];
  let rcuSeen = false;
  for (const line of lines) {
    const t = line.trim();
    if (!ANY_LOCKUP_LINE.test(t)) continue;
    const s = d.stuckCpu === undefined ? SOFT.exec(t) : null;
    if (s) {
      d.stuckCpu = Number(s[1]);
      d.stuckSeconds = Number(s[2]);
      const task = splitCommPid(s[3] ?? '', ':');
      d.stuckComm = task.comm;
      if (task.pid !== undefined) d.stuckPid = task.pid;
      continue;
    }
    const h = d.hardLockupCpu === undefined ? HARD.exec(t) : null;
    if (h) {
      d.hardLockupCpu = Number(h[1]);
      continue;
    }
    const g = d.blockedSeconds === undefined ? HUNG.exec(t) : null;
    if (g) {
      const task = splitCommPid(g[1] ?? '', ':');
      d.blockedComm = task.comm;
      if (task.pid !== undefined) d.blockedPid = task.pid;
      if (g[2] !== undefined) d.blockedIn = g[2];
      d.blockedSeconds = Number(g[3]);
      continue;
    }
    const r = rcuSeen ? null : RCU.exec(t);
    if (r) {
      rcuSeen = true;
      d.rcuFlavor = r[1] ?? '';
      d.rcuStall = r[2]?.startsWith('self') ? 'self-detected' : r[2]?.includes('expedited') ? 'expedited' : 'detected';
      continue;
    }
    if (!rcuSeen) continue;
    const c = RCU_CPU.exec(t);
    if (c) {
      const cpu = Number(c[1]);
      if (!stalled.includes(cpu)) stalled.push(cpu);
      continue;
    }
    const tm = d.stallJiffies === undefined ? RCU_TIMING.exec(t) : null;
    if (tm) {
      if (tm[1] !== undefined) d.detectedByCpu = Number(tm[1]);
      d.stallJiffies = Number(tm[2]);
      d.gracePeriod = Number(tm[3]);
      d.callbacksQueued = Number(tm[4]);
      continue;
    }
    const st = d.kthreadStarvedJiffies === undefined ? RCU_STARVED.exec(t) : null;
    if (st) d.kthreadStarvedJiffies = Number(st[1]);
  }
  // A self-detected stall names no CPU list: the reporting CPU is the stalled one.
  if (stalled.length > 0) d.stalledCpus = stalled.join(',');
  return d;
}
