#!/usr/bin/env node
// bench/throughput.bench.mjs [--size-gb N] [--runs N] [--noise-mb N] [--rebuild] [--many-boots]
//
// How fast and in how much memory does `ktriage analyze` read a big log, compared with
// `grep -c 'Call Trace'` over the same file in the same run?
//
// The input (built once, cached in bench/out/, git-ignored) is at least N GiB of real kernel
// output: blocks of ordinary boot noise (the pre-crash part of the Debian-kernel console
// captures in /var/tmp/panic-lab/out/*/*/console.log and this machine's `dmesg`, snapshotted
// once into bench/out/boot-noise.txt; one boot per block) with one real crash log from
// ../shared/corpus/syzkaller/linux/report/* (the log part only, headers stripped as score.mjs
// does) after each block. A second file of N/4 GiB, built the same way, shows whether peak
// memory grows with the input; noise-only files of both sizes show it without reports.
//
// Fairness: both tools read the same file from a warm page cache (each command runs once
// untimed first); timed runs are interleaved round by round (grep, ktriage --json, ktriage
// text, ...) so drift hits all alike; the figure is the median of --runs runs (default 3).
// grep writes to a file (GNU grep stops at the first match when its output is /dev/null).
// grep runs in the caller's locale (printed). Peak RSS is GNU time's %M (max over the runs).
// Goals (from the issue): ktriage within 3x of grep's time; peak memory flat whatever the size.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import {
  CORPUS_DIR, OUT_DIR, REPO_ROOT, ensureOutDir, environmentStamp, formatSnapshot, formatStamp, hasGnuTime, isMain,
  measure, median, snapshotCli, table,
} from './common.mjs';

const GENERATOR_VERSION = 2; // bump when the layout of the generated log changes
const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const GOAL_TIME_RATIO = 3;
const CONSOLE_GOAL_RATIO = 2.5;
/** Peak RSS on the full file may exceed the quarter-size file's by at most this factor to count as flat. */
const FLAT_RSS_FACTOR = 1.2;
const PANIC_LAB_GLOB_ROOT = '/var/tmp/panic-lab/out';
/** First line of a panic-lab capture that belongs to the provoked crash rather than to the boot. */
const CRASH_START = /lkdtm|sysrq: |cut here|BUG:|WARNING:|Oops|Kernel panic|Call Trace|general protection fault|RIP:/;
/** The first line a kernel (or the firmware before it) prints on a boot. */
const BOOT_BANNER = /^(?:\[[^\]]*\]\s*)?(?:Linux version \d|SeaBIOS \(version|Booting from |EFI stub: |Decompressing Linux)/;

function parseOptions(args) {
  const o = { sizeGb: 1, runs: 3, noiseMb: 2, rebuild: false, manyBoots: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const num = () => {
      const v = Number(args[++i]);
      if (!(v > 0)) throw new Error(`${a} needs a positive number`);
      return v;
    };
    switch (a) {
      case '--size-gb': o.sizeGb = num(); break;
      case '--runs': o.runs = Math.round(num()); break;
      case '--noise-mb': o.noiseMb = num(); break;
      case '--rebuild': o.rebuild = true; break;
      case '--many-boots': o.manyBoots = true; break;
      case '-h': case '--help': o.help = true; break;
      default: throw new Error(`unknown argument '${a}' (try --help)`);
    }
  }
  return o;
}

// ------------------------------------------------------------------ sources

/**
 * Ordinary boot output, as an array of latin1 lines each ending in '\n', and where it came from.
 * Taken once into bench/out/boot-noise.txt (+ .json listing the sources) and reused, so that
 * the input stays the same while the lab adds captures; --rebuild takes it again.
 */
function noiseSources(rebuild) {
  const snapshot = path.join(OUT_DIR, 'boot-noise.txt');
  const sourcesFile = `${snapshot}.json`;
  if (!rebuild && fs.existsSync(snapshot) && fs.existsSync(sourcesFile)) {
    return { lines: splitLines(fs.readFileSync(snapshot, 'latin1')), sources: JSON.parse(fs.readFileSync(sourcesFile, 'utf8')) };
  }
  const parts = [];
  if (fs.existsSync(PANIC_LAB_GLOB_ROOT)) {
    for (const kernel of fs.readdirSync(PANIC_LAB_GLOB_ROOT).sort()) {
      const kdir = path.join(PANIC_LAB_GLOB_ROOT, kernel);
      if (!fs.statSync(kdir).isDirectory()) continue;
      for (const test of fs.readdirSync(kdir).sort()) {
        const p = path.join(kdir, test, 'console.log');
        // Skip captures still being written (a QEMU run may be in progress).
        if (!fs.existsSync(p) || Date.now() - fs.statSync(p).mtimeMs < 120_000) continue;
        const lines = splitLines(fs.readFileSync(p, 'latin1'));
        const end = lines.findIndex((l) => CRASH_START.test(l));
        parts.push({ source: p, lines: end < 0 ? lines : lines.slice(0, end) });
      }
    }
  }
  // This machine's own boot log.
  const r = spawnSync('dmesg', [], { encoding: 'latin1', maxBuffer: 256 << 20 });
  if (r.status === 0 && r.stdout.length > 0) parts.push({ source: `dmesg of ${os.hostname()} (${os.release()})`, lines: splitLines(r.stdout) });
  const lines = parts.flatMap((p) => p.lines);
  if (lines.length === 0) {
    throw new Error(`no boot noise found: neither ${PANIC_LAB_GLOB_ROOT}/*/*/console.log nor a readable 'dmesg'`);
  }
  const sources = parts.map((p) => `${p.source} (${p.lines.length} lines)`);
  fs.writeFileSync(snapshot, lines.join(''), 'latin1');
  fs.writeFileSync(sourcesFile, `${JSON.stringify(sources, null, 1)}\n`);
  return { lines, sources };
}

/** Lines with '\r' removed, each ending in '\n' (a missing final newline is added). */
function splitLines(text) {
  const lines = text.replace(/\r/g, '').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => `${l}\n`);
}

