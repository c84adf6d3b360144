#!/usr/bin/env node
// bench/profile.bench.mjs [FILE] [--top N] [--text] [--no-inline] [--profile X.cpuprofile]
//
// Where does `ktriage analyze --json FILE` spend its time? Runs it under
// `node --cpu-prof` (profile kept in bench/out/prof/) and prints the functions with the most
// self time, mapped back to src/*.ts lines through dist/'s source maps, plus self time per file.
// FILE defaults to the quarter-size input the throughput benchmark builds
// (bench/out/big-0.25gib.log; run `npm run bench` first), one summary per thread. --profile summarises an existing
// .cpuprofile instead of running ktriage; --text profiles the text renderer instead of --json;
// --no-inline turns off V8's inlining, which otherwise charges a callee's time to its caller.

import fs from 'node:fs';
import path from 'node:path';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';
import {
  OUT_DIR, REPO_ROOT, ensureOutDir, environmentStamp, formatSnapshot, formatStamp, isMain, measure, snapshotCli, table,
} from './common.mjs';

/** Root of the ktriage copy that ran (bench/out/ktriage-<hash>/), for labelling its files src/...; else the repo. */
let snapshotRoot = REPO_ROOT;

export async function run(args) {
  let file = path.join(OUT_DIR, 'big-0.25gib.log');
  let top = 10, json = true, profile = null, noInline = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--top') top = Number(args[++i]);
    else if (a === '--text') json = false;
    else if (a === '--no-inline') noInline = true;
    else if (a === '--profile') profile = path.resolve(args[++i]);
    else if (a === '-h' || a === '--help') {
      console.log('usage: node bench/run.mjs profile [FILE] [--top N] [--text] [--no-inline] [--profile X.cpuprofile]');
      return 0;
    } else file = path.resolve(REPO_ROOT, a);
  }
  if (!profile) {
    const snap = snapshotCli();
    snapshotRoot = snap.root;
    if (!fs.existsSync(file)) throw new Error(`${file} does not exist (run 'npm run bench' to build it, or name a log file)`);
    const dir = path.join(ensureOutDir(), 'prof');
    fs.mkdirSync(dir, { recursive: true });
    const before = new Set(fs.readdirSync(dir));
    // V8 charges the self time of an inlined function to its caller; --no-inline
    // (--no-turbo-inlining) keeps callees apart, at some cost in speed.
    const argv = [process.execPath, '--cpu-prof', '--cpu-prof-dir', dir, ...(noInline ? ['--no-turbo-inlining'] : []), snap.bin, 'analyze', ...(json ? ['--json'] : []), file];
    console.log(`== ktriage CPU profile\n${formatStamp(environmentStamp())}\n${formatSnapshot(snap)}\n`);
    console.log(`$ ${argv.map((s) => path.relative(REPO_ROOT, s).startsWith('..') ? s : path.relative(REPO_ROOT, s) || s).join(' ')} > /dev/null`);
    const r = await measure(argv);
    if (r.status !== 0) throw new Error(`ktriage exited with status ${r.status}: ${r.stderr.trim().split('\n')[0]}`);
    const bytes = fs.statSync(file).size;
    console.log(`${(r.wallMs / 1000).toFixed(2)} s wall (profiler on), ${(bytes / 1e6 / (r.wallMs / 1000)).toFixed(0)} MB/s, peak RSS ${(r.maxRssKiB / 1024).toFixed(0)} MiB`);
    // One profile per thread (CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile): inputs of 64 MiB
    // and more are decoded on a worker thread.
    const created = fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile') && !before.has(f));
    if (created.length === 0) throw new Error(`no new .cpuprofile in ${dir}`);
    const thread = (f) => Number(f.split('.')[4]);
    for (const f of created.sort((a, b) => thread(a) - thread(b))) {
      console.log(`== ${thread(f) === 0 ? 'main thread' : `worker thread ${thread(f)}`}: ${path.relative(REPO_ROOT, path.join(dir, f))}\n`);
      console.log(`${summarise(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')), top)}\n`);
    }
    return 0;
  }
  console.log(`profile: ${path.relative(REPO_ROOT, profile)}\n`);
  console.log(summarise(JSON.parse(fs.readFileSync(profile, 'utf8')), top));
  return 0;
}

