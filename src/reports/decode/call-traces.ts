import { rowsByFirstChar } from '../any-of.js';
import type { CallTrace, FrameContext, StackFrame } from '../crash-report.js';
import { parseFrameLine, type ParsedFrame } from './frame-line.js';
import { parseInstructionPointer } from './instruction-pointer.js';
import { parseRegisterLine } from './registers.js';
import { STACK_HEADERS, type StackHeaderRow } from './stack-headers.js';
import { END_OF_IRQ_MARKER, markerContext } from './stack-markers.js';

export interface ParsedCallTraces {
  stacks: CallTrace[];
  corruptedReasons: string[];
}

/** Lines that start another part of a report: a stack never runs past them. */
const STACK_END = /^(?:---\[ end |Kernel panic - not syncing|Kernel Offset:|Modules linked in:|CPU: \d|Pid: \d|Hardware name:|={10,}|-{10,}|The buggy address|Memory state around|Rebooting in|Showing all locks held|INFO: |BUG: |WARNING: |general protection fault|(?:Oops: )?Oops: |Internal error:|Unable to handle|\d{1,4} locks? held by|irq event stamp:|Dumping ftrace buffer:|Disabling lock debugging|Reported by Kernel Concurrency Sanitizer|page_owner tracks|Mem-Info:|SMP: stopping|CPU\d{1,5}: stopping|other info that might help|Chain exists of:|the existing dependency chain|which lock already depends)/;

/** Lines that may sit inside a stack without ending it: an exception's register dump, arm's stack dumps. */
function isInStackNoise(line: string): boolean {
  const t = line.trim();
  if (t.startsWith('Code: ') || t.startsWith('Exception stack(') || t.startsWith('--- interrupt:')) return true;
  if (/^[0-9a-f]{3,4}: (?:[0-9a-f]{8} ?| {9}){1,8}$/.test(t)) return true;
  return parseInstructionPointer(t) !== undefined || parseRegisterLine(t).length > 0;
}

/** Unrecognised lines (another CPU's messages) tolerated inside a stack before it is considered over. */
const MAX_FOREIGN_LINES = 5;
/** Lines a `task:…`/`NMI backtrace for cpu N` line waits for its `Call Trace:`. */
const PENDING_LIFETIME = 6;

interface PendingStack {
  label: string;
  task?: string;
  age: number;
  neverMain: boolean;
}

interface OpenStack {
  trace: CallTrace;
  contexts: FrameContext[];
  sawClose: boolean;
  foreign: number;
  /** arm: the `from [<…>] (caller)` half, added if the next line does not start with it. */
  caller?: ParsedFrame;
  generic: boolean;
}

function fill(template: string | undefined, m: RegExpExecArray): string | undefined {
  if (template === undefined) return undefined;
  return template.replace(/\$(\d)/g, (_, g: string) => m[Number(g)] ?? '').trim();
}

const headersFor = rowsByFirstChar(STACK_HEADERS, (row) => row.re);

function matchHeader(t: string): { row: StackHeaderRow; m: RegExpExecArray } | undefined {
  for (const row of headersFor(t)) {
    const m = row.re.exec(t);
    if (m) return { row, m };
  }
  return undefined;
}

/**
 * Every stack of a report, in order: the main `Call Trace:`, KASAN/KFENCE allocation and free
 * stacks, lockdep chain links, hung-task and NMI-backtrace stacks of other tasks… Frames are found
 * by shape; `<IRQ>`/`<NMI>`/`<TASK>` markers give each frame its context.
 */
export function parseCallTraces(lines: readonly string[]): ParsedCallTraces {
  const stacks: CallTrace[] = [];
  const reasons = new Set<string>();
  let cur: OpenStack | undefined;
  let pending: PendingStack | undefined;
  let raceCount = 0;

  // Read through a function: the closures below reassign `cur`, which flow analysis cannot see.
  const current = (): OpenStack | undefined => cur;
  const hasMain = (): boolean => stacks.some((s) => s.label === 'main') || cur?.trace.label === 'main';
  // A stack that ended only because other output flooded in: its frames may resume after it.
  let interrupted: OpenStack | undefined;
  const close = (): void => {
    interrupted = undefined;
    if (!cur) return;
    if (cur.caller) {
      cur.trace.frames.push(withContext(cur, cur.caller));
      cur.caller = undefined;
    }
    if (cur.trace.frames.length > 0) {
      if (!stacks.includes(cur.trace)) stacks.push(cur.trace);
      // Only the report's own trace being empty makes the report short of one; another task's or
      // CPU's stack cut off (hung-task lists, NMI backtraces) leaves the report as usable as it was.
    } else if (cur.generic && cur.trace.label === 'main') reasons.add('call trace truncated');
    cur = undefined;
  };
  const open = (label: string, task: string | undefined, generic: boolean): void => {
    close();
    const trace: CallTrace = task !== undefined && task !== '' ? { label, task, frames: [] } : { label, frames: [] };
    cur = { trace, contexts: [], sawClose: false, foreign: 0, generic };
  };
  const openGeneric = (): void => {
    const label = hasMain() || pending?.neverMain === true ? (pending?.label ?? 'other') : 'main';
    open(label, pending?.task, true);
    pending = undefined;
  };

  for (const line of lines) {
    const t = line.trim();
    if (pending && ++pending.age > PENDING_LIFETIME) pending = undefined;
    const header = t === '' ? undefined : matchHeader(t);
    if (header) {
      const { row, m } = header;
      if (row.type === 'pending') {
        close();
        // `RCU grace-period kthread stack dump:` then `task:rcu_sched …`: keep the purpose, add the task.
        const keep = pending?.neverMain === true && row.label === 'task';
        const label = keep && pending ? pending.label : (row.label ?? 'other');
        const next: PendingStack = { label, age: 0, neverMain: keep || row.neverMain === true };
        const task = fill(row.task, m) ?? pending?.task;
        if (task !== undefined) next.task = task;
        pending = next;
      } else if (row.type === 'generic') {
        openGeneric();
      } else {
        let label = fill(row.label, m) ?? 'other';
        if (label === 'race-access') label = `race-access-${++raceCount}`;
        if (label === 'main' && hasMain()) label = 'other';
        open(label, fill(row.task, m) ?? pending?.task, false);
        pending = undefined;
      }
      continue;
    }
    if (t === '' || STACK_END.test(t)) {
      close();
      continue;
    }
    const fl = parseFrameLine(line);
    if (!fl) {
      if (cur && !isInStackNoise(line) && ++cur.foreign > MAX_FOREIGN_LINES) {
        const flooded = cur;
        close();
        interrupted = flooded;
      }
      continue;
    }
    if (!cur && interrupted) {
      // Another task's or the console's lines ran through the trace: this is its continuation.
      cur = interrupted;
      interrupted = undefined;
    } else if (!cur) {
      // Frames with their own address brackets or a context marker need no header (arm, riscv).
      if (fl.kind === 'frame' && !fl.bracketed) continue;
      openGeneric();
    }
    const s = current();
    if (!s) continue;
    s.foreign = 0;
    if (fl.kind === 'marker') {
      applyMarker(s, fl.marker, fl.closing);
      if (fl.frame) addFrame(s, fl.frame);
      continue;
    }
    if (s.caller && s.caller.function !== fl.frame.function) s.trace.frames.push(withContext(s, s.caller));
    s.caller = fl.caller;
    addFrame(s, fl.frame);
  }
  // A stack still inside `<TASK>`/`<IRQ>` when the lines run out was cut short.
  const last = current();
  if ((last?.contexts.length ?? 0) > 0 && last?.trace.label === 'main') reasons.add('call trace truncated');
  close();
  // The report's own trace first: consumers read stacks[0] as "the" call trace.
  const main = stacks.findIndex((s) => s.label === 'main');
  if (main > 0) stacks.unshift(...stacks.splice(main, 1));
  return { stacks, corruptedReasons: [...reasons] };
}

function currentContext(s: OpenStack): FrameContext {
  return s.contexts[s.contexts.length - 1] ?? (s.sawClose ? 'task' : 'unknown');
}

function withContext(s: OpenStack, f: ParsedFrame): StackFrame {
  return { ...f, context: currentContext(s) };
}

function addFrame(s: OpenStack, f: ParsedFrame): void {
  s.trace.frames.push(withContext(s, f));
}

function applyMarker(s: OpenStack, marker: string, closing: boolean): void {
  if (marker === END_OF_IRQ_MARKER) {
    s.contexts.pop();
    s.sawClose = true;
    return;
  }
  const ctx = markerContext(marker) ?? 'unknown';
  if (!closing) {
    s.contexts.push(ctx);
    return;
  }
  const at = s.contexts.lastIndexOf(ctx);
  if (at >= 0) s.contexts.length = at;
  s.sawClose = true;
}
