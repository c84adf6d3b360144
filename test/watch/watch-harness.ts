/** Fake host trees, the real collector as a child process, and the agent's metrics, for the watch tests. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'ktriage.js');
export const FIXTURES = join(ROOT, 'test', 'fixtures');

export function tempDir(prefix = 'kt-watch-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/**
 * A /proc and /sys tree: this machine's own /proc files copied (real readings), plus a boot id
 * and uptime of the test's choosing, and EDAC counters and a hwmon sensor the test sets.
 */
export function fakeHost(dir: string, bootId: string): { proc: string; sys: string } {
  const proc = join(dir, 'proc');
  const sys = join(dir, 'sys');
  const put = (path: string, text: string) => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  };
  for (const f of ['meminfo', 'loadavg', 'diskstats', 'sys/fs/file-nr', 'sys/fs/file-max', 'sys/kernel/pid_max', 'sys/kernel/threads-max', 'sys/kernel/osrelease', 'pressure/cpu', 'pressure/memory', 'pressure/io']) {
    try {
      put(join(proc, f), readFileSync(join('/proc', f), 'utf8'));
    } catch {
      // Not on this kernel (PSI off): the sampler gives nothing for it.
    }
  }
  put(join(proc, 'sys/kernel/random/boot_id'), `${bootId}\n`);
  put(join(proc, 'uptime'), '4.5 3.0\n');
  put(join(sys, 'devices/system/edac/mc/mc0/ce_count'), '0\n');
  put(join(sys, 'devices/system/edac/mc/mc0/ue_count'), '0\n');
  put(join(sys, 'class/hwmon/hwmon0/name'), 'coretemp\n');
  put(join(sys, 'class/hwmon/hwmon0/temp1_input'), '45000\n');
  mkdirSync(join(sys, 'fs/pstore'), { recursive: true });
  return { proc, sys };
}

/** A console log (`[ ts] text` lines, as printed by a real kernel) as /dev/kmsg records from `firstSeq`. */
export function consoleToKmsg(consoleText: string, firstSeq = 0): string[] {
  const out: string[] = [];
  let seq = firstSeq;
  for (const line of consoleText.split(/\r?\n/)) {
    const m = /^\[ *(\d+)\.(\d{6})\](?:\[ *([TC]\d+)\])? ?(.*)$/.exec(line);
    if (!m) continue;
    const usec = Number(m[1]) * 1e6 + Number(m[2]);
    const text = (m[4] as string).replace(/[\\\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
    out.push(`6,${seq++},${usec},-${m[3] ? `,caller=${m[3]}` : ''};${text}\n`);
  }
  return out;
}

export interface Collector {
  url: string;
  port: number;
  ingest: string;
  read: string;
  db: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** `ktriage serve` from this worktree on loopback with a temporary SQLite database, and its tokens. */
export async function startCollector(dir: string, port?: number): Promise<Collector> {
  const db = join(dir, 'collector.db');
  const token = (scope: string) => {
    const r = spawnSync(process.execPath, [BIN, 'token', 'create', '--scope', scope, '--db', db], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`token create: ${r.stderr}`);
    return r.stdout.trim().split('\n').at(-1) as string;
  };
  const ingest = token('ingest');
  const read = token('read');
  const p = port ?? (await freePort());
  let child: ChildProcess | undefined;
  const c: Collector = {
    url: `http://127.0.0.1:${p}`,
    port: p,
    ingest,
    read,
    db,
    start: async () => {
      child = spawn(process.execPath, [BIN, 'serve', '--listen', `127.0.0.1:${p}`, '--db', db], { stdio: ['ignore', 'ignore', 'pipe'] });
      await waitFor(async () => (await fetch(`${c.url}/healthz`).then((r) => r.ok).catch(() => false)) || undefined, 15_000, 'collector /healthz');
    },
    stop: async () => {
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((r) => child?.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
  await c.start();
  return c;
}

export async function getJson(url: string, token?: string): Promise<{ status: number; json: any }> {
  const res = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  const text = await res.text();
  try {
    return { status: res.status, json: JSON.parse(text) };
  } catch {
    return { status: res.status, json: text };
  }
}

/** Polls `probe` until it gives a value: a functional wait, bounded by a generous timeout. */
export async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number, what: string): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** One sample of a metric in Prometheus text, by name and labels. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

export async function scrape(port: number): Promise<string> {
  return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
}

export { copyFileSync };
