import { evidence, skipped, verdict, type CheckRow, type Verdict } from '../check-row.js';
import type { HostFacts, Sysctl } from '../host-facts.js';

/** kdump is armed: a panic now would be captured. Policy advice depends on it. */
export function crashCaptureArmed(f: HostFacts): boolean {
  return f.crashLoaded.known && f.crashLoaded.value;
}

/**
 * A sysctl that turns a survivable event into a panic. With kdump armed the panic becomes a
 * vmcore (evidence); without it the machine just reboots (availability lost, nothing gained).
 */
interface PanicSwitch {
  id: string;
  sysctl: Sysctl;
  event: string;
  /** What leaving it at 0 costs when kdump could have captured the event. */
  offCost: string;
}

const PANIC_SWITCHES: readonly PanicSwitch[] = [
  { id: 'panic-on-oops', sysctl: 'kernel/panic_on_oops', event: 'an oops', offCost: 'the oopsing task dies, the kernel runs on possibly corrupted, and no vmcore is taken' },
  { id: 'softlockup-panic', sysctl: 'kernel/softlockup_panic', event: 'a soft lockup', offCost: 'a CPU stuck in the kernel is only logged; the state that caused it is gone by the time anyone looks' },
  { id: 'hardlockup-panic', sysctl: 'kernel/hardlockup_panic', event: 'a hard lockup (NMI watchdog)', offCost: 'a CPU stuck with interrupts off is only logged' },
  { id: 'hung-task-panic', sysctl: 'kernel/hung_task_panic', event: 'a task blocked longer than hung_task_timeout_secs', offCost: 'a deadlock is only logged; its lock owners are never dumped' },
  { id: 'unknown-nmi-panic', sysctl: 'kernel/unknown_nmi_panic', event: 'an unknown NMI (the BMC/iLO "NMI button")', offCost: 'an operator cannot force a dump of a hung machine from its BMC' },
];

function switchRow(s: PanicSwitch): CheckRow {
  const name = s.sysctl.replace('/', '.');
  return {
    id: s.id,
    area: 'panic policy',
    title: name,
    reads: [`/proc/sys/${s.sysctl}`, '/sys/kernel/kexec_crash_loaded'],
    why: `1 turns ${s.event} into a panic: with kdump armed that is a vmcore of the moment it happened, at the cost of a reboot; 0 keeps the machine up, but ${s.offCost}.`,
    fix: {
      debian: `echo '${name} = 1' > /etc/sysctl.d/90-ktriage-${s.id}.conf && sysctl -p /etc/sysctl.d/90-ktriage-${s.id}.conf`,
      rhel: `echo '${name} = 1' > /etc/sysctl.d/90-ktriage-${s.id}.conf && sysctl -p /etc/sysctl.d/90-ktriage-${s.id}.conf`,
    },
    verdict: (f) => {
      const fact = f.sysctl[s.sysctl];
      if (!fact.known) return skipped(fact);
      const on = Number(fact.value) > 0;
      const ev = evidence(fact);
      if (on) return verdict('pass', `on: ${s.event} panics${crashCaptureArmed(f) ? ' and kdump captures it' : ''}`, ev);
      if (crashCaptureArmed(f)) return verdict('warn', `off while kdump is armed: ${s.event} leaves no vmcore`, ev, '/sys/kernel/kexec_crash_loaded: 1');
      return verdict('pass', 'off (availability first; with kdump armed, turning it on would capture a dump)', ev);
    },
  };
}

function hungTaskTimeout(f: HostFacts): Verdict {
  const t = f.sysctl['kernel/hung_task_timeout_secs'];
  if (!t.known) return skipped(t);
  if (Number(t.value) === 0) return verdict('warn', 'hung task detection is off: blocked tasks are never reported', evidence(t));
  return verdict('pass', `tasks blocked for ${t.value} s are reported`, evidence(t));
}

