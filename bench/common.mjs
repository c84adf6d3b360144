// Helpers shared by the bench/*.bench.mjs scripts: paths, the environment stamp,
// and running a command while measuring its wall time and peak RSS.

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(BENCH_DIR, '..');
export const OUT_DIR = path.join(BENCH_DIR, 'out'); // git-ignored (/bench/out/)
/** The shared corpus sits next to the checkout: ../shared/corpus relative to the repo root. */
export const CORPUS_DIR = path.resolve(REPO_ROOT, '..', 'shared', 'corpus');

export function ensureOutDir() {
  fs.mkdirSync(OUT_DIR, { recursive: true });
  return OUT_DIR;
}

/** True when `bench/x.bench.mjs` is the script node was started with (not imported by run.mjs). */
export function isMain(importMetaUrl) {
  return !!process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(importMetaUrl);
}

/**
 * A frozen copy of the built CLI (bin/, dist/ and the src/ its source maps point to) in
 * bench/out/ktriage-<dist hash>/, so that a rebuild by someone else during a long benchmark
 * cannot change (or half-write) the code being measured. Module resolution from there walks up
 * to the repository's package.json ("type": "module") and node_modules/, as from bin/.
 * Returns { root, bin, distHash, staleBuild }.
 */
export function snapshotCli() {
  // KTRIAGE_BENCH_COPY=bench/out/ktriage-<hash> reuses a copy, so that several benchmarks
  // measure the same build while dist/ moves on.
  const pinned = process.env.KTRIAGE_BENCH_COPY;
  if (pinned) {
    const root = path.resolve(REPO_ROOT, pinned);
    if (!fs.existsSync(path.join(root, '.complete'))) throw new Error(`KTRIAGE_BENCH_COPY=${pinned}: not a complete copy`);
    return { root, bin: path.join(root, 'bin', 'ktriage.js'), distHash: path.basename(root).replace(/^ktriage-/, ''), staleBuild: false, pinned: true };
  }
  requireBuiltCli();
  const dist = path.join(REPO_ROOT, 'dist');
  for (let attempt = 0; attempt < 3; attempt++) {
    const distHash = treeHash(dist);
    const root = path.join(OUT_DIR, `ktriage-${distHash}`);
    const done = path.join(root, '.complete');
    if (!fs.existsSync(done)) {
      fs.rmSync(root, { recursive: true, force: true });
      for (const d of ['bin', 'dist', 'src', 'rules']) fs.cpSync(path.join(REPO_ROOT, d), path.join(root, d), { recursive: true });
      if (treeHash(path.join(root, 'dist')) !== distHash) { // a build ran while copying: try again
        fs.rmSync(root, { recursive: true, force: true });
        spawnSync('sleep', ['5']);
        continue;
      }
      fs.writeFileSync(done, `${new Date().toISOString()}\n`);
    }
    // Keep bench/out/ small: only the 4 most recent copies (another benchmark may be using one).
    const copies = fs.readdirSync(OUT_DIR).filter((d) => /^ktriage-[0-9a-f]{12}$/.test(d) && d !== path.basename(root))
      .map((d) => ({ d, t: fs.statSync(path.join(OUT_DIR, d)).mtimeMs })).sort((a, b) => b.t - a.t);
    for (const { d } of copies.slice(3)) fs.rmSync(path.join(OUT_DIR, d), { recursive: true, force: true });
    fs.utimesSync(root, new Date(), new Date());
    const staleBuild = newestMtime(path.join(REPO_ROOT, 'src'), '.ts') > newestMtime(dist, '.js');
    return { root, bin: path.join(root, 'bin', 'ktriage.js'), distHash, staleBuild };
  }
  throw new Error('dist/ kept changing while it was being copied (someone is rebuilding); try again');
}

function newestMtime(dir, ext) {
  let newest = 0;
  const walk = (d) => {
    for (const ent of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, ent.name);
      if (ent.isDirectory()) walk(p);
      else if (ent.name.endsWith(ext)) newest = Math.max(newest, fs.statSync(p).mtimeMs);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return newest;
}

export function formatSnapshot(snap) {
  return `ktriage: dist/ ${snap.distHash}, run from the copy ${path.relative(REPO_ROOT, snap.root)}/${snap.pinned ? ' (KTRIAGE_BENCH_COPY)' : ''}` +
    (snap.staleBuild ? ' (NOTE: src/ has files newer than dist/: the build may be stale)' : '');
}

/** Fails with a hint when the CLI has not been built (bin/ktriage.js imports dist/). */
export function requireBuiltCli() {
  const main = path.join(REPO_ROOT, 'dist', 'cli', 'main.js');
  if (!fs.existsSync(main)) {
    throw new Error(`${path.relative(process.cwd(), main) || main} is missing: run 'npm run build' first`);
  }
}

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: REPO_ROOT, ...opts });
  return r.status === 0 ? r.stdout.trim() : '';
}

