import type { CrashReport, StackFrame } from '../reports/crash-report.js';
import { recipeFor } from './frame-recipes.js';
import { pickFrame } from './pick-frame.js';
import { readableLines } from './readable-lines.js';
import { isForeignModule } from '../reports/decode/module-flags.js';
import { kindsTagged } from '../reports/kinds.js';
import { canonicalFunction, demangle, isSkippedFrame, stripCompilerSuffix, stripWrapperPrefix } from './skip-frames.js';

/** The frame a report is blamed on. */
export interface Culprit {
  /** Function name without compiler suffixes or syscall-wrapper prefixes. */
  function: string;
  module?: string;
  /** Where the name came from: the report's header, the instruction pointer, or a stack frame. */
  from: 'header' | 'ip' | 'stack';
}

/** `in func+0x12/0x34` in a header (KASAN, KFENCE, KMSAN, KCSAN, UBSAN-less) or `at file:line func+0x…` (WARNING). */
const HEADER_FUNCTION = /(?:\bin:?|\bat \S+:\d+) ([\w.$]+)\+0x[0-9a-f]+\/0x[0-9a-f]+|^BUG: KCSAN: [\w -]+? in ([\w.$]+)(?: \/ |$)/;

/** lockdep names where the offending lock is taken: `(&buf->lock){+.+...}, at: [<…>] tty_buffer_flush+0xbb/0x3a0`. */
const LOCK_SITE = /\bat: (?:\[<[0-9a-f]+>\] )?([\w.$]+)\+0x[0-9a-f]+\/0x[0-9a-f]+(?: \[([\w-]{1,64})\])?/;

/**
 * Kinds whose instruction pointer is in the code that noticed the problem, not the code at
 * fault: a task stuck somewhere, or a context rule broken (blame the trace instead).
 */
const IP_NOT_AT_FAULT = kindsTagged('ip-not-at-fault');
/** Kinds printed from an interrupt about the code it interrupted: blame the interrupted frames. */
const INTERRUPTED_KINDS = kindsTagged('interrupted');

/**
 * Functions that call the code a stalled or looping CPU was running on behalf of someone: the
 * frame they called is the interesting one (the ioctl handler, the work item, the timer, the
 * protocol handler, the syscall). The innermost dispatcher on the stack wins.
 */
const DISPATCHERS: readonly RegExp[] = [
  /^(?:vfs_ioctl|do_vfs_ioctl|__se_sys_ioctl|ksys_ioctl|blkdev_ioctl|compat_blkdev_ioctl|__blkdev_driver_ioctl|compat_sys_ioctl|__se_compat_sys_ioctl|compat_SyS_ioctl|__ia32_compat_sys_ioctl)$/,
  /^nfnetlink_rcv_(?:msg|batch)$/,
  /^(?:mmap_region|call_mmap)$/,
  /^(?:rtnetlink_rcv_msg|genl_family_rcv_msg\w*|genl_rcv_msg)$/,
  /^(?:__)?vfs_(?:read|write|readv|writev|iter_read|iter_write)$|^new_sync_(?:read|write)$|^do_iter_readv_writev$/,
  /^process_one_work$/,
  /^call_timer_fn$/,
  /^__netif_receive_skb_(?:core|one_core)$/,
  /^task_work_run$/,
  /^(?:do_syscall_64|do_fast_syscall_32|do_int80_syscall_32|invoke_syscall|el0_svc_common|do_syscall_32_irqs_on|ret_fast_syscall|entry_SYSCALL_64_fastpath)$/,
];

/** The frame a dispatcher called, for kinds about a CPU stuck running something. */
function dispatchedFrame(frames: readonly StackFrame[]): StackFrame | undefined {
  for (let i = 1; i < frames.length; i++) {
    const name = stripCompilerSuffix(frames[i]?.function ?? '');
    if (DISPATCHERS.some((re) => re.test(name))) return frames[i - 1];
  }
  return undefined;
}

/**
 * Picks the function to blame: the one the header names, else the faulting instruction, else
 * the first frame of the report's own trace that is not shared machinery (skip-frames.ts).
 * A frame in an out-of-tree, proprietary or unsigned module is preferred over in-tree code.
 */
export function findCulprit(report: CrashReport): Culprit | undefined {
  const candidates: Culprit[] = [];
  // An RCU stall's own frames are the timer interrupt that noticed it; what the CPU was doing
  // for whom is what groups stalls (a soft lockup's spinning RIP is the better answer there).
  if (report.kind === 'rcu-stall') {
    const frames = (report.stacks[0]?.frames ?? []).filter((f) => f.reliable);
    // A CPU stuck in a cross-CPU call or an RCU wait is that, whoever asked for it.
    const family = frames.find((f) => canonicalFunction(stripCompilerSuffix(f.function)) !== stripCompilerSuffix(f.function));
    if (family) return { function: nameOf(family.function), from: 'stack' };
    const dispatched = dispatchedFrame(frames);
    if (dispatched) return { function: nameOf(dispatched.function), from: 'stack', ...(dispatched.module ? { module: dispatched.module } : {}) };
  }
  // The lock sites name where a lock was taken; an RCU-usage report's held locks are not its cause.
  if (report.kind === 'lockdep' && !/suspicious RCU usage|non-static key/.test(report.header)) {
    // The first lock site the report names that is not a locking helper itself.
    for (const line of report.lines) {
      const [, site, module] = LOCK_SITE.exec(line.text) ?? [];
      // The module the lock site names is kept: a lock taken in a driver is that driver's.
      if (site && !isSkippedFrame(site)) candidates.push({ function: site, from: 'stack', ...(module ? { module } : {}) });
    }
  }
  const header = HEADER_FUNCTION.exec(report.header);
  const fromHeader = header?.[1] ?? header?.[2];
  if (fromHeader) candidates.push({ function: fromHeader, from: 'header' });
  if (report.ip?.function && !IP_NOT_AT_FAULT.has(report.kind)) {
    const ip: Culprit = { function: report.ip.function, from: 'ip' };
    if (report.ip.module) ip.module = report.ip.module;
    candidates.push(ip);
  }
  for (const frame of traceFrames(report)) {
    const c: Culprit = { function: frame.function, from: 'stack' };
    if (frame.module) c.module = frame.module;
    candidates.push(c);
  }
  const usable = candidates.filter((c) => !isSkippedFrame(c.function, c.from === 'header'));
  const suspectModules = suspiciousModules(report);
  const chosen = usable.find((c) => c.module !== undefined && suspectModules.has(c.module)) ?? usable[0];
  if (!chosen) return undefined;
  return { ...chosen, function: nameOf(chosen.function) };
}

