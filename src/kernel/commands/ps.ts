import type { KernelView } from '../kernel-view.js';
import { allTasks } from '../loaded.js';
import type { TaskInfo } from '../tasks.js';
import { totalRamPages } from './memory-counters.js';

export interface PsRow extends TaskInfo {
  /** RSS as a share of total RAM, in percent. */
  memPercent?: number;
}

/** Accepts crash's codes (UN, RU, ID…) and ps's letters (D, R, I…). */
export function matchesState(task: TaskInfo, state: string): boolean {
  return task.state === state.toUpperCase() || task.stateLetter === state;
}

/** `ps`: every task, optionally only those in one state (`--state D`: the hung-task suspects). */
export function psCommand(view: KernelView, options: { state?: string } = {}): PsRow[] {
  let total: number | undefined;
  try {
    total = totalRamPages(view);
  } catch {
    view.unknowns.push('total RAM (for %MEM)');
  }
  return allTasks(view)
    .filter((t) => options.state === undefined || matchesState(t, options.state))
    .map((t) => {
      const row: PsRow = { ...t };
      if (total && t.rssPages !== undefined) row.memPercent = (t.rssPages / total) * 100;
      return row;
    });
}

/** The tasks with the largest RSS (what an OOM report wants first). */
export function topRss(view: KernelView, count: number): PsRow[] {
  return psCommand(view)
    .filter((t) => t.rssPages !== undefined)
    .sort((a, b) => (b.rssPages as number) - (a.rssPages as number))
    .slice(0, count);
}