/** The log part of every corpus file that has a crash (non-empty TITLE), in file-name order. */
async function crashLogs() {
  const { parseTestFile } = await import(pathToFileURL(path.join(CORPUS_DIR, 'score.mjs')).href);
  const dir = path.join(CORPUS_DIR, 'syzkaller', 'linux', 'report');
  const names = fs.readdirSync(dir).filter((n) => /^\d+$/.test(n)).sort((a, b) => Number(a) - Number(b));
  const logs = [];
  for (const n of names) {
    const { expected, log } = parseTestFile(fs.readFileSync(path.join(dir, n), 'latin1'));
    if (expected.title) logs.push({ name: n, log: Buffer.from(log, 'latin1'), callTraces: countLinesWith(log, 'Call Trace') });
  }
  if (logs.length === 0) throw new Error(`no crash logs under ${dir}`);
  return logs;
}

const countLinesWith = (text, needle) => text.split('\n').filter((l) => l.includes(needle)).length;

// ------------------------------------------------------------------ the big log

/**
 * Writes noise block, crash log, noise block, crash log, ... until `targetBytes` are reached
 * (the last crash log may end past it). Cached by a digest of its inputs and parameters.
 *
 * Each noise block reads as ONE boot: it starts at one of the pool's boot banners ("Linux
 * version ...") and leaves out the other banners as it cycles through the pool. Kept in, the
 * pool's ~13 boots per 280 KB would make ~50,000 boots per GiB that each stop without a panic
 * or a shutdown line, which a crash tool rightly reports as unexpected reboots; --many-boots
 * builds that variant (all lines kept) on purpose.
 */
