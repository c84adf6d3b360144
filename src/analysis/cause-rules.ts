import type { CrashReport, ReportKind } from '../reports/crash-report.js';
import { kindsTagged } from '../reports/kinds.js';
import type { CauseCategory } from './diagnosis.js';
import { describeModuleFlags, isForeignModule } from '../reports/decode/module-flags.js';
import { escalationOf } from './escalations.js';
import { allFrames, incidentText, initExitStatus, moduleFlags, taintLetters, type IncidentFacts } from './incident-facts.js';
import { patternsOf, readBundledPatternList } from './pattern-list.js';

/**
 * Evidence rules: each looks at an incident and, when it finds what it looks for, points at one
 * cause category with a weight (how strongly, 0…1). The engine (classify-cause.ts) adds the
 * weights up per category. `confirm` says what would prove the category right.
 */
export interface CauseRule {
  id: string;
  category: CauseCategory;
  weight: number;
  /** What was found, in words, or undefined. */
  find: (facts: IncidentFacts) => { finding: string; reportId?: string } | undefined;
  confirm: string;
}

// Which kinds are which: the `tags` of their rows (src/reports/kinds.ts).
const SANITIZER_KINDS = kindsTagged('sanitizer');
const LOCKING_KINDS = kindsTagged('locking');
const ASSERTION_KINDS = kindsTagged('assertion');
const FAULT_KINDS = kindsTagged('fault');
const STALL_KINDS = kindsTagged('stall');
const STACK_OVERFLOW_KINDS = kindsTagged('stack-overflow');

/** Functions a task waits in when it is blocked behind storage or the network filesystem. */
const IO_WAIT = /^(?:io_schedule\w*|bit_wait_io|folio_wait_\w+|wait_on_page_\w+|__lock_page\w*|blk_mq_get_tag|jbd2_\w+|wait_for_completion_io\w*|submit_bio_wait|rpc_wait_bit_killable|__rpc_execute|nfs_\w+|xfs_buf_\w+|xlog_\w+|btrfs_\w+wait\w*|wait_on_buffer|__wait_on_buffer|out_of_line_wait_on_bit\w*)$/;
/** Machines that are virtual: stalls there are often the host not running the vCPU. */
const VIRTUAL_HARDWARE = /QEMU|KVM|VMware|VirtualBox|Xen|Hyper-V|Virtual Machine|Amazon EC2|Google Compute|BHYVE|Parallels|OpenStack/i;
/** Console lines that name a hardware or firmware error. */
const HARDWARE_ERROR_LINE = /\[Hardware Error\]|Machine check events logged|NMI: PCI system error|NMI: IOCK error|Uhhuh\. NMI received for unknown reason|EDAC \w+ MC\d+: \d+ UE /;
/** Precursor kinds (src/reports/precursors.ts) that mean the device or its path failed. */
const STORAGE_FAILURE = /^(?:ata-|block-io|buffer-io|scsi|nvme|md-raid|journal-abort)/;
const FIRMWARE_BUG_LINE = /\[Firmware Bug\]|\[Firmware Warn\]|ACPI BIOS Error|ACPI Error: .*AE_/;
/**
 * Lines where the kernel itself blames the BIOS or firmware for what went wrong (dmar.c's "Your
 * BIOS is broken", mtrr's "your BIOS has set up an incorrect mask", a chipset or CPU erratum
 * worked around), as opposed to merely reporting a firmware table it did not like.
 */
const FIRMWARE_BLAMED_LINE = /[Yy]our BIOS (?:is broken|has set up an incorrect|is buggy|has corrupted)|\bBIOS (?:bug|is broken|is buggy)\b|[Bb]roken (?:BIOS|firmware)\b|[Ff]irmware (?:bug|is buggy|is broken)\b|\b(?:chipset|CPU|hardware) [Ee]rratum\b|\b[Ee]rratum #?\d+/;

/** Where device drivers live, by module name and by function prefix (rules/driver-code.txt). */
const DRIVER_CODE = readBundledPatternList('driver-code.txt', ['module', 'function', 'third-party']);
const DRIVER_MODULE = patternsOf(DRIVER_CODE, 'module');
const DRIVER_FUNCTION = patternsOf(DRIVER_CODE, 'function');
const THIRD_PARTY_MODULE = patternsOf(DRIVER_CODE, 'third-party');
/** A WARNING's or BUG's source file in a driver directory. */
const DRIVER_SOURCE = /^(?:drivers|sound)\/(?!base\/|tty\/(?:tty_|n_tty|pty)|input\/(?:input|evdev)|pci\/(?:pci|probe|msi)|usb\/core\/|acpi\/acpica\/)/;