/**
 * `onlyInHeader`: the recipe found no frame and the header's function stands in. The report is
 * still cut short (its title says `corrupted`, as syzbot's does), but the user gets a name.
 */
export type RecipeCulprit = Culprit & { onlyInHeader?: true };

/**
 * The culprit of a report whose title family has a recipe (frame-recipes.ts): read from the
 * header line on. A report cut short before its trace may borrow the lines of the panic it
 * caused (`more`). A frame in an out-of-tree, proprietary or unsigned module still wins.
 */
export function culpritByRecipe(report: CrashReport, family: string, more: readonly string[] = []): RecipeCulprit | undefined {
  const recipe = recipeFor(family, report.header);
  if (!recipe) return findCulprit(report);
  const picked = pickFrame(readableLines(report, more), recipe);
  const suspect = suspectFrame(report);
  if (suspect) return suspect;
  // No frame left (the trace was cut off, or only reporting machinery was printed): the header
  // still names where the check fired (`WARNING: … at drivers/iommu/dmar.c:843 warn_invalid_dmar+0x69/0x80`).
  const header = HEADER_FUNCTION.exec(report.header)?.[1];
  const fallback = header && !isSkippedFrame(header) ? stripCompilerSuffix(header) : undefined;
  if (!('function' in picked) && !fallback) return undefined;
  const name = 'function' in picked ? picked.function : (fallback ?? '');
  const frame = (report.stacks[0]?.frames ?? []).find((f) => stripCompilerSuffix(f.function) === name);
  const from: Culprit['from'] = report.ip?.function && stripCompilerSuffix(report.ip.function) === name ? 'ip' : stripCompilerSuffix(HEADER_FUNCTION.exec(report.header)?.[1] ?? '') === name ? 'header' : 'stack';
  const module = (from === 'ip' ? report.ip?.module : frame?.module) ?? moduleNamedWith(report, name);
  return { function: demangle(stripWrapperPrefix(name)), from, ...(module ? { module } : {}), ...('function' in picked ? {} : { onlyInHeader: true as const }) };
}

/**
 * The module a line of the report prints after the function (`at: cryptodev_ioctl+0x1cc/0xe1c
 * [cryptodev]`): lockdep's lock sites and the header name functions that are in no decoded trace.
 */
function moduleNamedWith(report: CrashReport, name: string): string | undefined {
  for (const line of report.lines) {
    const at = line.text.indexOf(`${name}+0x`);
    if (at < 0) continue;
    const module = /^[\w.]*\+0x[0-9a-f]+\/0x[0-9a-f]+ \[([\w-]{1,64})\]/.exec(line.text.slice(at + name.length))?.[1];
    if (module) return module;
  }
  return undefined;
}

/** The first reliable frame (or the IP) in a module the kernel marks out-of-tree, proprietary or unsigned. */
function suspectFrame(report: CrashReport): Culprit | undefined {
  const suspects = suspiciousModules(report);
  if (suspects.size === 0) return undefined;
  if (report.ip?.function && report.ip.module && suspects.has(report.ip.module)) return { function: nameOf(report.ip.function), from: 'ip', module: report.ip.module };
  const frame = (report.stacks[0]?.frames ?? []).find((f) => f.reliable && f.module !== undefined && suspects.has(f.module) && !isSkippedFrame(f.function));
  return frame?.module ? { function: nameOf(frame.function), from: 'stack', module: frame.module } : undefined;
}

function nameOf(frame: string): string {
  return canonicalFunction(stripWrapperPrefix(stripCompilerSuffix(frame)));
}

/** The reliable frames of the report's own trace, in the part the kind points at. */
function traceFrames(report: CrashReport): StackFrame[] {
  const frames = (report.stacks[0]?.frames ?? []).filter((f) => f.reliable);
  if (INTERRUPTED_KINDS.has(report.kind)) {
    // The interrupt's own frames come first; what it interrupted runs in task context after them.
    const firstTask = frames.findIndex((f, i) => i > 0 && f.context === 'task' && frames[i - 1]?.context !== 'task');
    if (firstTask > 0) return frames.slice(firstTask);
  }
  return frames;
}

/** Modules the kernel marks out-of-tree (O), proprietary (P), unsigned (E), forced (F) or staging (C). */
function suspiciousModules(report: CrashReport): Set<string> {
  return new Set((report.modules?.linked ?? []).filter((m) => isForeignModule(m.flags)).map((m) => m.name));
}