/** Self time per function and per file from a V8 .cpuprofile. */
export function summarise(prof, top = 10) {
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  // timeDeltas[i + 1] is the time until the next sample: charge it to sample i (as DevTools does).
  for (let i = 0; i < prof.samples.length; i++) {
    const dt = prof.timeDeltas[i + 1] ?? 0;
    selfUs.set(prof.samples[i], (selfUs.get(prof.samples[i]) ?? 0) + Math.max(0, dt));
  }
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const fns = new Map();
  const files = new Map();
  for (const [id, us] of selfUs) {
    const cf = byId.get(id).callFrame;
    const where = locate(cf);
    const name = shorten(cf.functionName || '(anonymous)');
    const key = `${name}\0${where.label}`;
    const f = fns.get(key) ?? { name, where: where.label, us: 0 };
    f.us += us;
    fns.set(key, f);
    files.set(where.file, (files.get(where.file) ?? 0) + us);
  }
  const pct = (us) => `${((100 * us) / total).toFixed(1)}%`;
  const fnRows = [['#', 'self ms', 'self %', 'function', 'where']];
  [...fns.values()].sort((a, b) => b.us - a.us).slice(0, top)
    .forEach((f, i) => fnRows.push([i + 1, (f.us / 1000).toFixed(0), pct(f.us), f.name, f.where]));
  const fileRows = [['self ms', 'self %', 'file']];
  [...files].sort((a, b) => b[1] - a[1]).slice(0, top)
    .forEach(([file, us]) => fileRows.push([(us / 1000).toFixed(0), pct(us), file]));
  return `sampled ${(total / 1e6).toFixed(2)} s\n\ntop ${top} functions by self time:\n${table(fnRows, { alignRight: [0, 1, 2] })}` +
    `\n\nself time by file:\n${table(fileRows, { alignRight: [0, 1] })}`;
}

const sourceMaps = new Map();

const shorten = (s, n = 60) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** "src/x.ts:12" for compiled ktriage code (through dist/*.js.map), "node:internal/..." etc. otherwise. */
function locate(cf) {
  const { url, lineNumber, columnNumber } = cf;
  if (!url && cf.functionName.startsWith('RegExp: ')) {
    const file = regexSource(cf.functionName.slice('RegExp: '.length));
    return { label: file ? `regex from ${file}` : 'regex (compiled)', file: file ?? '(regex)' };
  }
  if (!url) return { label: '(native/VM)', file: cf.functionName.startsWith('(') ? cf.functionName : '(native/VM)' };
  if (!url.startsWith('file://')) return { label: `${url}:${lineNumber + 1}`, file: url };
  const js = fileURLToPath(url);
  let map = sourceMaps.get(js);
  if (map === undefined) {
    map = null;
    try { map = new SourceMap(JSON.parse(fs.readFileSync(`${js}.map`, 'utf8'))); } catch { /* no map */ }
    sourceMaps.set(js, map);
  }
  const entry = map?.findEntry(lineNumber, columnNumber);
  if (entry && entry.originalSource) {
    const src = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : path.resolve(path.dirname(js), entry.originalSource);
    const rel = path.relative(snapshotRoot, src);
    return { label: `${rel}:${entry.originalLine + 1}`, file: rel };
  }
  const rel = path.relative(snapshotRoot, js);
  return { label: `${rel}:${lineNumber + 1}`, file: rel };
}

/**
 * V8 names a compiled regular expression by its source, not by where it was written. Find the
 * src/ file that holds the longest literal piece of it (tables build big alternations).
 */
function regexSource(source) {
  const pieces = (source.replace(/\\./g, ' ').match(/[A-Za-z][A-Za-z0-9 _:-]{5,}/g) ?? []).sort((a, b) => b.length - a.length).slice(0, 5);
  const files = [];
  const walk = (d) => {
    for (const ent of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, ent.name);
      if (ent.isDirectory()) walk(p);
      else if (ent.name.endsWith('.ts')) files.push(p);
    }
  };
  const src = path.join(snapshotRoot, 'src');
  if (!fs.existsSync(src)) return null;
  walk(src);
  for (const piece of pieces) {
    const hit = files.find((f) => fs.readFileSync(f, 'utf8').includes(piece.trim()));
    if (hit) return path.relative(snapshotRoot, hit);
  }
  return null;
}

if (isMain(import.meta.url)) process.exitCode = await run(process.argv.slice(2));
