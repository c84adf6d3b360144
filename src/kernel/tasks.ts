import { KIND } from './btf.js';
import type { KernelObject } from './kernel-object.js';
import type { KernelView } from './kernel-view.js';

/**
 * Task states as crash names them, checked in order (include/linux/sched.h; these are
 * #defines, so BTF does not carry them). `exit_state` bits are checked first.
 */
export const TASK_STATES: readonly { code: string; letter: string; exitBits?: number; bits?: number; all?: boolean }[] = [
  { code: 'ZO', letter: 'Z', exitBits: 0x20 },
  { code: 'DE', letter: 'X', exitBits: 0x10 },
  { code: 'RU', letter: 'R', bits: 0, all: true },
  { code: 'ID', letter: 'I', bits: 0x402, all: true },
  { code: 'UN', letter: 'D', bits: 0x2 },
  { code: 'IN', letter: 'S', bits: 0x1 },
  { code: 'ST', letter: 'T', bits: 0x4 },
  { code: 'TR', letter: 't', bits: 0x8 },
  { code: 'PA', letter: 'P', bits: 0x40 },
  { code: 'WA', letter: 'W', bits: 0x200 },
  { code: 'NE', letter: 'N', bits: 0x800 },
  { code: 'DE', letter: 'X', bits: 0x80 },
];

/** mm counters (enum in include/linux/mm_types_task.h). */
const MM_FILEPAGES = 0;
const MM_ANONPAGES = 1;
const MM_SHMEMPAGES = 3;

export interface TaskInfo {
  address: bigint;
  pid: number;
  tgid: number;
  ppid: number;
  cpu: number;
  /** crash's state code (RU, IN, UN, ID, ZO…) and ps's letter (R, S, D, I, Z…). */
  state: string;
  stateLetter: string;
  rawState: number;
  comm: string;
  kernelThread: boolean;
  /** Pages; undefined when the mm could not be read. */
  rssPages?: number;
  /** Of rssPages, those still counted in the threads' own caches (before 6.2), not yet in the mm. */
  rssCachedPages?: number;
  vszPages?: number;
  /** The task running on its CPU when the dump was taken. */
  active: boolean;
}

/** Every task: the idle task of each CPU, then each process of `init_task.tasks` and its threads. */
export function readTasks(view: KernelView): TaskInfo[] {
  const active = activeTasks(view);
  const activeSet = new Set(active.values());
  const out: TaskInfo[] = [];
  const seen = new Set<bigint>();
  const add = (t: KernelObject): void => {
    if (seen.has(t.address)) return;
    seen.add(t.address);
    try {
      out.push(taskInfo(view, t, activeSet.has(t.address)));
    } catch (e) {
      view.unknowns.push(`task at 0x${t.address.toString(16)}: ${(e as Error).message}`);
    }
  };
  const init = view.global('init_task');
  add(init);
  for (const cpu of view.onlineCpus()) {
    if (cpu === 0) continue;
    const idle = view.perCpu('runqueues', cpu).member('idle').value();
    if (idle !== 0n) add(view.object(idle, 'struct task_struct'));
  }
  for (const leader of view.listEntries(init.member('tasks'), 'struct task_struct', 'tasks')) {
    add(leader);
    for (const thread of threads(view, leader)) add(thread);
  }
  addCachedRss(view, out);
  return out;
}

/**
 * Before 6.2 each thread keeps up to 64 page events in its own `task->rss_stat` before adding
 * them to the mm (SPLIT_RSS_COUNTING): an mm's RSS is its counters plus every thread's cache.
 */
function addCachedRss(view: KernelView, tasks: TaskInfo[]): void {
  const type = view.type('struct task_struct');
  if (view.btf.memberAt(type, 'rss_stat.count') === undefined) return;
  const cached = new Map<bigint, number>();
  const mmOf = new Map<TaskInfo, bigint>();
  for (const t of tasks) {
    if (t.rssPages === undefined) continue;
    try {
      const task = view.object(t.address, type);
      const mm = task.member('mm').value();
      const pages = [MM_FILEPAGES, MM_ANONPAGES, MM_SHMEMPAGES].reduce((n, i) => n + task.member(`rss_stat.count[${i}]`).number(), 0);
      cached.set(mm, (cached.get(mm) ?? 0) + pages);
      mmOf.set(t, mm);
    } catch {
      view.unknowns.push(`cached RSS of task ${t.pid}`);
    }
  }
  for (const [t, mm] of mmOf) {
    t.rssCachedPages = cached.get(mm) ?? 0;
    t.rssPages = Math.max(0, (t.rssPages as number) + t.rssCachedPages);
  }
}