function buildLog({ targetBytes, noiseBytes, noise, crashes, rebuild, manyBoots, noiseOnly = false }) {
  const digest = crypto.createHash('sha256')
    .update(JSON.stringify({ GENERATOR_VERSION, targetBytes, noiseBytes, manyBoots, noiseOnly }))
    .update(noise.lines.join(''))
    .update(Buffer.concat(crashes.map((c) => c.log)))
    .digest('hex').slice(0, 16);
  const file = path.join(OUT_DIR, `big-${(targetBytes / GiB).toFixed(3).replace(/\.?0+$/, '')}gib${manyBoots ? '-manyboots' : ''}${noiseOnly ? '-noise' : ''}.log`);
  const metaFile = `${file}.json`;
  if (!rebuild && fs.existsSync(file) && fs.existsSync(metaFile)) {
    const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8'));
    if (meta.digest === digest && fs.statSync(file).size === meta.bytes) return { file, meta, cached: true };
  }
  const noiseBufs = noise.lines.map((l) => Buffer.from(l, 'latin1'));
  const isBanner = noise.lines.map((l) => BOOT_BANNER.test(l));
  const bannerAt = isBanner.flatMap((b, i) => (b ? [i] : []));
  const fd = fs.openSync(`${file}.tmp`, 'w');
  let bytes = 0, li = 0, crashCount = 0, callTraceLines = 0, boots = 0, blocks = 0;
  const used = new Set();
  try {
    while (bytes < targetBytes) {
      const block = [];
      let blockBytes = 0;
      if (!manyBoots && bannerAt.length > 0) li = bannerAt[blocks % bannerAt.length];
      blocks++;
      while (blockBytes < noiseBytes) {
        const first = block.length === 0;
        const i = li;
        li = (li + 1) % noiseBufs.length;
        if (isBanner[i]) {
          if (!manyBoots && !first) continue;
          boots++;
        }
        if (noise.lines[i].includes('Call Trace')) callTraceLines++;
        block.push(noiseBufs[i]);
        blockBytes += noiseBufs[i].length;
      }
      fs.writeSync(fd, Buffer.concat(block, blockBytes));
      bytes += blockBytes;
      if (bytes >= targetBytes) break;
      if (noiseOnly) continue;
      const c = crashes[crashCount % crashes.length];
      fs.writeSync(fd, c.log);
      bytes += c.log.length;
      callTraceLines += c.callTraces;
      used.add(c.name);
      crashCount++;
    }
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(`${file}.tmp`, file);
  const meta = {
    digest, bytes, targetBytes, noiseBytes, manyBoots, bootBanners: boots, crashLogsInserted: crashCount, distinctCrashLogs: used.size,
    callTraceLines, noiseSources: noise.sources, crashSource: path.join(CORPUS_DIR, 'syzkaller', 'linux', 'report'),
  };
  fs.writeFileSync(metaFile, `${JSON.stringify(meta, null, 1)}\n`);
  return { file, meta, cached: false };
}

/**
 * The same log as `journalctl -k -o short-precise` prints it: each line's `[ ts]` becomes the
 * wall time it stands for (from a fixed boot time) and ` bench-host kernel: ` is put before the
 * message, as journald stores kernel messages. Cached beside its source; rebuilt when that
 * changes. A console log and a journal of one machine then hold the same kernel text.
 */
function journalOf(source) {
  const file = source.file.replace(/\.log$/, '.journal-short-precise.out');
  const metaFile = `${file}.json`;
  if (fs.existsSync(file) && fs.existsSync(metaFile)) {
    const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8'));
    if (meta.sourceDigest === source.meta.digest && fs.statSync(file).size === meta.bytes) return { file, meta, cached: true };
  }
  const BOOT = Date.UTC(2026, 10, 23, 0, 13, 26);
  const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  const stamp = (seconds) => {
    const t = new Date(BOOT + Math.floor(seconds * 1000));
    const micros = Math.round((seconds % 1) * 1e6) % 1e6;
    return `${MONTHS[t.getUTCMonth()]} ${pad(t.getUTCDate())} ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}.${pad(micros, 6)}`;
  };
  const input = fs.openSync(source.file, 'r');
  const out = fs.openSync(`${file}.tmp`, 'w');
  const chunk = Buffer.alloc(8 * MiB);
  let carry = '', bytes = 0, lastTs = 0;
  const convert = (line) => {
    const m = /^\[ *(\d+\.\d+)\] ?/.exec(line);
    if (m) lastTs = Number(m[1]);
    return `${stamp(lastTs)} bench-host kernel: ${m ? line.slice(m[0].length) : line}\n`;
  };
  try {
    for (let n; (n = fs.readSync(input, chunk, 0, chunk.length, null)) > 0; ) {
      const lines = (carry + chunk.toString('latin1', 0, n)).split('\n');
      carry = lines.pop();
      const text = lines.map(convert).join('');
      bytes += fs.writeSync(out, text, null, 'latin1');
    }
    if (carry) bytes += fs.writeSync(out, convert(carry), null, 'latin1');
  } finally {
    fs.closeSync(input);
    fs.closeSync(out);
  }
  fs.renameSync(`${file}.tmp`, file);
  const meta = { sourceDigest: source.meta.digest, source: path.relative(REPO_ROOT, source.file), bytes };
  fs.writeFileSync(metaFile, `${JSON.stringify(meta, null, 1)}\n`);
  return { file, meta, cached: false };
}

// ------------------------------------------------------------------ timing

/** The line of a failed command's stderr that says what went wrong. */
function errorLine(stderr) {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /^(ktriage:|Error|\w*Error\b|FATAL|<--- Last few GCs)/.test(l)) ?? lines.slice(-1)[0] ?? '(no stderr)';
}

