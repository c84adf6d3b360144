/**
 * The central model: one decoded kernel report. Produced by src/reports/, read by analysis and
 * renderers. Serialised as-is by `--json`; docs/crash-report.schema.json describes it and
 * changes to it bump SCHEMA_VERSION.
 *
 * Addresses and register values are hex strings without `0x` exactly as the kernel printed them
 * (64-bit values do not fit a JSON number).
 */
import type { Diagnosis } from '../analysis/diagnosis.js';

export const SCHEMA_VERSION = 2;

/** What a report is; the rows of src/reports/kinds.ts. */
export type ReportKind =
  | 'panic'
  | 'page-fault'
  | 'null-pointer-dereference'
  | 'general-protection-fault'
  | 'kernel-bug'
  | 'invalid-opcode'
  | 'divide-error'
  | 'stack-segment-fault'
  | 'warning'
  | 'kasan'
  | 'kfence'
  | 'ubsan'
  | 'kmsan'
  | 'kcsan'
  | 'memory-leak'
  | 'soft-lockup'
  | 'hard-lockup'
  | 'spinlock-lockup'
  | 'rcu-stall'
  | 'hung-task'
  | 'oom-kill'
  | 'machine-check'
  | 'edac'
  | 'scheduling-while-atomic'
  | 'sleeping-in-atomic'
  | 'lockdep'
  | 'list-corruption'
  | 'stack-protector'
  | 'stack-overflow'
  | 'double-fault'
  | 'bad-page-state'
  | 'slab-corruption'
  | 'arm-oops'
  | 'kernel-oops'
  | 'bug'
  | 'unexpected-reboot'
  | 'other';

/** How bad a report is on its own: it killed the machine, it killed a task, or it is a warning. */
export type Severity = 'fatal' | 'oops' | 'error' | 'warning';

/** Where a stack frame ran, from the `<IRQ>`/`<NMI>`/… markers around it. */
export type FrameContext = 'task' | 'irq' | 'softirq' | 'nmi' | 'exception' | 'unknown';

export interface ReportLine {
  text: string;
  /** Input name and 1-based line number. */
  source: string;
  line: number;
  ts?: number;
}

export interface TaintFlag {
  letter: string;
  bit: number;
  meaning: string;
}

export interface Taint {
  /** As printed, e.g. `G    B   W  O      ` or `Not tainted`. */
  raw: string;
  tainted: boolean;
  flags: TaintFlag[];
}

export interface KernelBuild {
  /** `uname -r`, e.g. `6.1.0-56-cloud-amd64`. */
  release: string;
  /** The rest of the version string, e.g. `#1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2`. */
  build?: string;
}

export interface Hardware {
  /** `Hardware name:` value, e.g. `QEMU Standard PC (i440FX + PIIX, 1996)`. */
  name: string;
  /** BIOS part when the line carries one, e.g. `1.16.2-debian-1.16.2-1 04/01/2014`. */
  bios?: string;
}

/** A code location as printed: `func+0x1a/0x40 [module]`. */
export interface CodeLocation {
  /** Full text as printed, without the `RIP: 0010:` prefix. */
  raw: string;
  address?: string;
  function?: string;
  /** Offset into the function, hex without 0x. */
  offset?: string;
  /** Size of the function, hex without 0x. */
  size?: string;
  module?: string;
  /** Module build id when the kernel prints it (`[mod 1234abcd…]`). */
  buildId?: string;
  /** Code segment selector for x86 (`0010` kernel, `0033` user). */
  segment?: string;
  /** Source location from the kernel's debug info, when `--vmlinux`/`--modules` were given. */
  resolved?: ResolvedLocation;
}

/**
 * Where an address is in the source, read from the kernel's debug info (`--vmlinux`,
 * `--modules`; src/symbols/). The same answer as `addr2line -f -i -e vmlinux ADDRESS`.
 */
export interface ResolvedLocation {
  /** Address looked up in the symbol file, hex without 0x: a return address minus one. */
  address: string;
  /** Symbol file that answered (vmlinux or the module's .ko path). */
  object: string;
  /** Innermost function at the address (an inlined one when the code was inlined). */
  function?: string;
  file?: string;
  /** 0 or absent when the debug info has no line for the address. */
  line?: number;
  discriminator?: number;
  /** Functions the code was inlined into, innermost first, each with its call site. */
  inlinedInto: { function?: string; file?: string; line?: number }[];
  /** Why the answer may be wrong: the symbol's size differs from the printed one (a vmlinux other than the one that crashed). */
  mismatch?: string;
}

