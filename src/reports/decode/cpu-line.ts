import type { KernelBuild, Taint } from '../crash-report.js';
import { toInt } from './hex.js';
import { parseTaintAndVersion } from './taint-and-version.js';

export interface CpuLine {
  cpu?: number;
  uid?: number;
  pid?: number;
  comm?: string;
  taint?: Taint;
  kernel?: KernelBuild;
  /** The kernel prints `Kdump: loaded` after the comm when a crash kernel is armed. */
  kdumpLoaded?: boolean;
}

const KDUMP_LOADED = ' Kdump: loaded';

const MODERN = /^CPU: (\d{1,5}) (?:UID: (\d{1,10}) )?PID: (-?\d{1,10}) Comm: /;
const OLD = /^Pid: (-?\d{1,10}), comm: /;

/**
 * `CPU: 0 PID: 1 Comm: swapper/0 Not tainted 6.1.0 #1 …`, the 6.x `CPU: 1 UID: 0 PID: …` form and the
 * pre-3.x `Pid: 123, comm: foo Not tainted 3.2.0 #1`. The comm may hold spaces, so it ends where the
 * taint part starts.
 */
export function parseCpuLine(line: string): CpuLine | undefined {
  const t = line.trim();
  const modern = MODERN.exec(t);
  const old = modern ? null : OLD.exec(t);
  const m = modern ?? old;
  if (!m) return undefined;
  const out: CpuLine = {};
  if (modern) {
    out.cpu = toInt(modern[1]);
    const uid = toInt(modern[2]);
    if (uid !== undefined) out.uid = uid;
    out.pid = toInt(modern[3]);
  } else if (old) {
    out.pid = toInt(old[1]);
  }
  const rest = t.slice(m[0].length);
  const candidates = [rest.indexOf(' Not tainted'), rest.indexOf(' Tainted: ')].filter((i) => i >= 0);
  const split = candidates.length > 0 ? Math.min(...candidates) : -1;
  if (split < 0) {
    // Truncated line: keep the comm, nothing else.
    const comm = rest.trim();
    if (comm !== '') out.comm = comm;
    return out;
  }
  let comm = rest.slice(0, split);
  if (comm.endsWith(KDUMP_LOADED)) {
    comm = comm.slice(0, -KDUMP_LOADED.length);
    out.kdumpLoaded = true;
  }
  out.comm = comm;
  const tv = parseTaintAndVersion(rest.slice(split + 1));
  if (tv.taint) out.taint = tv.taint;
  if (tv.kernel) out.kernel = tv.kernel;
  return out;
}