async function timeCommands(commands, runs) {
  for (const c of commands) {
    // Untimed run: warms the page cache (and gives us the output to sanity-check).
    const r = await measure(c.argv, { stdoutPath: c.warmupOut ?? c.stdoutPath ?? '/dev/null' });
    c.warmup = r;
    c.samples = [];
    if (r.status !== 0) {
      c.failed = `exit status ${r.status ?? 'killed'}: ${errorLine(r.stderr)}`;
      console.log(`  ${c.label}: FAILED (${c.failed})`);
    } else {
      console.log(`  ${c.label}: warm-up ${(r.wallMs / 1000).toFixed(2)} s, peak RSS ${(r.maxRssKiB / 1024).toFixed(0)} MiB`);
    }
  }
  for (const c of commands.filter((x) => x.once && !x.failed)) c.samples.push(c.warmup); // memory-only: one run
  for (let i = 0; i < runs; i++) {
    for (const c of commands.filter((x) => !x.failed && !x.once)) {
      const r = await measure(c.argv, { stdoutPath: c.stdoutPath ?? '/dev/null' });
      if (r.status !== 0) { c.failed = `exit status ${r.status ?? 'killed'}: ${errorLine(r.stderr)}`; continue; }
      c.samples.push(r);
    }
    console.log(`  round ${i + 1}/${runs} done`);
  }
  for (const c of commands) {
    if (c.failed || c.samples.length === 0) continue;
    const walls = c.samples.map((s) => s.wallMs / 1000);
    c.result = {
      medianS: median(walls), minS: Math.min(...walls), maxS: Math.max(...walls),
      cpuS: median(c.samples.map((s) => s.userS + s.sysS)),
      peakRssMiB: Math.max(...c.samples.map((s) => s.maxRssKiB), c.warmup.maxRssKiB) / 1024,
      mbPerS: c.bytes / 1e6 / median(walls),
    };
  }
}

// ------------------------------------------------------------------ main

