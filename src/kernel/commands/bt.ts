import { KtError } from '../../errors.js';
import type { KernelView } from '../kernel-view.js';
import { allTasks, unwinder } from '../loaded.js';
import { cpuStart, sleepingStart, type UnwindStart } from '../registers.js';
import { activeTasks, type TaskInfo } from '../tasks.js';
import type { Backtrace } from '../unwind.js';

export interface TaskBacktrace extends Backtrace {
  task: Pick<TaskInfo, 'pid' | 'address' | 'cpu' | 'comm' | 'state'>;
  /** Where the first frame's registers came from. */
  registersFrom?: UnwindStart['from'];
  /** The task was running on its CPU. */
  active: boolean;
  panic: boolean;
}

/** The CPU that panicked (`panic_cpu`), or undefined when none did (a hang dump). */
export function panicCpu(view: KernelView): number | undefined {
  if (!view.hasSymbol('panic_cpu')) return undefined;
  const cpu = view.global('panic_cpu').number();
  return cpu >= 0 && cpu < 8192 ? cpu : undefined;
}

/** `bt`: the panicking task's trace (CPU 0's when nothing panicked). */
export function panicBacktrace(view: KernelView): TaskBacktrace {
  const cpu = panicCpu(view) ?? 0;
  const task = activeTasks(view).get(cpu);
  if (task === undefined) throw new KtError('KT_E_BAD_DUMP', `${view.source}: the task running on CPU ${cpu} cannot be read`);
  return taskBacktrace(view, taskByAddress(view, task), true);
}

/** `bt -a`: the active task of every online CPU. */
export function cpuBacktraces(view: KernelView): TaskBacktrace[] {
  const panic = panicCpu(view);
  return [...activeTasks(view)].map(([cpu, task]) => taskBacktrace(view, taskByAddress(view, task), cpu === panic));
}

/** `bt PID`. */
export function pidBacktrace(view: KernelView, pid: number): TaskBacktrace {
  const task = allTasks(view).find((t) => t.pid === pid);
  if (!task) throw new KtError('KT_E_USAGE', `${view.source}: no task with PID ${pid}`);
  return taskBacktrace(view, task, task.active && task.cpu === panicCpu(view));
}

/** `foreach UN bt`: every task in uninterruptible sleep (the hung-task suspects). */
export function blockedBacktraces(view: KernelView): TaskBacktrace[] {
  return allTasks(view).filter((t) => t.state === 'UN').map((t) => taskBacktrace(view, t, false));
}

function taskByAddress(view: KernelView, address: bigint): TaskInfo {
  const t = allTasks(view).find((x) => x.address === address);
  if (t) return t;
  const pid = view.object(address, 'struct task_struct').member('pid').number();
  return { address, pid, tgid: pid, ppid: 0, cpu: 0, state: '??', stateLetter: '?', rawState: 0, comm: '?', kernelThread: true, active: true };
}

export function taskBacktrace(view: KernelView, task: TaskInfo, panic: boolean): TaskBacktrace {
  const head = { task: { pid: task.pid, address: task.address, cpu: task.cpu, comm: task.comm, state: task.state }, active: task.active, panic };
  let start: UnwindStart | undefined;
  try {
    start = task.active ? cpuStart(view, task.cpu) : sleepingStart(view, view.object(task.address, 'struct task_struct'));
  } catch (e) {
    return { ...head, frames: [], stopped: `registers cannot be read (${(e as Error).message})` };
  }
  if (start === undefined) return { ...head, frames: [], stopped: `the dump has no registers for CPU ${task.cpu}` };
  return { ...head, registersFrom: start.from, ...unwinder(view).unwind(start) };
}