/** sha256 over the relative paths and contents of every file under dir (sorted), first 12 hex digits. */
export function treeHash(dir) {
  const h = crypto.createHash('sha256');
  const walk = (d) => {
    for (const ent of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(d, ent.name);
      if (ent.isDirectory()) walk(p);
      else if (ent.isFile()) {
        h.update(path.relative(dir, p)).update('\0').update(fs.readFileSync(p)).update('\0');
      }
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return h.digest('hex').slice(0, 12);
}

/**
 * What the figures were measured on: machine, OS, Node, git commit of the checkout (plus a hash
 * of src/ when the working tree differs from the commit, since the commit alone would then not
 * say which code ran), date.
 */
export function environmentStamp() {
  const cpuinfo = fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : '';
  const cpuModel = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1]?.trim() || os.cpus()[0]?.model || 'unknown';
  const meminfo = fs.existsSync('/proc/meminfo') ? fs.readFileSync('/proc/meminfo', 'utf8') : '';
  const memKb = Number(/^MemTotal:\s*(\d+)/m.exec(meminfo)?.[1] ?? 0);
  const commit = sh('git', ['rev-parse', 'HEAD']) || 'unknown';
  const dirty = sh('git', ['status', '--porcelain', '--', 'src', 'bin', 'package.json', 'tsconfig.build.json']) !== '';
  return {
    date: new Date().toISOString(),
    cpuModel,
    cores: os.cpus().length,
    memGiB: Number((memKb / 1048576).toFixed(1)),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    commit,
    loadAvg1m: Number(os.loadavg()[0].toFixed(2)),
    workingTree: dirty ? `uncommitted changes in src/ (src tree sha256 ${treeHash(path.join(REPO_ROOT, 'src'))})` : 'clean',
    distTree: treeHash(path.join(REPO_ROOT, 'dist')),
  };
}

export function formatStamp(s) {
  return [
    `date:    ${s.date}`,
    `machine: ${s.cpuModel}, ${s.cores} cores, ${s.memGiB} GiB RAM, ${s.os}; load average ${s.loadAvg1m} at start` +
      (s.loadAvg1m > 0.5 ? ' (NOTE: machine busy, absolute times are noisy; ratios are measured interleaved)' : ''),
    `node:    ${s.node}`,
    `commit:  ${s.commit} (${s.workingTree}; built dist/ tree sha256 ${s.distTree})`,
  ].join('\n');
}

const TIME_BIN = '/usr/bin/time';
export const hasGnuTime = () => fs.existsSync(TIME_BIN);

/**
 * Runs argv[0] with argv[1..], stdout to `stdoutPath` (default /dev/null), and returns
 * { wallMs, userS, sysS, maxRssKiB, status, stderr }. Peak RSS comes from GNU time's %M
 * (the child's ru_maxrss) when /usr/bin/time exists, else from polling VmHWM in
 * /proc/PID/status every 10 ms (can miss a short final spike; GNU time cannot).
 */
export async function measure(argv, { stdoutPath = '/dev/null', cwd = REPO_ROOT, env = process.env } = {}) {
  const outFd = fs.openSync(stdoutPath, 'w');
  try {
    if (hasGnuTime()) {
      const tfile = path.join(os.tmpdir(), `ktriage-bench-time-${process.pid}.txt`);
      const t0 = process.hrtime.bigint();
      const r = spawnSync(TIME_BIN, ['-f', '%e %U %S %M', '-o', tfile, ...argv], {
        cwd, env, stdio: ['ignore', outFd, 'pipe'], maxBuffer: 64 << 20,
      });
      const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
      const tline = fs.readFileSync(tfile, 'utf8').trim().split('\n').pop() ?? '';
      fs.rmSync(tfile, { force: true });
      const [, userS, sysS, maxRss] = tline.split(/\s+/).map(Number);
      return { wallMs, userS, sysS, maxRssKiB: maxRss, status: r.status, stderr: String(r.stderr ?? '') };
    }
    return await measureByPolling(argv, outFd, cwd, env);
  } finally {
    fs.closeSync(outFd);
  }
}

function measureByPolling(argv, outFd, cwd, env) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(argv[0], argv.slice(1), { cwd, env, stdio: ['ignore', outFd, 'pipe'] });
    let hwm = 0;
    const err = [];
    child.stderr.on('data', (b) => err.push(b));
    const poll = () => {
      try {
        const st = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
        hwm = Math.max(hwm, Number(/^VmHWM:\s*(\d+)/m.exec(st)?.[1] ?? 0));
      } catch { /* exited */ }
    };
    const timer = setInterval(poll, 10);
    child.on('exit', () => poll());
    child.on('close', (code) => {
      clearInterval(timer);
      const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
      resolve({ wallMs, userS: NaN, sysS: NaN, // no per-child CPU times without GNU time
         maxRssKiB: hwm, status: code, stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export function table(rows, { alignRight = [] } = {}) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  return rows.map((r, i) => r.map((cell, c) => {
    const s = String(cell);
    return alignRight.includes(c) && i > 0 ? s.padStart(widths[c]) : s.padEnd(widths[c]);
  }).join('  ').trimEnd()).join('\n');
}
