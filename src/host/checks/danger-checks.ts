import { TAINT_FLAGS } from '../../reports/decode/taint-flags.js';
import { evidence, skipped, verdict, type CheckRow, type Verdict } from '../check-row.js';
import type { HostFacts } from '../host-facts.js';
import type { ReportSummary } from '../gather-logs.js';

/** Taint bits that say the kernel already went wrong this boot, not merely that it runs foreign code. */
const DAMAGE_BITS: ReadonlySet<string> = new Set(['MACHINE_CHECK', 'BAD_PAGE', 'DIE', 'SOFTLOCKUP']);

/** Decodes a taint mask into the kernel's own letters and meanings. */
export function taintFlags(mask: number): { letter: string; name: string; meaning: string }[] {
  return TAINT_FLAGS.filter((row) => Math.floor(mask / 2 ** row.bit) % 2 === 1);
}

const HARDWARE_KINDS: ReadonlySet<string> = new Set(['machine-check', 'edac']);

function recentReports(f: HostFacts): Verdict {
  const { thisBoot, previousBoot } = f.logs;
  if (!thisBoot.known && !previousBoot.known) {
    const v = skipped(thisBoot);
    v.evidence = [thisBoot.detail, previousBoot.detail];
    v.rootWouldHelp = thisBoot.why === 'denied' || previousBoot.why === 'denied' || (f.live && !f.privileged);
    return v;
  }
  const now = thisBoot.known ? thisBoot.value.reports.filter((r) => !HARDWARE_KINDS.has(r.kind)) : [];
  const before = previousBoot.known ? previousBoot.value.reports.filter((r) => !HARDWARE_KINDS.has(r.kind)) : [];
  const ev = [
    thisBoot.known ? `${thisBoot.from}: ${describe(now)}` : thisBoot.detail,
    previousBoot.known ? `${previousBoot.from}: ${describe(before)}` : previousBoot.detail,
  ];
  if (now.some((r) => r.severity === 'fatal' || r.severity === 'oops')) return verdict('fail', `this boot already oopsed: ${titles(now)}`, ...ev);
  if (now.length > 0) return verdict('warn', `this boot: ${titles(now)}`, ...ev);
  if (before.length > 0) return verdict('warn', `previous boot: ${titles(before)} (ktriage analyze --boot -1)`, ...ev);
  return verdict('pass', 'no oops, warning or lockup in the kernel log', ...ev);
}

function describe(reports: readonly ReportSummary[]): string {
  return reports.length === 0 ? 'no reports' : `${reports.length} report(s): ${titles(reports)}`;
}

function titles(reports: readonly ReportSummary[]): string {
  const shown = reports.slice(0, 3).map((r) => `${r.kind} "${r.title}"`);
  return reports.length > 3 ? `${shown.join(', ')} and ${reports.length - 3} more` : shown.join(', ');
}