export async function run(args) {
  const opt = parseOptions(args);
  if (opt.help) {
    console.log('usage: node bench/run.mjs throughput [--size-gb N (default 1)] [--runs N (default 3)] [--noise-mb N (default 2)] [--rebuild] [--many-boots]');
    return 0;
  }
  ensureOutDir();
  const snap = snapshotCli();
  const KTRIAGE = snap.bin;
  if (!hasGnuTime()) console.log('note: /usr/bin/time not found (apt-get install time); peak RSS comes from polling /proc/PID/status');
  const stamp = environmentStamp();
  const grepVersion = spawnSync('grep', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0];
  const locale = process.env.LC_ALL || process.env.LC_CTYPE || process.env.LANG || 'POSIX (unset)';
  console.log(`== ktriage throughput benchmark\n${formatStamp(stamp)}\ngrep:    ${grepVersion}, locale ${locale}\n${formatSnapshot(snap)}\n`);

  const noise = noiseSources(opt.rebuild);
  const crashes = await crashLogs();
  const full = Math.round(opt.sizeGb * GiB);
  const noiseBytes = Math.round(opt.noiseMb * MiB);
  const t0 = Date.now();
  const big = buildLog({ targetBytes: full, noiseBytes, noise, crashes, rebuild: opt.rebuild, manyBoots: opt.manyBoots });
  const quarter = buildLog({ targetBytes: Math.round(full / 4), noiseBytes, noise, crashes, rebuild: opt.rebuild, manyBoots: opt.manyBoots });
  // The same noise with no crash logs: does memory stay flat when there is nothing to report?
  const bigNoise = buildLog({ targetBytes: full, noiseBytes, noise, crashes, rebuild: opt.rebuild, manyBoots: opt.manyBoots, noiseOnly: true });
  const quarterNoise = buildLog({ targetBytes: Math.round(full / 4), noiseBytes, noise, crashes, rebuild: opt.rebuild, manyBoots: opt.manyBoots, noiseOnly: true });
  for (const f of [big, quarter, quarterNoise, bigNoise]) {
    const m = f.meta;
    console.log(`input ${path.relative(REPO_ROOT, f.file)}: ${(m.bytes / 1e6).toFixed(1)} MB (${(m.bytes / GiB).toFixed(3)} GiB)${f.cached ? ' [cached]' : ''}; ` +
      `${m.crashLogsInserted} crash logs (${m.distinctCrashLogs} distinct), one after every ${(m.noiseBytes / MiB).toFixed(1)} MiB of boot noise; ` +
      `${m.bootBanners} boot banners; ${m.callTraceLines} 'Call Trace' lines`);
  }
  const journal = journalOf(big);
  console.log(`input ${path.relative(REPO_ROOT, journal.file)}: ${(journal.meta.bytes / 1e6).toFixed(1)} MB${journal.cached ? ' [cached]' : ''}; the first input as journalctl -k -o short-precise prints it`);
  if (![big, quarter, bigNoise, quarterNoise, journal].every((f) => f.cached)) console.log(`(built in ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  const labCaptures = noise.sources.filter((s) => s.startsWith(PANIC_LAB_GLOB_ROOT)).length;
  console.log(`boot noise: ${noise.lines.length} lines from ${labCaptures} console captures in ${PANIC_LAB_GLOB_ROOT}/*/*/console.log ` +
    `(lines before the provoked crash)${noise.sources.some((s) => s.startsWith('dmesg')) ? ' and this machine\'s dmesg' : ''}, repeated; ` +
    (opt.manyBoots ? 'all boot banners kept (--many-boots)\n' : 'one boot banner per block\n'));

  const node = process.execPath;
  const jsonOut = path.join(OUT_DIR, 'throughput-ktriage.json');
  // grep's output goes to a file, not /dev/null: GNU grep notices an output of /dev/null and
  // stops at the first match (as with -q), which would time a scan of a few kilobytes.
  const commands = [
    { key: 'grep', label: `grep -c 'Call Trace' (${sizeLabel(big)})`, argv: ['grep', '-c', 'Call Trace', big.file], bytes: big.meta.bytes, stdoutPath: path.join(OUT_DIR, 'throughput-grep.txt') },
    { key: 'ktriageJson', label: `ktriage analyze --json (${sizeLabel(big)})`, argv: [node, KTRIAGE, 'analyze', '--json', big.file], bytes: big.meta.bytes, warmupOut: jsonOut },
    { key: 'ktriageText', label: `ktriage analyze (${sizeLabel(big)})`, argv: [node, KTRIAGE, 'analyze', big.file], bytes: big.meta.bytes },
    { key: 'grepQuarter', label: `grep -c 'Call Trace' (${sizeLabel(quarter)})`, argv: ['grep', '-c', 'Call Trace', quarter.file], bytes: quarter.meta.bytes, stdoutPath: path.join(OUT_DIR, 'throughput-grep-quarter.txt') },
    { key: 'ktriageJsonQuarter', label: `ktriage analyze --json (${sizeLabel(quarter)})`, argv: [node, KTRIAGE, 'analyze', '--json', quarter.file], bytes: quarter.meta.bytes },
    { key: 'grepJournal', label: `grep -c 'Call Trace' (journal, ${sizeLabel(journal)})`, argv: ['grep', '-c', 'Call Trace', journal.file], bytes: journal.meta.bytes, stdoutPath: path.join(OUT_DIR, 'throughput-grep-journal.txt') },
    { key: 'ktriageJsonJournal', label: `ktriage analyze --json (journal, ${sizeLabel(journal)})`, argv: [node, KTRIAGE, 'analyze', '--json', journal.file], bytes: journal.meta.bytes },
    // Memory only (one run each): the crash-free inputs, and the views laid out at the end.
    { key: 'ktriageMarkdownQuarter', label: `ktriage analyze --format markdown (${sizeLabel(quarter)})`, argv: [node, KTRIAGE, 'analyze', '--format', 'markdown', quarter.file], bytes: quarter.meta.bytes, once: true },
    { key: 'ktriageMarkdown', label: `ktriage analyze --format markdown (${sizeLabel(big)})`, argv: [node, KTRIAGE, 'analyze', '--format', 'markdown', big.file], bytes: big.meta.bytes, once: true },
    { key: 'ktriageHtmlQuarter', label: `ktriage analyze --format html (${sizeLabel(quarter)})`, argv: [node, KTRIAGE, 'analyze', '--format', 'html', quarter.file], bytes: quarter.meta.bytes, once: true },
    { key: 'ktriageHtml', label: `ktriage analyze --format html (${sizeLabel(big)})`, argv: [node, KTRIAGE, 'analyze', '--format', 'html', big.file], bytes: big.meta.bytes, once: true },
    { key: 'ktriageJsonQuarterNoise', label: `ktriage analyze --json (${sizeLabel(quarterNoise)}, noise only)`, argv: [node, KTRIAGE, 'analyze', '--json', quarterNoise.file], bytes: quarterNoise.meta.bytes, once: true },
    { key: 'ktriageJsonNoise', label: `ktriage analyze --json (${sizeLabel(bigNoise)}, noise only)`, argv: [node, KTRIAGE, 'analyze', '--json', bigNoise.file], bytes: bigNoise.meta.bytes, once: true },
  ];
  console.log(`timing: 1 untimed warm-up run each, then ${opt.runs} interleaved rounds; median wall time (noise-only inputs: one run, for memory)`);
  await timeCommands(commands, opt.runs);
  const by = Object.fromEntries(commands.map((c) => [c.key, c]));

  // Sanity: did both tools read the whole file?
  const grepCount = Number(fs.readFileSync(path.join(OUT_DIR, 'throughput-grep.txt'), 'utf8').trim());
  let ktriageReports = null;
  if (!by.ktriageJson.failed) {
    try {
      const out = JSON.parse(fs.readFileSync(jsonOut, 'utf8'));
      ktriageReports = Array.isArray(out.reports) ? out.reports.length : null;
    } catch { /* reported below */ }
  }
  console.log(`\nsanity: grep counted ${grepCount} 'Call Trace' lines (generator wrote ${big.meta.callTraceLines}); ` +
    `ktriage --json reported ${ktriageReports ?? '?'} crash reports for ${big.meta.crashLogsInserted} inserted crash logs (${big.meta.distinctCrashLogs} distinct)`);

  // Results table.
  const g = by.grep.result;
  const rows = [['command', 'median s', 'min-max s', 'CPU s', 'MB/s', 'peak RSS MiB', 'time vs grep', 'CPU vs grep']];
  for (const c of commands) {
    if (!c.result) { rows.push([c.label, 'FAILED', '', '', '', '', '', '']); continue; }
    const r = c.result;
    const ref = c.once ? null : c.key.endsWith('Quarter') ? by.grepQuarter.result : c.key.endsWith('Journal') ? by.grepJournal.result : g;
    rows.push([c.label, r.medianS.toFixed(2), `${r.minS.toFixed(2)}-${r.maxS.toFixed(2)}`, r.cpuS.toFixed(2), r.mbPerS.toFixed(0),
      r.peakRssMiB.toFixed(0), ref ? `${(r.medianS / ref.medianS).toFixed(2)}x` : '', ref && ref.cpuS > 0 ? `${(r.cpuS / ref.cpuS).toFixed(2)}x` : '-']);
  }
  console.log(`\n${table(rows, { alignRight: [1, 2, 3, 4, 5, 6, 7] })}`);
  console.log('(MB = 10^6 bytes; time = median wall time; CPU = median user+sys, steadier than wall time on a busy machine)');

  // Goals.
  console.log('\n== goals');
  const verdicts = {};
  // Console logs: within 2.5x grep (the pipeline issue's goal); journals: within 3x.
  for (const [key, grepKey, goal] of [['ktriageJson', 'grep', CONSOLE_GOAL_RATIO], ['ktriageText', 'grep', CONSOLE_GOAL_RATIO], ['ktriageJsonJournal', 'grepJournal', GOAL_TIME_RATIO]]) {
    const r = by[key].result;
    const ref = by[grepKey].result;
    if (!r || !ref) { console.log(`${by[key].label}: not measured (${by[key].failed ?? 'grep failed'})`); continue; }
    const ratio = r.medianS / ref.medianS;
    const cpuRatio = r.cpuS / ref.cpuS;
    verdicts[key] = ratio <= goal;
    console.log(`time:   ${by[key].label} takes ${ratio.toFixed(2)}x grep's wall time, ${cpuRatio.toFixed(2)}x its CPU time ` +
      `(goal <= ${goal}x): ${verdicts[key] ? 'MET' : 'MISSED'}${(ratio <= goal) !== (cpuRatio <= goal) ? ' (wall and CPU disagree: rerun on a quiet machine)' : ''}`);
  }
  const memory = (key, qKey, what, qFile, fFile) => {
    const rq = by[qKey].result, rf = by[key].result;
    if (!rq || !rf) return;
    const growth = rf.peakRssMiB / rq.peakRssMiB;
    verdicts[key === 'ktriageJson' ? 'memoryFlat' : `memoryFlat-${key}`] = growth <= FLAT_RSS_FACTOR;
    console.log(`memory (${what}): peak RSS ${rq.peakRssMiB.toFixed(0)} MiB at ${sizeLabel(qFile)}, ${rf.peakRssMiB.toFixed(0)} MiB at ${sizeLabel(fFile)} ` +
      `(x${growth.toFixed(2)} for x${(fFile.meta.bytes / qFile.meta.bytes).toFixed(1)} input; flat means <= x${FLAT_RSS_FACTOR}): ${growth <= FLAT_RSS_FACTOR ? 'MET' : 'MISSED'}`);
  };
  memory('ktriageJson', 'ktriageJsonQuarter', `with ${quarter.meta.crashLogsInserted} / ${big.meta.crashLogsInserted} crash logs`, quarter, big);
  memory('ktriageJsonNoise', 'ktriageJsonQuarterNoise', 'noise only, no crash logs', quarterNoise, bigNoise);
  memory('ktriageMarkdown', 'ktriageMarkdownQuarter', '--format markdown', quarter, big);
  memory('ktriageHtml', 'ktriageHtmlQuarter', '--format html', quarter, big);

  const record = {
    stamp, ktriage: { distHash: snap.distHash, staleBuild: snap.staleBuild }, grep: grepVersion, locale, runs: opt.runs,
    inputs: Object.fromEntries([['full', big], ['quarter', quarter], ['fullNoiseOnly', bigNoise], ['quarterNoiseOnly', quarterNoise], ['journal', journal]]
      .map(([k, f]) => [k, { file: path.relative(REPO_ROOT, f.file), ...f.meta }])),
    sanity: { grepCallTraceLines: grepCount, ktriageReports },
    results: Object.fromEntries(commands.map((c) => [c.key, { label: c.label, argv: c.argv, failed: c.failed, ...c.result, samples: c.samples }])),
    verdicts,
  };
  fs.writeFileSync(path.join(OUT_DIR, 'throughput.json'), `${JSON.stringify(record, null, 1)}\n`);
  console.log(`\n(full record: ${path.relative(REPO_ROOT, path.join(OUT_DIR, 'throughput.json'))})`);
  return commands.some((c) => c.failed) ? 1 : 0;
}

const sizeLabel = (f) => `${(f.meta.bytes / GiB).toFixed(2)} GiB`;

if (isMain(import.meta.url)) process.exitCode = await run(process.argv.slice(2));