/** The driver code a report blames, in words: its module, its function's prefix or its source file. */
function driverCodeOf(report: CrashReport): string | undefined {
  const module = report.culprit?.module ?? report.ip?.module;
  if (module && DRIVER_MODULE.test(module)) return `module ${module} drives a device`;
  const fn = report.culprit?.function;
  if (fn && DRIVER_FUNCTION.test(fn)) return `${fn} is device-driver code`;
  const file = report.details['sourceFile'];
  if (typeof file === 'string' && DRIVER_SOURCE.test(file)) return `the report comes from ${file}, a device driver`;
  return undefined;
}

/** The first report of the incident that is of one of `kinds`. */
function firstOf(facts: IncidentFacts, kinds: ReadonlySet<ReportKind>): CrashReport | undefined {
  return facts.reports.find((r) => kinds.has(r.kind));
}

/**
 * The module a report blames (culprit, else the faulting instruction) and its flags, read from
 * any report of the incident: a panic that follows an oops may not repeat the module list.
 */
function blamedModule(report: CrashReport, facts: IncidentFacts): { name: string; flags: string[]; thirdParty: boolean } | undefined {
  const name = report.culprit?.module ?? report.ip?.module;
  if (!name) return undefined;
  const flags = [...new Set(facts.reports.flatMap((r) => moduleFlags(r, name)))];
  // Flagged out-of-tree, proprietary or unsigned, or a module that never was in the tree.
  return { name, flags, thirdParty: isForeignModule(flags) || THIRD_PARTY_MODULE.test(name) };
}

/** The first module blamed by any report of the incident. */
function firstBlamedModule(facts: IncidentFacts): { report: CrashReport; name: string; flags: string[]; thirdParty: boolean } | undefined {
  for (const report of facts.reports) {
    const m = blamedModule(report, facts);
    if (m) return { report, ...m };
  }
  return undefined;
}


/** A 64-bit value that is a canonical kernel address except for exactly one flipped bit (47…63). */
export function oneBitFromCanonical(hex: string): boolean {
  // KASAN's shadow of a small or user pointer (0xdffffc…) is one bit away too, and means no such thing.
  if (!HEX64.test(hex) || /^dffff[c-f]/i.test(hex)) return false;
  const ones = bitCount(Number.parseInt(hex.slice(0, 8), 16) >>> 15);
  return ones === 16 || ones === 1;
}

/** Slab poison patterns (0x6b…, 0x5a…, 0xa5…, 0xcc…), one 32-bit half each. */
const POISON_WORDS = [0x6b6b6b6b, 0x5a5a5a5a, 0xa5a5a5a5, 0xcccccccc, 0xaaaaaaaa, 0xbbbbbbbb];

/** A value that differs from a slab poison pattern in exactly one bit. */
export function flippedPoison(hex: string): string | undefined {
  if (!HEX64.test(hex)) return undefined;
  // Two 32-bit halves: plain numbers, where BigInt cost a parse and six allocations per register.
  const high = Number.parseInt(hex.slice(0, 8), 16);
  const low = Number.parseInt(hex.slice(8), 16);
  for (const word of POISON_WORDS) {
    if (bitCount(high ^ word) + bitCount(low ^ word) === 1) return `0x${word.toString(16).repeat(2)}`;
  }
  return undefined;
}

const HEX64 = /^[0-9a-f]{16}$/i;

function bitCount(word: number): number {
  let v = word >>> 0;
  let ones = 0;
  for (; v !== 0; v &= v - 1) ones++;
  return ones;
}

function bitFlipEvidence(facts: IncidentFacts): { finding: string; reportId: string } | undefined {
  for (const report of facts.reports) {
    const registers = Object.entries(report.registers?.values ?? {});
    for (const [name, value] of registers) {
      const poison = flippedPoison(value);
      if (poison) return { finding: `${name} = ${value} is the slab poison ${poison} with one bit flipped`, reportId: report.id };
    }
    const fault = report.faultAddress;
    if (fault?.meaning === 'non-canonical' && oneBitFromCanonical(fault.address.padStart(16, '0'))) {
      return { finding: `fault address ${fault.address} is a kernel address with one bit flipped`, reportId: report.id };
    }
    const gpf = report.details['gpfAddress'];
    if (typeof gpf === 'string' && oneBitFromCanonical(gpf.replace(/^0x/, '').padStart(16, '0'))) {
      return { finding: `non-canonical address ${gpf} is a kernel address with one bit flipped`, reportId: report.id };
    }
  }
  return undefined;
}

