import type { KernelView } from './kernel-view.js';
import { readModules, type LoadedModule } from './modules.js';
import { readTasks, type TaskInfo } from './tasks.js';
import { OrcUnwinder } from './unwind.js';

/** What several commands need, read once per view (modules before any symbol lookup: they add theirs). */
const modulesOf = new WeakMap<KernelView, LoadedModule[]>();
const tasksOf = new WeakMap<KernelView, TaskInfo[]>();
const unwinderOf = new WeakMap<KernelView, OrcUnwinder>();

export function loadedModules(view: KernelView): LoadedModule[] {
  let m = modulesOf.get(view);
  if (m === undefined) {
    m = readModules(view);
    modulesOf.set(view, m);
  }
  return m;
}

export function allTasks(view: KernelView): TaskInfo[] {
  let t = tasksOf.get(view);
  if (t === undefined) {
    t = readTasks(view);
    tasksOf.set(view, t);
  }
  return t;
}

export function unwinder(view: KernelView): OrcUnwinder {
  let u = unwinderOf.get(view);
  if (u === undefined) {
    u = new OrcUnwinder(view, loadedModules(view));
    unwinderOf.set(view, u);
  }
  return u;
}
