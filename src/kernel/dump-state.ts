import { KtError } from '../errors.js';
import type { DumpKernelState, DumpTaskTrace } from '../reports/crash-report.js';
import { openVmcore } from '../vmcore/open-vmcore.js';
import { blockedBacktraces, cpuBacktraces, panicBacktrace, type TaskBacktrace } from './commands/bt.js';
import { topRss } from './commands/ps.js';
import { KernelView } from './kernel-view.js';
import { loadedModules } from './loaded.js';

const LARGEST_TASKS = 10;
const BLOCKED_TASKS_MAX = 32;

/**
 * What the analysis of a dump adds to its log's reports: the panic task's and every CPU's
 * stack, the D-state tasks, the largest tasks when memory ran out, and the modules with their
 * taints. Never throws for a dump it cannot read: `unavailable` says why.
 */
export function dumpKernelState(path: string, options: { outOfMemory: boolean; indexCacheDir?: string }): DumpKernelState {
  const state: DumpKernelState = { source: path };
  let core;
  try {
    core = openVmcore(path, options.indexCacheDir ? { indexCacheDir: options.indexCacheDir } : {});
    const view = new KernelView(core);
    state.modules = loadedModules(view).map((m) => ({ name: m.name, base: `0x${m.base.toString(16)}`, size: m.size, taints: m.taints }));
    const guard = <T>(what: string, fn: () => T): T | undefined => {
      try {
        return fn();
      } catch (e) {
        if (!(e instanceof KtError)) throw e;
        view.unknowns.push(`${what}: ${e.message}`);
        return undefined;
      }
    };
    const panic = guard('the panic task', () => panicBacktrace(view));
    if (panic) state.panicTask = taskTrace(panic);
    const cpus = guard('the CPUs', () => cpuBacktraces(view));
    if (cpus) state.cpus = cpus.map(taskTrace);
    const blocked = guard('the blocked tasks', () => blockedBacktraces(view));
    if (blocked && blocked.length > 0) state.blockedTasks = blocked.slice(0, BLOCKED_TASKS_MAX).map(taskTrace);
    if (options.outOfMemory) {
      const largest = guard('the largest tasks', () => topRss(view, LARGEST_TASKS));
      if (largest) state.largestTasks = largest.map((t) => ({ pid: t.pid, comm: t.comm, rssKiB: (t.rssPages ?? 0) * 4, vszKiB: (t.vszPages ?? 0) * 4 }));
    }
    const partial = [...new Set(view.unknowns)];
    if (partial.length > 0) state.partial = partial;
  } catch (e) {
    if (!(e instanceof KtError)) throw e;
    return { source: path, unavailable: e.message };
  } finally {
    core?.close();
  }
  return state;
}

export function taskTrace(bt: TaskBacktrace): DumpTaskTrace {
  const t: DumpTaskTrace = {
    pid: bt.task.pid,
    comm: bt.task.comm,
    cpu: bt.task.cpu,
    task: `0x${bt.task.address.toString(16)}`,
    state: bt.task.state,
    frames: bt.frames.map((f) => {
      const name = f.symbol === undefined ? `0x${f.ip.toString(16)}` : `${f.symbol}+0x${(f.offset ?? 0n).toString(16)}`;
      return `${f.reliable ? '' : '? '}${name}${f.module ? ` [${f.module}]` : ''}${f.exception ? ' (exception)' : ''}`;
    }),
  };
  if (bt.stopped) t.stopped = bt.stopped;
  return t;
}
