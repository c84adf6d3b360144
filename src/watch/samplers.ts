import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One reading: a metric of rules/watch-resources.yaml, with labels naming the series. */
export interface Sample {
  metric: string;
  labels: Record<string, string>;
  value: number;
}

export interface SampleRoots {
  /** `/proc` or a fake tree. */
  proc: string;
  /** `/sys` or a fake tree. */
  sys: string;
}

/** What a sampler keeps between readings (counters turned into rates). */
type Memory = Map<string, number>;

interface SamplerRow {
  name: string;
  sample: (roots: SampleRoots, memory: Memory) => Sample[];
}

/**
 * Each sampler reads a few small files and gives its samples; a file that is missing (no PSI,
 * no EDAC, no sensors in a container) gives none. Cheap enough to run every few seconds.
 */
export const SAMPLERS: readonly SamplerRow[] = [
  { name: 'memory', sample: sampleMemory },
  { name: 'psi', sample: samplePsi },
  { name: 'open-files', sample: sampleOpenFiles },
  { name: 'tasks', sample: sampleTasks },
  { name: 'disks', sample: sampleDisks },
  { name: 'edac', sample: sampleEdac },
  { name: 'temperatures', sample: sampleTemperatures },
];

export class ResourceSampler {
  private readonly memory: Memory = new Map();
  constructor(private readonly roots: SampleRoots) {}

  sample(): Sample[] {
    return SAMPLERS.flatMap((s) => {
      try {
        return s.sample(this.roots, this.memory);
      } catch {
        return [];
      }
    });
  }
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function readNumber(path: string): number | undefined {
  const t = read(path);
  const n = t === undefined ? NaN : Number(t.trim().split(/\s+/)[0]);
  return Number.isFinite(n) ? n : undefined;
}

function list(dir: string, pattern: RegExp): string[] {
  try {
    return readdirSync(dir).filter((n) => pattern.test(n)).sort();
  } catch {
    return [];
  }
}

function sampleMemory(roots: SampleRoots): Sample[] {
  const text = read(join(roots.proc, 'meminfo'));
  if (!text) return [];
  const kb = (key: string) => {
    const m = new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text);
    return m ? Number(m[1]) : undefined;
  };
  const out: Sample[] = [];
  const total = kb('MemTotal');
  const available = kb('MemAvailable');
  if (total && available !== undefined) out.push({ metric: 'memory_available_ratio', labels: {}, value: available / total });
  const swapTotal = kb('SwapTotal');
  const swapFree = kb('SwapFree');
  if (swapTotal && swapFree !== undefined) out.push({ metric: 'swap_free_ratio', labels: {}, value: swapFree / swapTotal });
  return out;
}

function samplePsi(roots: SampleRoots): Sample[] {
  const out: Sample[] = [];
  for (const resource of ['cpu', 'memory', 'io']) {
    const text = read(join(roots.proc, 'pressure', resource));
    if (!text) continue;
    for (const m of text.matchAll(/^(some|full) avg10=([\d.]+)/gm)) out.push({ metric: `psi_${m[1]}_avg10`, labels: { resource }, value: Number(m[2]) });
  }
  return out;
}

function sampleOpenFiles(roots: SampleRoots): Sample[] {
  const nr = read(join(roots.proc, 'sys/fs/file-nr'))?.trim().split(/\s+/).map(Number);
  const max = readNumber(join(roots.proc, 'sys/fs/file-max'));
  if (!nr || !max || !Number.isFinite(nr[0])) return [];
  return [{ metric: 'open_files_ratio', labels: {}, value: (nr[0] as number) / max }];
}

function sampleTasks(roots: SampleRoots): Sample[] {
  const m = /\s\d+\/(\d+)\s/.exec(read(join(roots.proc, 'loadavg')) ?? '');
  if (!m) return [];
  const tasks = Number(m[1]);
  const out: Sample[] = [{ metric: 'tasks', labels: {}, value: tasks }];
  const pidMax = readNumber(join(roots.proc, 'sys/kernel/pid_max'));
  const threadsMax = readNumber(join(roots.proc, 'sys/kernel/threads-max'));
  if (pidMax) out.push({ metric: 'tasks_pid_max_ratio', labels: {}, value: tasks / pidMax });
  if (threadsMax) out.push({ metric: 'tasks_threads_max_ratio', labels: {}, value: tasks / threadsMax });
  return out;
}

/** /proc/diskstats (Documentation/admin-guide/iostats.rst): in-flight I/Os, and ms per completed I/O since the last reading. */
function sampleDisks(roots: SampleRoots, memory: Memory): Sample[] {
  const text = read(join(roots.proc, 'diskstats'));
  if (!text) return [];
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    const device = f[2];
    if (!device || f.length < 14 || /^(?:loop|ram|zram)\d/.test(device)) continue;
    const ios = Number(f[3]) + Number(f[7]);
    const ms = Number(f[6]) + Number(f[10]);
    out.push({ metric: 'disk_in_flight', labels: { device }, value: Number(f[11]) });
    const prevIos = memory.get(`ios:${device}`);
    const prevMs = memory.get(`ms:${device}`);
    memory.set(`ios:${device}`, ios);
    memory.set(`ms:${device}`, ms);
    if (prevIos !== undefined && prevMs !== undefined) {
      const done = ios - prevIos;
      out.push({ metric: 'disk_latency_ms', labels: { device }, value: done > 0 ? (ms - prevMs) / done : 0 });
    }
  }
  return out;
}

function sampleEdac(roots: SampleRoots): Sample[] {
  const base = join(roots.sys, 'devices/system/edac/mc');
  const out: Sample[] = [];
  for (const mc of list(base, /^mc\d+$/)) {
    const ce = readNumber(join(base, mc, 'ce_count'));
    const ue = readNumber(join(base, mc, 'ue_count'));
    if (ce !== undefined) out.push({ metric: 'edac_corrected_errors', labels: { controller: mc }, value: ce });
    if (ue !== undefined) out.push({ metric: 'edac_uncorrected_errors', labels: { controller: mc }, value: ue });
  }
  return out;
}

function sampleTemperatures(roots: SampleRoots): Sample[] {
  const out: Sample[] = [];
  const hwmon = join(roots.sys, 'class/hwmon');
  for (const dev of list(hwmon, /^hwmon\d+$/)) {
    const name = read(join(hwmon, dev, 'name'))?.trim() ?? dev;
    for (const input of list(join(hwmon, dev), /^temp\d+_input$/)) {
      const milli = readNumber(join(hwmon, dev, input));
      if (milli !== undefined) out.push({ metric: 'temperature_celsius', labels: { sensor: `${dev}/${name}/${input.replace('_input', '')}` }, value: milli / 1000 });
    }
  }
  const thermal = join(roots.sys, 'class/thermal');
  for (const zone of list(thermal, /^thermal_zone\d+$/)) {
    const milli = readNumber(join(thermal, zone, 'temp'));
    const type = read(join(thermal, zone, 'type'))?.trim() ?? zone;
    if (milli !== undefined) out.push({ metric: 'temperature_celsius', labels: { sensor: `${zone}/${type}` }, value: milli / 1000 });
  }
  return out;
}