export interface Registers {
  arch: 'x86_64' | 'i386' | 'arm64' | 'arm' | 'powerpc' | 'riscv' | 's390' | 'unknown';
  /** Register name (as the kernel prints it, upper-case on x86) → hex value without 0x. */
  values: Record<string, string>;
  /** `user` when the only dump printed is the user-mode one (the syscall that entered the kernel). */
  mode?: 'kernel' | 'user';
}

/** What a faulting data address (CR2, `address:`, `virtual address`) tells. */
export interface FaultAddress {
  address: string;
  meaning:
    | 'null-pointer'
    | 'non-canonical'
    | 'poison'
    | 'user-space'
    | 'kernel-space'
    | 'unknown';
  /** For a NULL pointer: the offset of the field being accessed. */
  nullOffset?: number;
  /** For a poison value: which one (e.g. `LIST_POISON1`, `slab free poison 0x6b`). */
  poison?: string;
  explanation: string;
}

export interface PageFaultErrorCode {
  code: number;
  protection: boolean;
  write: boolean;
  user: boolean;
  reservedBit: boolean;
  instructionFetch: boolean;
  protectionKey: boolean;
  shadowStack: boolean;
  sgx: boolean;
  /** e.g. `supervisor write access in kernel mode, not-present page`. */
  description: string;
  /** The `#PF:` lines (or the older `#PF error: [...]`) as printed. */
  lines: string[];
}

export interface CodeBytes {
  raw: string;
  /** Bytes (x86) or instruction words (arm64) as hex strings in print order. */
  bytes: string[];
  /** Index in `bytes` of the faulting one (`<xx>` / `(xxxxxxxx)`), if marked. */
  faultIndex?: number;
  /** Set when the kernel could not read the bytes (`Unable to access opcode bytes`). */
  unavailable?: boolean;
  /** The bytes disassembled (`analyze --disassemble`; src/symbols/disassemble-code.ts). */
  disassembly?: CodeDisassembly;
}

/** `Code:` bytes as instructions, the faulting one marked and explained with the registers. */
export interface CodeDisassembly {
  /** `x86-64` in AT&T syntax (as the kernel's decodecode prints it) or `arm64`. */
  arch: 'x86-64' | 'arm64';
  instructions: {
    /** Byte offset from the faulting instruction (negative before it). */
    offset: number;
    /** The instruction's bytes, hex. */
    bytes: string;
    text: string;
    faulting: boolean;
  }[];
  /** What the faulting instruction did, with the register values of the report. */
  explanation?: string;
}

export interface StackFrame {
  /** Return/instruction address when printed. */
  address?: string;
  /** Symbol name; a frame printed as a bare address has `0x…` here. */
  function: string;
  offset?: string;
  size?: string;
  module?: string;
  /** `?` frames: found on the stack but not proven part of the chain. */
  reliable: boolean;
  context: FrameContext;
  /** Source location when printed inline (`fs/ext4/inode.c:123`, KASAN/syzbot symbolized logs). */
  file?: string;
  line?: number;
  inlined?: boolean;
  /** Source location from the kernel's debug info, when `--vmlinux`/`--modules` were given. */
  resolved?: ResolvedLocation;
  raw: string;
}

export interface CallTrace {
  /** `main`, `allocated`, `freed`, `last-call`, `second-to-last-call`, `task`, `lock-held`, … */
  label: string;
  /** Task/pid the stack belongs to when the report says (KASAN `Allocated by task 123:`). */
  task?: string;
  frames: StackFrame[];
}

/** KASAN / KFENCE / KMSAN details of the bad access. */
export interface MemoryAccess {
  /** `use-after-free`, `slab-out-of-bounds`, `null-ptr-deref`, `uninit-value`, `invalid read` … */
  bugType: string;
  access?: 'read' | 'write' | 'free' | 'unknown';
  size?: number;
  address?: string;
  task?: string;
  pid?: number;
  /** Slab cache of the object (`kmalloc-64`). */
  cache?: string;
  objectAddress?: string;
  objectSize?: number;
  /** Where the address lies relative to the object, as printed (`8 bytes inside of`). */
  relation?: string;
}

export interface LinkedModule {
  name: string;
  /** Taint / state letters printed in parentheses after the name: O, E, P, F, C, +, -. */
  flags: string[];
}