export const DANGER_CHECKS: readonly CheckRow[] = [
  {
    id: 'taint',
    area: 'present danger',
    title: 'kernel taint',
    reads: ['/proc/sys/kernel/tainted'],
    why: 'Taint says what already happened to this kernel (an oops, a machine check, a bad page) or what foreign code it runs; upstream and distributions may refuse reports from a tainted kernel.',
    fix: { debian: 'reboot to clear D/M/B/L taint after analysing the logs (ktriage analyze --boot 0); remove out-of-tree/proprietary modules for O/P/E', rhel: 'reboot to clear D/M/B/L taint after analysing the logs (ktriage analyze --boot 0); remove out-of-tree/proprietary modules for O/P/E' },
    verdict: (f) => {
      const t = f.sysctl['kernel/tainted'];
      if (!t.known) return skipped(t);
      const mask = Number(t.value);
      const flags = taintFlags(mask);
      const ev = [evidence(t), ...flags.map((x) => `${x.letter} ${x.name}: ${x.meaning}`)];
      if (flags.length === 0) return verdict('pass', 'not tainted', ...ev);
      const letters = flags.map((x) => x.letter).join('');
      if (flags.some((x) => DAMAGE_BITS.has(x.name))) return verdict('fail', `tainted ${letters}: the kernel already failed this boot`, ...ev);
      return verdict('warn', `tainted ${letters}`, ...ev);
    },
  },
  {
    id: 'foreign-modules',
    area: 'present danger',
    title: 'out-of-tree, proprietary or unsigned modules',
    reads: ['/proc/modules'],
    why: 'Out-of-tree (O), proprietary (P), unsigned (E), staging (C) and force-loaded (F) modules are the usual suspects in a crash, and vendors ask to reproduce without them.',
    fix: { debian: 'list them with: grep -E "\\((O|P|E|C|F)+\\)" /proc/modules; update or remove the package that ships each', rhel: 'list them with: grep -E "\\((O|P|E|C|F)+\\)" /proc/modules; update or remove the package that ships each' },
    verdict: (f) => {
      if (!f.modules.known) {
        if (f.modules.why === 'absent') return verdict('skip', 'this kernel has no loadable module support', f.modules.detail);
        return skipped(f.modules);
      }
      const foreign = f.modules.value.filter((m) => m.taints.length > 0);
      const ev = [`/proc/modules: ${f.modules.value.length} modules`, ...foreign.map((m) => `${m.name} (${m.taints.join('')})`)];
      if (foreign.length === 0) return verdict('pass', `${f.modules.value.length} modules, all in-tree and signed`, ...ev);
      return verdict('warn', `${foreign.map((m) => `${m.name} (${m.taints.join('')})`).join(', ')}`, ...ev);
    },
  },
  {
    id: 'edac-errors',
    area: 'present danger',
    title: 'memory errors (EDAC)',
    reads: ['/sys/devices/system/edac/mc/mc*/ce_count', '/sys/devices/system/edac/mc/mc*/ue_count'],
    why: 'Corrected errors are the warning sign of a DIMM that will fail; uncorrected ones corrupt memory, and crashes on such a machine are hardware, not software.',
    fix: { debian: 'apt install rasdaemon && ras-mc-ctl --errors   # then replace the DIMM it names', rhel: 'dnf install rasdaemon && ras-mc-ctl --errors   # then replace the DIMM it names' },
    verdict: (f) => {
      if (!f.edac.known) return verdict('skip', `no EDAC data: ${f.edac.detail}`, f.edac.detail);
      const { controllers, corrected, uncorrected } = f.edac.value;
      const ev = evidence(f.edac, () => `${controllers} controller(s), ${corrected} corrected, ${uncorrected} uncorrected`);
      if (uncorrected > 0) return verdict('fail', `${uncorrected} uncorrected memory error(s)`, ev);
      if (corrected > 0) return verdict('warn', `${corrected} corrected memory error(s)`, ev);
      return verdict('pass', 'no memory errors counted', ev);
    },
  },
  {
    id: 'machine-checks',
    area: 'present danger',
    title: 'machine checks in the kernel log',
    reads: ['journalctl -k -b 0 | dmesg', 'journalctl -k -b -1 (through the analyzer)'],
    why: 'A machine check is the CPU reporting a hardware fault; a crash after one is a hardware problem.',
    fix: { debian: 'apt install rasdaemon && ras-mc-ctl --summary; ktriage analyze --boot 0 decodes each MCE', rhel: 'dnf install rasdaemon && ras-mc-ctl --summary; ktriage analyze --boot 0 decodes each MCE' },
    verdict: (f) => {
      const { thisBoot, previousBoot } = f.logs;
      const boots = [thisBoot, previousBoot].flatMap((b) => (b.known ? [b] : []));
      if (!thisBoot.known && boots.length === 0) return skipped(thisBoot);
      const hardware = (b: (typeof boots)[number]) => b.value.reports.filter((r) => HARDWARE_KINDS.has(r.kind));
      const hw = boots.flatMap(hardware);
      const ev = boots.map((b) => `${b.from}: ${hardware(b).length} hardware report(s)`);
      if (hw.length > 0) return verdict('fail', titles(hw), ...ev);
      return verdict('pass', 'no machine check or EDAC report in the kernel log', ...ev);
    },
  },
  {
    id: 'smart-health',
    area: 'present danger',
    title: 'disk health (SMART)',
    reads: ['smartctl --scan', 'smartctl -H -d <type> <device>'],
    why: 'A failing disk takes the dump target and the journal with it, and I/O errors often precede hung tasks and filesystem panics.',
    fix: { debian: 'apt install smartmontools; replace a disk whose health is FAILED', rhel: 'dnf install smartmontools; replace a disk whose health is FAILED' },
    verdict: (f) => {
      if (!f.smart.known) {
        const v = skipped(f.smart);
        if (f.smart.why === 'no-tool') v.summary = 'not checked: smartctl is not installed';
        return v;
      }
      const disks = f.smart.value;
      const ev = disks.map((d) => `${d.device}: ${d.health}`);
      if (disks.length === 0) {
        const v = verdict('skip', 'smartctl found no disk it can query (virtual disks have no SMART)', 'smartctl --scan: no devices');
        if (f.live && !f.privileged) v.rootWouldHelp = true;
        return v;
      }
      const failed = disks.filter((d) => d.ok === false);
      if (failed.length > 0) return verdict('fail', `failing: ${failed.map((d) => d.device).join(', ')}`, ...ev);
      if (disks.every((d) => d.ok === true)) return verdict('pass', `${disks.length} disk(s) healthy`, ...ev);
      const v = verdict('skip', 'smartctl could not read the health of every disk', ...ev);
      if (f.live && !f.privileged) v.rootWouldHelp = true;
      return v;
    },
  },
  {
    id: 'recent-crash-reports',
    area: 'present danger',
    title: 'oopses, warnings and lockups in recent boots',
    reads: ['journalctl -k -b 0 (else dmesg)', 'journalctl -k -b -1', 'the ktriage analyzer'],
    why: 'A kernel that already oopsed runs with damaged state and usually panics later; a previous boot that ended in a crash is the problem to solve first.',
    fix: { debian: 'ktriage analyze --boot 0   # and --boot -1', rhel: 'ktriage analyze --boot 0   # and --boot -1' },
    verdict: recentReports,
  },
];