function threads(view: KernelView, leader: KernelObject): KernelObject[] {
  try {
    const signal = leader.member('signal').deref();
    if (signal.address === 0n || !signal.has('thread_head')) return [];
    return [...view.listEntries(signal.member('thread_head'), 'struct task_struct', 'thread_node')];
  } catch {
    view.unknowns.push(`threads of task 0x${leader.address.toString(16)}`);
    return [];
  }
}

/** The task each online CPU was running: per-CPU current_task (pcpu_hot from 6.2), else rq->curr. */
export function activeTasks(view: KernelView): Map<number, bigint> {
  const out = new Map<number, bigint>();
  for (const cpu of view.onlineCpus()) {
    let task: bigint | undefined;
    try {
      if (view.hasPerCpu('current_task')) task = view.perCpu('current_task', cpu).value();
      else if (view.hasPerCpu('pcpu_hot')) task = view.perCpu('pcpu_hot', cpu).member('current_task').value();
      else task = view.perCpu('runqueues', cpu).member('curr').value();
    } catch {
      view.unknowns.push(`the current task of CPU ${cpu}`);
    }
    if (task !== undefined && task !== 0n) out.set(cpu, task);
  }
  return out;
}

export function taskInfo(view: KernelView, t: KernelObject, active: boolean): TaskInfo {
  const rawState = t.has('__state') ? t.member('__state').number() : t.member('state').number();
  const exitState = t.member('exit_state').number();
  const st = TASK_STATES.find((s) =>
    s.exitBits !== undefined ? (exitState & s.exitBits) !== 0 : s.all ? rawState === s.bits || (s.bits !== 0 && (rawState & (s.bits as number)) === s.bits) : (rawState & (s.bits as number)) !== 0,
  );
  const parent = t.member('real_parent').value();
  const mm = t.member('mm').value();
  const info: TaskInfo = {
    address: t.address,
    pid: t.member('pid').number(),
    tgid: t.member('tgid').number(),
    ppid: parent === 0n || parent === t.address ? 0 : view.object(parent, t.type).member('pid').number(),
    cpu: t.has('thread_info.cpu') ? t.member('thread_info.cpu').number() : t.member('cpu').number(),
    state: st?.code ?? '??',
    stateLetter: st?.letter ?? '?',
    rawState,
    comm: t.member('comm').string(16),
    kernelThread: mm === 0n,
    active,
  };
  if (mm !== 0n) {
    try {
      const m = view.object(mm, 'struct mm_struct');
      info.vszPages = m.member('total_vm').number();
      info.rssPages = [MM_FILEPAGES, MM_ANONPAGES, MM_SHMEMPAGES].reduce((n, i) => n + Math.max(0, mmCounter(view, m, i)), 0);
    } catch {
      view.unknowns.push(`memory of task ${info.pid}`);
    }
  }
  return info;
}

/** get_mm_counter(): an atomic in `mm_rss_stat` (<= 6.1), a percpu_counter from 6.2. */
function mmCounter(view: KernelView, mm: KernelObject, item: number): number {
  const stat = mm.member('rss_stat');
  if (view.btf.kind(view.btf.resolve(stat.type)) === KIND.ARRAY) {
    const counter = stat.index(item);
    let n = counter.member('count').value();
    const pcpu = counter.member('counters').value();
    for (const cpu of view.onlineCpus()) {
      const v = view.mem.tryRead(pcpu + view.perCpuOffset(cpu), 4);
      if (v) n += BigInt(v.readInt32LE(0));
    }
    return Number(n);
  }
  return stat.member(`count[${item}]`).number();
}