export interface OomKill {
  /** The task that asked for memory and invoked the killer. */
  trigger?: { comm: string; gfpMask?: string; order?: number; oomScoreAdj?: number };
  constraint?: string;
  victim?: {
    pid: number;
    comm: string;
    uid?: number;
    totalVmKb?: number;
    anonRssKb?: number;
    fileRssKb?: number;
    shmemRssKb?: number;
    oomScoreAdj?: number;
  };
  /** Lines from `Mem-Info:` on, kept for the reader. */
  memorySummary: string[];
}

export interface PanicInfo {
  /** Text after `Kernel panic - not syncing: `. */
  message: string;
  /** Normalised reason: `fatal-exception`, `init-killed`, `vfs-no-root`, `oom`, `hung-task`, … */
  reason: string;
}

/** The machine-check bank registers a report may print after `Bank N:`. */
export type MceRegisterKey = 'mceTsc' | 'mceAddr' | 'mceMisc' | 'mceSynd' | 'mceIpid';
/** The `key:value` pairs of an EDAC error line's parenthesis. */
export type EdacFieldKey = 'edacChannel' | 'edacSlot' | 'edacPage' | 'edacOffset' | 'edacGrain' | 'edacSyndrome';

/**
 * Kind-specific facts, flat: every key a decoder may set, each with its meaning. Hex values as
 * printed, without `0x` unless the kernel printed it.
 */
export interface ReportDetails extends Partial<Record<MceRegisterKey | EdacFieldKey, string>> {
  /** BUG/WARNING location: `fs/ext4/inode.c` and its line. */
  sourceFile?: string;
  sourceLine?: number;
  /** `list_add`, `list_del`… corruption, and the kernel's sentence about it. */
  listCorruption?: string;
  listCorruptionDetail?: string;
  /** The stack guard page that was hit (`BUG: TASK stack guard page was hit at …`). */
  stackGuardHit?: string;
  /** The non-canonical address of a `general protection fault, probably for non-canonical address`. */
  gpfAddress?: string;
  /** KASAN's `[start-end]` shadow range of a wild access. */
  kasanRange?: string;
  /** Why a page fault on an instruction fetch happened (NX, user page from kernel). */
  execHint?: string;
  /** The user-mode RIP of a report printed from a system call (segment 0033), never put in `ip`. */
  userModeIp?: string;
  /** `Kernel panic - … kdump` lines: a crash kernel was loaded. */
  kdumpLoaded?: boolean;
  /** arm64 aborts: ESR, its exception class and fault status code with their names, write or read, IL bit, the region of the address. */
  esr?: string;
  ec?: string;
  ecName?: string;
  fsc?: string;
  fscName?: string;
  write?: boolean;
  instructionLength?: number;
  esrExplanation?: string;
  addressRegion?: string;
  /** Soft lockup: the CPU, how long, and the task stuck on it. */
  stuckCpu?: number;
  stuckSeconds?: number;
  stuckComm?: string;
  stuckPid?: number;
  /** Hard lockup: the CPU. */
  hardLockupCpu?: number;
  /** Hung task: the task, where it is blocked (`in D state`…), for how long. */
  blockedComm?: string;
  blockedPid?: number;
  blockedIn?: string;
  blockedSeconds?: number;
  /** RCU stall: flavour (`rcu_preempt`), `self-detected`/`detected`/`expedited`, the CPUs, timing and kthread starvation. */
  rcuFlavor?: string;
  rcuStall?: string;
  stalledCpus?: string;
  detectedByCpu?: number;
  stallJiffies?: number;
  gracePeriod?: number;
  callbacksQueued?: number;
  kthreadStarvedJiffies?: number;
  /** Machine check: CPU, bank, status and its bits, the processor line, MCG status, microcode. */
  mceCpu?: number;
  mceBank?: number;
  mceStatus?: string;
  mceStatusBits?: string;
  mceUncorrected?: boolean;
  mceProcessorContextCorrupt?: boolean;
  mceErrorClass?: string;
  mceProcessor?: string;
  mceTime?: number;
  mceSocket?: number | string;
  mceApic?: string;
  mcgStatus?: string;
  microcode?: string;
  /** EDAC: controller, counts, the error and where. */
  edacController?: string;
  edacCorrectedErrors?: number;
  edacUncorrectedErrors?: number;
  edacError?: string;
  edacLocation?: string;
  /** APEI/GHES hardware error: severity, section type, physical address. */
  ghesSeverity?: string;
  ghesSection?: string;
  ghesPhysicalAddress?: string;
}

