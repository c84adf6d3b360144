import type { KernelView } from '../kernel-view.js';
import { allTasks } from '../loaded.js';
import { totalRamPages } from './memory-counters.js';

export interface SysInfo {
  dumpfile: string;
  cpus: number;
  /** Wall-clock time of the crash (CRASHTIME, else the timekeeper), ISO 8601. */
  date?: string;
  uptimeSeconds?: number;
  loadAverage?: [number, number, number];
  tasks: number;
  nodename?: string;
  release?: string;
  version?: string;
  machine?: string;
  cpuMhz?: number;
  memoryBytes?: number;
  panic?: string;
}

/** avenrun is fixed point with 11 fraction bits (FSHIFT). */
const FIXED_1 = 2048;

/** `sys`: what the machine was, and when and why it stopped. */
export function sysCommand(view: KernelView, panicMessage?: string): SysInfo {
  const info: SysInfo = { dumpfile: view.source, cpus: view.onlineCpus().length, tasks: allTasks(view).length };
  const attempt = (what: string, fn: () => void): void => {
    try {
      fn();
    } catch {
      view.unknowns.push(what);
    }
  };
  attempt('init_uts_ns', () => {
    const uts = view.global('init_uts_ns').member('name');
    info.nodename = uts.member('nodename').string(65);
    info.release = uts.member('release').string(65);
    info.version = uts.member('version').string(65);
    info.machine = uts.member('machine').string(65);
  });
  const crashTime = view.core.vmcoreinfo.get('CRASHTIME');
  attempt('the timekeeper', () => {
    const tk = timekeeper(view);
    if (crashTime && /^\d+$/.test(crashTime)) info.date = new Date(Number(crashTime) * 1000).toISOString();
    else if (tk) info.date = new Date(tk.member('xtime_sec').number() * 1000).toISOString();
    if (tk) info.uptimeSeconds = tk.member('ktime_sec').number() + Math.floor(tk.member('offs_boot').number() / 1e9);
  });
  attempt('avenrun', () => {
    const avg = view.object(view.address('avenrun'), 'unsigned long');
    info.loadAverage = [0, 1, 2].map((i) => Math.round((avg.index(i).number() / FIXED_1) * 100) / 100) as [number, number, number];
  });
  attempt('cpu_khz', () => {
    const khz = view.global('cpu_khz').number();
    if (khz > 0) info.cpuMhz = Math.round(khz / 1000);
  });
  attempt('_totalram_pages', () => {
    info.memoryBytes = totalRamPages(view) * 4096;
  });
  if (panicMessage) info.panic = panicMessage;
  return info;
}

/** tk_core is `struct { seqcount_raw_spinlock_t seq; struct timekeeper timekeeper; }`: no BTF name. */
function timekeeper(view: KernelView) {
  if (!view.hasSymbol('tk_core') || !view.hasType('struct timekeeper')) return undefined;
  const seq = view.btf.size(view.type('seqcount_raw_spinlock_t'));
  return view.object(view.address('tk_core') + BigInt(Math.ceil(seq / 8) * 8), 'struct timekeeper');
}