/** A rule that fires on a line of the incident matching `re`, quoting it. */
function lineRule(id: string, category: CauseCategory, weight: number, re: RegExp, what: string, confirm: string): CauseRule {
  return {
    id,
    category,
    weight,
    find: (facts) => {
      const line = incidentText(facts).find((t) => re.test(t))?.trim().slice(0, 200);
      return line ? { finding: `${what}: ${line}` } : undefined;
    },
    confirm,
  };
}

function kindEvidence(facts: IncidentFacts, kinds: ReadonlySet<ReportKind>, what: string): { finding: string; reportId: string } | undefined {
  const r = firstOf(facts, kinds);
  return r ? { finding: `${what}: ${r.title || r.header}`, reportId: r.id } : undefined;
}

export const CAUSE_RULES: readonly CauseRule[] = [
  // Hardware and firmware
  {
    id: 'machine-check',
    category: 'hardware',
    weight: 0.9,
    find: (f) => {
      const r = f.reports.find((x) => x.kind === 'machine-check');
      if (r) return { finding: describeMachineCheck(r), reportId: r.id };
      const p = f.panic;
      return p?.panic && (p.panic.reason === 'machine-check' || p.panic.reason === 'hardware-error') ? { finding: `panic: ${p.panic.message}`, reportId: p.id } : undefined;
    },
    confirm: 'Decode the MCE bank and status (rasdaemon `ras-mc-ctl --errors`, or `mcelog`) and check the BMC/IPMI event log for the same time.',
  },
  {
    id: 'edac-uncorrected',
    category: 'hardware',
    weight: 0.85,
    find: (f) => {
      const r = f.reports.find((x) => x.kind === 'edac' && /\bUE\b|[Uu]ncorrect/.test(x.header));
      return r ? { finding: `uncorrected memory error: ${r.header.trim().slice(0, 160)}`, reportId: r.id } : undefined;
    },
    confirm: 'Find the DIMM named by EDAC (`ras-mc-ctl --errors`, `edac-util -v`) and check its error counters grow; replace it.',
  },
  {
    id: 'edac-corrected',
    category: 'hardware',
    weight: 0.35,
    find: (f) => {
      const r = f.reports.find((x) => x.kind === 'edac' && !/\bUE\b|[Uu]ncorrect/.test(x.header));
      return r ? { finding: `corrected memory errors: ${r.header.trim().slice(0, 160)}`, reportId: r.id } : undefined;
    },
    confirm: 'Watch the corrected-error count of the DIMM (`ras-mc-ctl --summary`); a rising count predicts an uncorrected error.',
  },
  lineRule('hardware-error-line', 'hardware', 0.7, HARDWARE_ERROR_LINE, 'the kernel logged a hardware error', 'Check the BMC/IPMI system event log (`ipmitool sel elist`) and rasdaemon for the same time.'),
  {
    id: 'taint-machine-check',
    category: 'hardware',
    weight: 0.5,
    find: (f) => {
      const r = f.reports.find((x) => taintLetters(x).has('M'));
      return r ? { finding: 'the kernel was tainted M: a machine check happened earlier in this boot', reportId: r.id } : undefined;
    },
    confirm: 'Look for the earlier machine check in this boot\'s log (`journalctl -k -b -1 | grep -i "machine check"`).',
  },
  {
    id: 'bit-flip',
    category: 'hardware',
    weight: 0.55,
    find: bitFlipEvidence,
    confirm: 'Run a memory test (memtest86+ offline, or `memtester` on a drained host) and check EDAC counters; a single flipped bit in a pointer is the signature of bad RAM.',
  },
  {
    id: 'bad-page-state',
    category: 'hardware',
    weight: 0.3,
    find: (f) => kindEvidence(f, new Set(['bad-page-state']), 'a page with impossible flags or counts'),
    confirm: 'Bad page state is either a driver freeing a page twice or memory corrupting itself: if it repeats at random addresses, test the RAM.',
  },
  {
    id: 'storage-distress',
    category: 'hardware',
    weight: 0.5,
    find: (f) => {
      const p = f.precursors.find((e) => STORAGE_FAILURE.test(e.kind));
      if (!p) return undefined;
      const count = f.precursors.length;
      return { finding: `${count} storage event(s) before the incident, first: ${p.kind} ${p.device ? `on ${p.device} ` : ''}(${p.text.slice(0, 120)})` };
    },
    confirm: 'Read the disk\'s health (`smartctl -a /dev/DEVICE`, `nvme smart-log /dev/nvmeN`) and the controller/cable; errors that repeat on one device point at it.',
  },
  {
    id: 'hung-behind-failing-storage',
    category: 'hardware',
    weight: 0.5,
    find: (f) => {
      const r = f.reports.find((x) => x.kind === 'hung-task' && allFrames(x).some((fr) => IO_WAIT.test(fr.function)));
      const p = f.precursors.find((e) => STORAGE_FAILURE.test(e.kind));
      return r && p ? { finding: `the blocked task waits for I/O on storage that reported errors (${p.kind}${p.device ? ` on ${p.device}` : ''})`, reportId: r.id } : undefined;
    },
    confirm: 'Check the latency and error counters of that device at the time of the hang (`iostat -x`, `smartctl -x`).',
  },
  {
    id: 'filesystem-corruption',
    category: 'hardware',
    weight: 0.25,
    find: (f) => {
      const p = f.precursors.find((e) => /ext4-error|xfs-corruption|btrfs-error|fs-remount-ro/.test(e.kind));
      return p ? { finding: `the filesystem reported errors before the crash: ${p.text.slice(0, 140)}` } : undefined;
    },
    confirm: 'Check the filesystem offline (`fsck -fn`, `xfs_repair -n`) and the disk under it for I/O errors.',
  },
  {
    id: 'reboot-without-panic',
    category: 'hardware',
    weight: 0.35,
    find: (f) => kindEvidence(f, new Set(['unexpected-reboot']), 'the machine restarted without the kernel logging a panic or a shutdown'),
    confirm: 'Check the power and the BMC/IPMI event log (`ipmitool sel elist`) or the hypervisor\'s events for a reset at that time; a hardware or hypervisor watchdog resets a hung machine this way.',
  },
  lineRule('firmware-blamed-line', 'firmware', 0.85, FIRMWARE_BLAMED_LINE, 'the kernel blames the BIOS or firmware', 'Update the BIOS/UEFI and the device firmware to the vendor\'s latest release; the message names what the firmware set up wrong.'),
  lineRule('firmware-bug-line', 'firmware', 0.45, FIRMWARE_BUG_LINE, 'the kernel complained about the firmware', 'Compare the BIOS version in `Hardware name:` with the vendor\'s latest release notes; update the firmware.'),
  {
    id: 'taint-firmware',
    category: 'firmware',
    weight: 0.35,
    find: (f) => {
      const r = f.reports.find((x) => taintLetters(x).has('I') || taintLetters(x).has('A'));
      return r ? { finding: `the kernel was tainted ${taintLetters(r).has('I') ? 'I: it worked around a severe firmware bug' : 'A: an ACPI table was overridden'}`, reportId: r.id } : undefined;
    },
    confirm: 'Find the firmware workaround message early in the boot log (`journalctl -k -b -1 | grep -i firmware`) and update the BIOS/UEFI.',
  },

  // Drivers and modules
  {
    id: 'foreign-module-blamed',
    category: 'third-party-driver',
    weight: 0.8,
    find: (f) => {
      const m = firstBlamedModule(f);
      if (!m?.thirdParty) return undefined;
      const why = m.flags.length > 0 && isForeignModule(m.flags) ? `${m.flags.join('')}: ${describeModuleFlags(m.flags)}` : 'a module that is not part of the kernel tree';
      return { finding: `the blamed code is in module ${m.name} (${why})`, reportId: m.report.id };
    },
    confirm: 'Reproduce without the module (unload or blacklist it) and check for a newer version of it built for this kernel.',
  },
  {
    id: 'device-driver-blamed',
    category: 'driver',
    weight: 0.7,
    find: (f) => {
      for (const r of f.reports) {
        const m = blamedModule(r, f);
        // An out-of-tree or proprietary module is a third-party driver (foreign-module-blamed).
        if (m?.thirdParty) return undefined;
        const what = driverCodeOf(r);
        if (what) return { finding: `the blamed code is a device driver: ${what}`, reportId: r.id };
      }
      return undefined;
    },
    confirm: 'Check the device\'s firmware and the driver\'s version (`modinfo MODULE`, `dmesg | grep MODULE`, `ethtool -i IFACE`) and whether a newer kernel fixes the driver.',
  },
  {
    id: 'in-tree-module-blamed',
    category: 'driver',
    weight: 0.45,
    find: (f) => {
      const m = firstBlamedModule(f);
      return m && !m.thirdParty ? { finding: `the blamed code is in the in-tree module ${m.name}`, reportId: m.report.id } : undefined;
    },
    confirm: 'Check the driver\'s hardware and firmware (`modinfo MODULE`, `dmesg | grep MODULE`) and whether a newer kernel fixes the driver.',
  },
  {
    id: 'foreign-module-loaded',
    category: 'driver',
    weight: 0.2,
    find: (f) => {
      const r = f.reports.find((x) => ['O', 'P', 'E'].some((l) => taintLetters(x).has(l)));
      const blamed = firstBlamedModule(f);
      if (!r || blamed?.thirdParty) return undefined;
      const foreign = r.modules?.linked.filter((m) => isForeignModule(m.flags)).map((m) => `${m.name}(${m.flags.join('')})`) ?? [];
      return { finding: `the kernel was tainted by ${foreign.length > 0 ? foreign.join(', ') : 'an out-of-tree, proprietary or unsigned module'}, not in the trace but able to corrupt memory`, reportId: r.id };
    },
    confirm: 'Upstream and distribution developers ask for a reproduction without tainting modules; try one.',
  },
  {
    id: 'taint-forced-module',
    category: 'driver',
    weight: 0.3,
    find: (f) => {
      const r = f.reports.find((x) => taintLetters(x).has('F') || taintLetters(x).has('R'));
      return r ? { finding: 'a module was force-loaded or force-removed (taint F/R)', reportId: r.id } : undefined;
    },
    confirm: 'Find who ran `modprobe -f`/`insmod -f` or `rmmod -f` (shell history, config management logs).',
  },

  // Kernel bugs
  {
    id: 'sanitizer',
    category: 'kernel-bug',
    weight: 0.65,
    find: (f) => kindEvidence(f, SANITIZER_KINDS, 'a sanitizer caught a memory-safety bug'),
    confirm: 'Sanitizer reports are precise: the access and (for KASAN) the allocation and free stacks name the bug; look the title up on syzbot and lore.kernel.org.',
  },
  {
    id: 'locking-rule',
    category: 'kernel-bug',
    weight: 0.6,
    find: (f) => kindEvidence(f, LOCKING_KINDS, 'a locking or context rule was broken'),
    confirm: 'The lock chain or the atomic context in the report names the code path; check whether a newer stable kernel changed it.',
  },
  {
    id: 'assertion',
    category: 'kernel-bug',
    weight: 0.5,
    find: (f) => kindEvidence(f, ASSERTION_KINDS, 'the kernel caught its own inconsistency (BUG_ON/WARN_ON/list or slab check)'),
    confirm: 'Read the source line the BUG/WARNING names for the condition that failed; search the title in the distribution\'s and the kernel\'s bug trackers.',
  },
  {
    id: 'fault-in-kernel-code',
    category: 'kernel-bug',
    weight: 0.45,
    find: (f) => {
      const r = firstOf(f, FAULT_KINDS);
      if (!r || blamedModule(r, f)) return undefined;
      return { finding: `a bad memory access in in-tree kernel code${r.culprit ? ` (${r.culprit.function})` : ''}`, reportId: r.id };
    },
    confirm: 'Symbolize the trace with the matching debug kernel (`ktriage analyze --vmlinux`) and check the fault address and registers for the pointer that was bad.',
  },
  {
    id: 'stack-overflow',
    category: 'kernel-bug',
    weight: 0.5,
    find: (f) => {
      const found = kindEvidence(f, STACK_OVERFLOW_KINDS, 'the kernel stack overflowed or was overwritten');
      if (found) return found;
      const p = f.reports.find((r) => r.panic && STACK_PANIC_REASONS.has(r.panic.reason));
      return p?.panic ? { finding: `the kernel stack overflowed or was overwritten: ${p.panic.message}`, reportId: p.id } : undefined;
    },
    confirm: 'Look for recursion in the trace, or a deep stack of block/filesystem layers (dm on md on NFS …).',
  },
  {
    id: 'panic-names-lost-report',
    category: 'kernel-bug',
    weight: 0.4,
    find: (f) => {
      const p = f.panic;
      const what = p?.panic ? LOST_REPORT_BY_REASON[p.panic.reason] : undefined;
      if (!p || !what || f.reports.length > 1) return undefined;
      return { finding: `the panic says ${what} came first, but its report is not in the log`, reportId: p.id };
    },
    confirm: 'Find the full log of that boot (the journal, a console capture, the vmcore\'s dmesg): the report before the panic names the bug.',
  },
  {
    id: 'untainted',
    category: 'kernel-bug',
    weight: 0.15,
    find: (f) => (f.first.taint && !f.first.taint.tainted ? { finding: 'the kernel was not tainted: only its own code was running', reportId: f.first.id } : undefined),
    confirm: 'Reproduce on the newest stable kernel of the series before reporting.',
  },

  // Resource exhaustion
  {
    id: 'out-of-memory',
    category: 'resource-exhaustion',
    weight: 0.85,
    find: (f) => {
      const oom = f.reports.find((r) => r.kind === 'oom-kill');
      if (oom) return { finding: `the OOM killer ran${oom.oom?.victim ? ` and killed ${oom.oom.victim.comm} (pid ${oom.oom.victim.pid})` : ''}`, reportId: oom.id };
      return f.panic?.panic?.reason === 'oom' ? { finding: `panic: ${f.panic.panic.message}`, reportId: f.panic.id } : undefined;
    },
    confirm: 'The memory summary in the report shows who held the memory (largest RSS, slab, shmem); compare with the service\'s limits.',
  },
  {
    id: 'hung-on-io',
    category: 'resource-exhaustion',
    weight: 0.55,
    find: (f) => {
      const r = f.reports.find((x) => x.kind === 'hung-task');
      if (!r) return undefined;
      const wait = allFrames(r).find((fr) => IO_WAIT.test(fr.function));
      return wait ? { finding: `a task was blocked waiting for I/O (in ${wait.function})`, reportId: r.id } : undefined;
    },
    confirm: 'Check storage and network-filesystem latency at the time (`iostat -x`, NFS server health); a slow or dead device blocks every writer.',
  },
  {
    id: 'hung-task',
    category: 'resource-exhaustion',
    weight: 0.3,
    find: (f) => kindEvidence(f, new Set(['hung-task']), 'a task was blocked for minutes'),
    confirm: 'Dump every blocked task when it happens (`echo w > /proc/sysrq-trigger`) to see what they all wait for.',
  },
  {
    id: 'stall-in-vm',
    category: 'resource-exhaustion',
    weight: 0.3,
    find: (f) => {
      const r = firstOf(f, STALL_KINDS);
      return r && r.hardware && VIRTUAL_HARDWARE.test(r.hardware.name) ? { finding: `a CPU stall on a virtual machine (${r.hardware.name}): the host may not have run the vCPU`, reportId: r.id } : undefined;
    },
    confirm: 'Check CPU steal time around the stall (`sar -u`, `vmstat` st column) and the host\'s load.',
  },
  lineRule('rcu-kthread-starved', 'resource-exhaustion', 0.4, /kthread (?:starved for|timer wakeup didn't happen)/, "RCU's grace-period thread did not get to run", 'A starved RCU kthread means the CPU was monopolised (real-time tasks, interrupt storm) or the vCPU was not scheduled.'),
  {
    id: 'cpu-stall',
    category: 'kernel-bug',
    weight: 0.35,
    find: (f) => kindEvidence(f, STALL_KINDS, 'a CPU ran kernel code without yielding'),
    confirm: 'The stuck CPU\'s trace shows the loop; a lock in the trace (`_raw_spin_lock`) means another CPU holds it.',
  },

  // Boot path
  {
    id: 'no-root-fs',
    category: 'boot',
    weight: 0.9,
    find: (f) => (f.panic?.panic?.reason === 'vfs-no-root' ? { finding: `panic: ${f.panic.panic.message}`, reportId: f.panic.id } : undefined),
    confirm: '`unknown-block(0,0)` means no device was found (missing initramfs or storage driver); another block number means the device was found but its filesystem could not be mounted.',
  },
  {
    id: 'no-init',
    category: 'boot',
    weight: 0.85,
    find: (f) => (f.panic?.panic?.reason === 'no-init' ? { finding: `panic: ${f.panic.panic.message}`, reportId: f.panic.id } : undefined),
    confirm: 'Boot with `init=/bin/sh` (or `rd.break`/`break=premount`) and check `/sbin/init` and the libraries it needs.',
  },
  {
    id: 'init-killed',
    category: 'boot',
    weight: 0.6,
    find: (f) => {
      const p = f.panic;
      if (p?.panic?.reason !== 'init-killed') return undefined;
      // An oops in PID 1 also ends this way: then the oops is the cause, not the boot.
      if (f.reports.some((r) => r.severity === 'oops' && r !== p)) return undefined;
      const status = initExitStatus(p.panic.message);
      return { finding: `panic: ${p.panic.message}${status ? ` — ${status}` : ''}`, reportId: p.id };
    },
    confirm: 'Look at the lines before the panic for init\'s own last message; an early-boot crash points at the initramfs or the root filesystem.',
  },

  // Configuration: a setting that turned something survivable into a panic
  {
    id: 'escalated-by-setting',
    category: 'configuration',
    weight: 0.3,
    find: (f) => {
      const escalation = escalationOf(f);
      return escalation && f.panic ? { finding: `${escalation.setting} turned the report into a panic (${f.panic.panic?.message ?? f.panic.header})`, reportId: f.panic.id } : undefined;
    },
    confirm: 'Read the panic settings (`sysctl kernel.panic_on_oops kernel.panic_on_warn kernel.hung_task_panic kernel.softlockup_panic vm.panic_on_oom`) and decide whether availability or a dump matters more.',
  },

  // Deliberate crashes
  {
    id: 'sysrq-crash',
    category: 'deliberate',
    weight: 0.95,
    find: (f) => {
      if (f.panic?.panic?.reason === 'sysrq') return { finding: 'the panic was requested with SysRq-c', reportId: f.panic.id };
      const r = f.reports.find((x) => allFrames(x).some((fr) => fr.function === 'sysrq_handle_crash'));
      return r ? { finding: 'sysrq_handle_crash is in the trace: someone wrote c to /proc/sysrq-trigger', reportId: r.id } : undefined;
    },
    confirm: 'Find who triggered it (`journalctl -b -1 | grep -i sysrq`, shell history, a kdump test); a deliberate crash is not a fault.',
  },
  {
    id: 'crash-test-module',
    category: 'deliberate',
    weight: 0.97,
    find: (f) => {
      const r = f.reports.find((x) => x.culprit?.module === 'lkdtm' || x.ip?.module === 'lkdtm' || allFrames(x).some((fr) => fr.module === 'lkdtm' && fr.reliable));
      return r ? { finding: 'the crash was provoked by lkdtm, the kernel\'s crash-test module', reportId: r.id } : undefined;
    },
    confirm: 'Check what wrote to /sys/kernel/debug/provoke-crash/ (a test harness); lkdtm should not be loaded in production.',
  },
];

/** Panic reasons that say the stack overflowed or was overwritten. */
const STACK_PANIC_REASONS: ReadonlySet<string> = new Set(['stack-protector', 'stack-end-corrupted', 'stack-overflow']);

/** A panic that names the report that caused it, when that report is missing from the log. */
const LOST_REPORT_BY_REASON: Readonly<Record<string, string>> = {
  'panic-on-warn': 'a WARNING',
  'fatal-exception': 'an oops',
  'fatal-exception-in-interrupt': 'an oops in interrupt context',
  'panic-on-kmsan': 'a KMSAN report',
};


/** `uncorrected memory controller error, processor context corrupt, CPU 0 bank 4, address 0x1234000`. */
function describeMachineCheck(r: CrashReport): string {
  const d = r.details;
  if (d['mceStatus'] === undefined) return `the CPU reported a machine check: ${r.header.trim().slice(0, 160)}`;
  const parts = [
    `${d['mceUncorrected'] === true ? 'an uncorrected' : 'a corrected'} ${String(d['mceErrorClass'] ?? 'hardware error')}`,
    d['mceProcessorContextCorrupt'] === true ? 'processor context corrupt' : '',
    `CPU ${String(d['mceCpu'])} bank ${String(d['mceBank'])} (status ${String(d['mceStatus'])}: ${String(d['mceStatusBits'])})`,
    d['mceAddr'] !== undefined ? `physical address 0x${String(d['mceAddr'])}` : '',
  ];
  return `the CPU reported a machine check: ${parts.filter(Boolean).join(', ')}`;
}

