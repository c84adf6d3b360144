// bench/symbolize.bench.mjs [VMLINUX]: ktriage's symbolizer against GNU addr2line on the
// Debian kernel's vmlinux, in the same run: a real 50-frame trace (one addr2line process per
// frame as decode_stacktrace.sh runs it, one batched addr2line, ktriage cold and with its
// on-disk cache, bare `node -e 0`), and 10,000 sampled addresses (batched addr2line vs
// `ktriage symbolize --addr2line`). Skips with a message when the vmlinux is not there:
//   apt-get download linux-image-$(uname -r)-dbg && dpkg-deb -x linux-image-*-dbg*.deb DIR
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { environmentStamp, formatStamp, isMain, median, snapshotCli, table, ensureOutDir } from './common.mjs';

const DEFAULT_VMLINUX = '/var/tmp/symbols-dbg/root/usr/lib/debug/boot/vmlinux-6.1.0-56-cloud-amd64';
const LAB_LOGS = '/var/tmp/panic-lab/out/6.1.0-56-cloud-amd64';
const TIME = '/usr/bin/time';
const ROUNDS = 3;

/** Runs argv under GNU time with `input` on stdin: { wallMs, maxRssKiB, stdout }. */
function timed(argv, input = '', env = process.env) {
  const tfile = path.join(os.tmpdir(), `kt-symbench-${process.pid}.txt`);
  const t0 = process.hrtime.bigint();
  const r = spawnSync(TIME, ['-f', '%M', '-o', tfile, ...argv], { input, env, maxBuffer: 1 << 30, encoding: 'utf8' });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const maxRssKiB = Number(fs.readFileSync(tfile, 'utf8').trim().split('\n').pop());
  fs.rmSync(tfile, { force: true });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr}`);
  return { wallMs, maxRssKiB, stdout: r.stdout };
}

export async function run(args) {
  const vmlinux = args[0] ?? process.env.KTRIAGE_VMLINUX ?? DEFAULT_VMLINUX;
  if (!fs.existsSync(vmlinux) || !fs.existsSync(TIME) || spawnSync('addr2line', ['--version']).status !== 0) {
    console.log(`bench symbolize: skipped: needs ${vmlinux} (Debian linux-image-*-dbg), GNU time and binutils' addr2line`);
    return 0;
  }
  const cli = snapshotCli();
  const { SymbolFile } = await import(path.join(cli.root, 'dist/symbols/symbol-file.js'));
  const kernel = SymbolFile.open(vmlinux);

  // A real 50-frame trace: the distinct vmlinux frames of the lab's oopses of this very kernel.
  const frames = [];
  const seen = new Set();
  for (const dir of fs.existsSync(LAB_LOGS) ? fs.readdirSync(LAB_LOGS).sort() : []) {
    const log = path.join(LAB_LOGS, dir, 'console.log');
    if (!fs.existsSync(log)) continue;
    for (const line of fs.readFileSync(log, 'utf8').split('\n')) {
      const m = /^\[\s*[\d.]+\]\s+(\? )?([\w.]+)\+0x([0-9a-f]+)\/0x([0-9a-f]+)\r?$/.exec(line);
      if (!m || seen.has(`${m[2]}+${m[3]}`) || frames.length >= 50) continue;
      const sym = kernel.functionSymbol(m[2]);
      if (!sym) continue;
      seen.add(`${m[2]}+${m[3]}`);
      frames.push({ line: line.replace(/\r$/, ''), address: sym.address + BigInt(`0x${m[3]}`) - 1n });
    }
  }
  if (frames.length < 50) console.log(`note: only ${frames.length} distinct frames found in ${LAB_LOGS}`);
  const out = ensureOutDir();
  const traceFile = path.join(out, 'symbolize-trace.txt');
  fs.writeFileSync(traceFile, `${frames.map((f) => f.line).join('\n')}\n`);
  const traceAddrs = frames.map((f) => `0x${f.address.toString(16)}`);

  // 10,000 addresses spread over .text (same sampler as scripts/compare-addr2line.mjs).
  const text = kernel.elf.section('.text');
  let seed = 11;
  // mulberry32 (32-bit integer arithmetic; a float LCG loses precision and cycles).
  const rand = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const many = [];
  while (many.length < 10000) many.push(`0x${(text.addr + BigInt(Math.floor(rand() * text.size))).toString(16)}`);
  const manyInput = `${many.join('\n')}\n`;

  const cacheHome = fs.mkdtempSync(path.join(os.tmpdir(), 'kt-symbench-cache-'));
  const warmEnv = { ...process.env, XDG_CACHE_HOME: cacheHome };
  const node = process.execPath;
  const kt = (...a) => [node, cli.bin, ...a];
  timed(kt('symbolize', '--vmlinux', vmlinux, traceFile), '', warmEnv); // fills the cache

  const cases = {
    'node -e 0': () => timed([node, '-e', '0']),
    'addr2line, one process per frame (decode_stacktrace.sh)': () => {
      let wallMs = 0;
      let maxRssKiB = 0;
      for (const a of traceAddrs) {
        const r = timed(['addr2line', '-f', '-i', '-e', vmlinux, a]);
        wallMs += r.wallMs;
        maxRssKiB = Math.max(maxRssKiB, r.maxRssKiB);
      }
      return { wallMs, maxRssKiB };
    },
    'addr2line -f -i, one batched process': () => timed(['addr2line', '-f', '-i', '-e', vmlinux, ...traceAddrs]),
    'ktriage symbolize --addr2line, cold (no cache)': () => timed(kt('symbolize', '--addr2line', '-f', '-i', '-e', vmlinux, '--no-symbol-cache', ...traceAddrs)),
    'ktriage symbolize (annotate trace), cold (no cache)': () => timed(kt('symbolize', '--no-symbol-cache', '--vmlinux', vmlinux, traceFile)),
    'ktriage symbolize (annotate trace), on-disk cache': () => timed(kt('symbolize', '--vmlinux', vmlinux, traceFile), '', warmEnv),
  };
  const results = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (let round = 0; round < ROUNDS; round++) for (const [name, f] of Object.entries(cases)) results[name].push(f());

  // Both answer the same: check on the trace before timing the big batch.
  const ref = timed(['addr2line', '-f', '-i', '-e', vmlinux, ...traceAddrs]).stdout;
  const mine = timed(kt('symbolize', '--addr2line', '-f', '-i', '--binutils-2.40', '--no-symbol-cache', '-e', vmlinux, ...traceAddrs)).stdout;

  const bigRef = timed(['addr2line', '-f', '-i', '-e', vmlinux], manyInput);
  const bigMine = timed(kt('symbolize', '--addr2line', '-f', '-i', '--binutils-2.40', '--no-symbol-cache', '-e', vmlinux), manyInput);

  const stamp = environmentStamp();
  console.log(formatStamp(stamp));
  console.log(`vmlinux: ${vmlinux} (${(fs.statSync(vmlinux).size / 1e6).toFixed(0)} MB); trace: ${frames.length} frames; medians of ${ROUNDS} interleaved rounds`);
  const base = median(results['addr2line -f -i, one batched process'].map((r) => r.wallMs));
  const nodeMs = median(results['node -e 0'].map((r) => r.wallMs));
  const rows = [['case', 'wall', 'peak RSS', 'vs batched addr2line', 'vs node -e 0']];
  for (const [name, rs] of Object.entries(results)) {
    const w = median(rs.map((r) => r.wallMs));
    rows.push([name, `${(w / 1000).toFixed(3)} s`, `${(Math.max(...rs.map((r) => r.maxRssKiB)) / 1024).toFixed(0)} MB`, `${(w / base).toFixed(2)}×`, `${(w / nodeMs).toFixed(2)}×`]);
  }
  console.log(table(rows));
  console.log(`trace answers identical to addr2line -f -i (binutils 2.40 compatibility): ${ref === mine ? 'yes' : 'NO'}`);
  console.log(`10,000 addresses: addr2line batched ${(bigRef.wallMs / 1000).toFixed(2)} s, ${(bigRef.maxRssKiB / 1024).toFixed(0)} MB; ktriage ${(bigMine.wallMs / 1000).toFixed(2)} s, ${(bigMine.maxRssKiB / 1024).toFixed(0)} MB; ratio ${(bigMine.wallMs / bigRef.wallMs).toFixed(2)}×; identical output: ${bigRef.stdout === bigMine.stdout ? 'yes' : 'NO'}`);
  fs.rmSync(cacheHome, { recursive: true, force: true });
  return ref === mine ? 0 : 1;
}

if (isMain(import.meta.url)) process.exitCode = await run(process.argv.slice(2));