export const PANIC_POLICY_CHECKS: readonly CheckRow[] = [
  {
    id: 'kernel-panic-reboot',
    area: 'panic policy',
    title: 'kernel.panic (reboot after a panic)',
    reads: ['/proc/sys/kernel/panic'],
    why: '0 leaves a panicked machine hanging until someone power-cycles it; a short delay (10 s) reboots it after the console and netconsole had time to send the last lines. kdump reboots by itself after saving.',
    fix: { debian: "echo 'kernel.panic = 10' > /etc/sysctl.d/90-ktriage-panic.conf && sysctl -p /etc/sysctl.d/90-ktriage-panic.conf", rhel: "echo 'kernel.panic = 10' > /etc/sysctl.d/90-ktriage-panic.conf && sysctl -p /etc/sysctl.d/90-ktriage-panic.conf" },
    verdict: (f) => {
      const p = f.sysctl['kernel/panic'];
      if (!p.known) return skipped(p);
      const n = Number(p.value);
      if (n === 0) return verdict('warn', 'a panicked machine hangs until power-cycled', evidence(p));
      if (n < 0) return verdict('warn', 'reboots at once: the console has no time to show the panic', evidence(p));
      return verdict('pass', `reboots ${n} s after a panic`, evidence(p));
    },
  },
  {
    id: 'panic-on-warn',
    area: 'panic policy',
    title: 'kernel.panic_on_warn',
    reads: ['/proc/sys/kernel/panic_on_warn'],
    why: '1 makes every WARNING a panic: right for test fleets and fuzzing (a vmcore of each), wrong for production, where most warnings are harmless and would become outages.',
    fix: { debian: "echo 'kernel.panic_on_warn = 0' > /etc/sysctl.d/90-ktriage-warn.conf && sysctl -p /etc/sysctl.d/90-ktriage-warn.conf", rhel: "echo 'kernel.panic_on_warn = 0' > /etc/sysctl.d/90-ktriage-warn.conf && sysctl -p /etc/sysctl.d/90-ktriage-warn.conf" },
    verdict: (f) => {
      const w = f.sysctl['kernel/panic_on_warn'];
      if (!w.known) return skipped(w);
      if (Number(w.value) > 0) return verdict('warn', 'every WARNING panics the machine (keep for test machines only)', evidence(w));
      return verdict('pass', 'warnings are logged, not fatal', evidence(w));
    },
  },
  ...PANIC_SWITCHES.map(switchRow),
  {
    id: 'hung-task-timeout',
    area: 'panic policy',
    title: 'kernel.hung_task_timeout_secs',
    reads: ['/proc/sys/kernel/hung_task_timeout_secs'],
    why: 'The hung task detector names tasks stuck in D state with their stacks; 0 turns it off and deadlocks go unreported.',
    fix: { debian: "echo 'kernel.hung_task_timeout_secs = 120' > /etc/sysctl.d/90-ktriage-hung.conf && sysctl -p /etc/sysctl.d/90-ktriage-hung.conf", rhel: "echo 'kernel.hung_task_timeout_secs = 120' > /etc/sysctl.d/90-ktriage-hung.conf && sysctl -p /etc/sysctl.d/90-ktriage-hung.conf" },
    verdict: hungTaskTimeout,
  },
  {
    id: 'panic-on-oom',
    area: 'panic policy',
    title: 'vm.panic_on_oom',
    reads: ['/proc/sys/vm/panic_on_oom'],
    why: '0 lets the OOM killer pick a victim and the machine stays up; 1 or 2 panic instead, which only pays off in clusters that fail over and want a vmcore of every memory exhaustion.',
    fix: { debian: "echo 'vm.panic_on_oom = 0' > /etc/sysctl.d/90-ktriage-oom.conf && sysctl -p /etc/sysctl.d/90-ktriage-oom.conf", rhel: "echo 'vm.panic_on_oom = 0' > /etc/sysctl.d/90-ktriage-oom.conf && sysctl -p /etc/sysctl.d/90-ktriage-oom.conf" },
    verdict: (f) => {
      const o = f.sysctl['vm/panic_on_oom'];
      if (!o.known) return skipped(o);
      if (Number(o.value) > 0) return verdict('warn', `running out of memory panics the machine (${o.value})`, evidence(o));
      return verdict('pass', 'the OOM killer handles memory exhaustion', evidence(o));
    },
  },
];