export interface CrashReport {
  /** `r1`, `r2`… in log order. */
  id: string;
  kind: ReportKind;
  severity: Severity;
  /** One-line syzbot-style title (`KASAN: use-after-free Read in foo`), set by src/analysis/. */
  title: string;
  /** The function blamed, with where that came from; absent when no frame could be blamed. */
  culprit?: { function: string; module?: string; from: 'header' | 'ip' | 'stack' };
  /** Digest of the title: equal crashes on any host, boot or KASLR slide share it. */
  bucket?: string;
  /** The line that opened the report, without prefixes. */
  header: string;
  corrupted: boolean;
  corruptedReasons: string[];
  /** The report's own lines, in order, with where they were in the input. */
  lines: ReportLine[];
  host?: string;
  boot?: string;
  /** Seconds since boot of the header line. */
  ts?: number;
  wallTime?: string;
  cpu?: number;
  pid?: number;
  /** `UID:` of the CPU line (6.x kernels). */
  uid?: number;
  comm?: string;
  taint?: Taint;
  kernel?: KernelBuild;
  hardware?: Hardware;
  /** RIP / pc in the kernel. A user-mode RIP (segment 0033) is never put here: see `details.userModeIp`. */
  ip?: CodeLocation;
  /** arm64 lr, when printed. */
  lr?: CodeLocation;
  registers?: Registers;
  faultAddress?: FaultAddress;
  pageFault?: PageFaultErrorCode;
  code?: CodeBytes;
  stacks: CallTrace[];
  memoryAccess?: MemoryAccess;
  modules?: { linked: LinkedModule[]; unloaded?: string[] };
  oom?: OomKill;
  panic?: PanicInfo;
  details: ReportDetails;
}

/** Disk, link and filesystem distress seen before a crash; not a crash itself. */
export interface PrecursorEvent {
  /** `ata-link-reset`, `block-io-error`, `ext4-error`, `xfs-corruption`, `fs-remount-ro`, … */
  kind: string;
  text: string;
  source: string;
  line: number;
  ts?: number;
  host?: string;
  /** Device named in the line (`sda`, `ata3`, `nvme0n1`). */
  device?: string;
}

/** Reports that belong together: a WARNING that led to an oops that led to a panic. */
export interface Incident {
  id: string;
  reportIds: string[];
  /** The report that started it (the first cause). */
  firstCause: string;
  host?: string;
  boot?: string;
  /** Likely cause, known issues and next steps (src/analysis/diagnose-incident.ts). */
  diagnosis?: Diagnosis;
}

/** What `ktriage analyze --json` prints. */
export interface AnalysisResult {
  schemaVersion: number;
  reports: CrashReport[];
  incidents: Incident[];
  precursors: PrecursorEvent[];
  /** Storage events past the first 10,000, counted but not listed. */
  precursorsDropped?: number;
  /** For each crash dump read: what its own kernel structures show (`ktriage vmcore bt/ps/mod`). */
  kernels?: DumpKernelState[];
  /**
   * Last in the document: its line counts are known only at the end. `dump`: for a crash dump,
   * its container and page compression (`format` is then that of the log read out of it).
   */
  inputs: { source: string; format: string; dump?: string; lines: number; partial?: string }[];
}

/** A task's stack read from a dump: frames as `function+0xoff [module]`, `?` first when unreliable. */
export interface DumpTaskTrace {
  pid: number;
  comm: string;
  cpu: number;
  /** Address of its task_struct, `0x…`. */
  task: string;
  /** crash's state code: RU, IN, UN (D state), ID, ZO… */
  state: string;
  frames: string[];
  /** Why the unwind stopped before the end of the stack. */
  stopped?: string;
}

/**
 * The kernel state a dump holds, read from its own kallsyms, BTF and ORC (Linux >= 6.0); see
 * docs/vmcore.md. Present for every dump input; `unavailable` says why the rest is absent.
 */
export interface DumpKernelState {
  source: string;
  unavailable?: string;
  /** Values that could not be read (filtered or corrupt pages): the rest is still given. */
  partial?: string[];
  panicTask?: DumpTaskTrace;
  /** The active task of every CPU. */
  cpus?: DumpTaskTrace[];
  /** Tasks in uninterruptible sleep (D state) and where each is stuck: the hung-task suspects. */
  blockedTasks?: DumpTaskTrace[];
  /** The largest tasks by RSS (given for out-of-memory reports). */
  largestTasks?: { pid: number; comm: string; rssKiB: number; vszKiB: number }[];
  modules?: { name: string; base: string; size: number; taints: string }[];
}

/** What is left of an analysis once its reports were handed on: the rest of the document. */
export type AnalysisTail = Omit<AnalysisResult, 'schemaVersion' | 'reports'>;
