// vmcore: `ktriage vmcore dmesg` against vmcore-dmesg, makedumpfile --dump-dmesg, drgn and a bare
// `node -e 0`, on the panic lab's dumps, in the same run, interleaved.
//   node bench/run.mjs vmcore [--lab DIR] [--run NAME] [--runs N] [--no-drgn] [--no-inspect | --inspect-only]
// Each tool is run on every dump format; a tool that cannot read a format (exit status or empty
// output) is shown as `fails`. Reports the median wall time and peak RSS per tool and format, the
// ratios, and the reading itself timed inside one Node process (start-up and imports excluded).
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import {
  ensureOutDir, environmentStamp, formatSnapshot, formatStamp, isMain, measure, requireBuiltCli, snapshotCli, table,
} from './common.mjs';
import { runInspectBench } from './vmcore-inspect.mjs';

const DEFAULT_LAB = '/var/tmp/panic-lab/out/6.1.0-56-cloud-amd64';
const VMLINUX = '/var/tmp/panic-lab/cache/x-6.1.0-56-cloud-amd64/dbg/usr/lib/debug/boot/vmlinux-6.1.0-56-cloud-amd64';

function parse(args) {
  const o = { lab: DEFAULT_LAB, run: 'BUG', runs: 7, drgn: true, inspect: true, inspectOnly: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--lab') o.lab = args[++i];
    else if (a === '--run') o.run = args[++i];
    else if (a === '--runs') o.runs = Number(args[++i]);
    else if (a === '--no-drgn') o.drgn = false;
    else if (a === '--no-inspect') o.inspect = false;
    else if (a === '--inspect-only') o.inspectOnly = true;
    else throw new Error(`vmcore bench: unknown argument ${a}`);
  }
  return o;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmtMs = (ms) => (ms >= 100 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);

export async function run(args) {
  const o = parse(args);
  const dir = path.join(o.lab, o.run);
  if (!fs.existsSync(dir)) {
    console.log(`vmcore bench: skipped, no panic-lab run at ${dir} (build the lab: ../shared/lab/make-lab.sh)`);
    return 0;
  }
  requireBuiltCli();
  const snap = snapshotCli();
  const out = ensureOutDir();
  if (o.inspectOnly) {
    console.log(formatStamp(environmentStamp()));
    console.log(formatSnapshot(snap));
    await runInspectBench({ lab: o.lab, run: o.run, runs: o.runs, snap, out });
    return 0;
  }
  const dumps = fs.readdirSync(dir).filter((f) => f.startsWith('vmcore.')).sort().map((f) => path.join(dir, f));
  const drgnScript = path.join(out, 'drgn-dmesg.py');
  fs.writeFileSync(drgnScript, 'import sys\nfrom drgn.helpers.linux.printk import get_dmesg\nsys.stdout.buffer.write(get_dmesg(prog))\n');
  const haveDrgn = o.drgn && fs.existsSync(VMLINUX) && spawnSync('drgn', ['--version']).status === 0;
  const tools = {
    'node -e 0': () => ['node', '-e', '0'],
    ktriage: (d) => ['node', snap.bin, 'vmcore', 'dmesg', d],
    // A flattened dump's record index is cached after the first run (src/vmcore/flattened-index-cache.ts): the first run's cost.
    'ktriage, no index cache': (d) => ['node', snap.bin, 'vmcore', 'dmesg', d],
    'vmcore-dmesg': (d) => ['vmcore-dmesg', d],
    'makedumpfile': (d) => ['makedumpfile', '--dump-dmesg', d, path.join(out, 'mdf-dmesg.txt')],
    ...(haveDrgn ? { drgn: (d) => ['drgn', '-q', '-c', d, '-s', VMLINUX, drgnScript] } : {}),
  };
  console.log(formatStamp(environmentStamp()));
  console.log(formatSnapshot(snap));
  console.log(`dumps: ${dir} (${dumps.length} formats), ${o.runs} runs per tool and dump, interleaved${haveDrgn ? '' : '; drgn not run (no vmlinux or drgn)'}\n`);

  const results = new Map(); // `${tool}|${dump}` -> { wall: [], rss: [], ok }
  for (let i = 0; i < o.runs; i++) {
    for (const d of dumps) {
      for (const [name, argv] of Object.entries(tools)) {
        if (name === 'node -e 0' && d !== dumps[0]) continue;
        if (name === 'drgn' && i >= Math.min(o.runs, 3)) continue; // ~0.5 s a run: 3 are enough
        const key = `${name}|${name === 'node -e 0' ? '-' : d}`;
        const stdoutPath = path.join(out, 'vmcore-bench.out');
        const env = name === 'ktriage, no index cache' ? { ...process.env, KTRIAGE_NO_DUMP_INDEX_CACHE: '1' } : process.env;
        const m = await measure(argv(d), { stdoutPath, env });
        const produced = name === 'makedumpfile'
          ? fs.existsSync(path.join(out, 'mdf-dmesg.txt')) && fs.statSync(path.join(out, 'mdf-dmesg.txt')).size > 0
          : name === 'node -e 0' || fs.statSync(stdoutPath).size > 0;
        fs.rmSync(path.join(out, 'mdf-dmesg.txt'), { force: true });
        const r = results.get(key) ?? { wall: [], cpu: [], rss: [], ok: true };
        r.wall.push(m.wallMs);
        r.cpu.push((m.userS + m.sysS) * 1000);
        r.rss.push(m.maxRssKiB / 1024);
        r.ok &&= m.status === 0 && produced;
        results.set(key, r);
      }
    }
  }
  const node = median(results.get('node -e 0|-').wall);
  const nodeCpu = median(results.get('node -e 0|-').cpu);
  const cell = (name, d) => {
    const r = results.get(`${name}|${d}`);
    if (!r) return '-';
    if (!r.ok) return 'fails';
    return `${fmtMs(median(r.wall))} / ${Math.max(...r.rss).toFixed(0)} MiB`;
  };
  const rows = [['dump', ...Object.keys(tools).filter((t) => t !== 'node -e 0'), 'ktriage ÷ node -e 0', 'cpu ÷ node -e 0 cpu', 'no index cache ÷ node -e 0', 'ktriage ÷ vmcore-dmesg', 'ktriage ÷ drgn']];
  for (const d of dumps) {
    const k = median(results.get(`ktriage|${d}`).wall);
    const ratio = (name) => {
      const r = results.get(`${name}|${d}`);
      return r && r.ok ? `${(k / median(r.wall)).toFixed(2)}×` : '-';
    };
    const kCpu = median(results.get(`ktriage|${d}`).cpu);
    const uncached = median(results.get(`ktriage, no index cache|${d}`).wall);
    rows.push([path.basename(d), ...Object.keys(tools).filter((t) => t !== 'node -e 0').map((t) => cell(t, d)), `${(k / node).toFixed(2)}×`, `${(kCpu / nodeCpu).toFixed(2)}×`, `${(uncached / node).toFixed(2)}×`, ratio('vmcore-dmesg'), ratio('drgn')]);
  }
  console.log(`whole command, median wall / peak RSS (node -e 0: ${fmtMs(node)} wall, ${fmtMs(nodeCpu)} cpu / ${Math.max(...results.get('node -e 0|-').rss).toFixed(0)} MiB); cpu = user+sys, steadier on a busy machine`);
  console.log(table(rows));

  // The reading alone: one fresh Node process per dump imports the modules, then times the read.
  const inproc = path.join(out, 'vmcore-inprocess.mjs');
  const dist = pathToFileURL(path.join(snap.root, 'dist', 'vmcore')).href;
  fs.writeFileSync(inproc, `
import { openVmcore } from '${dist}/open-vmcore.js';
import { readKernelLog } from '${dist}/kernel-log.js';
import { formatDmesg } from '${dist}/dmesg-text.js';
const read = (p) => { const c = openVmcore(p); try { return formatDmesg(readKernelLog(c).records).length; } finally { c.close(); } };
const t0 = process.hrtime.bigint(); read(process.argv[2]); const first = Number(process.hrtime.bigint() - t0) / 1e6;
const warm = []; for (let i = 0; i < 20; i++) { const t = process.hrtime.bigint(); read(process.argv[2]); warm.push(Number(process.hrtime.bigint() - t) / 1e6); }
warm.sort((a, b) => a - b);
console.log(JSON.stringify({ first, warm: warm[10] }));
`);
  const rows2 = [['dump', 'first read', 'warm read', 'vmcore-dmesg whole run', 'first ÷ vmcore-dmesg', 'warm ÷ vmcore-dmesg']];
  for (const d of dumps) {
    const runs = Array.from({ length: 3 }, () => JSON.parse(spawnSync('node', [inproc, d], { encoding: 'utf8' }).stdout));
    const first = median(runs.map((r) => r.first));
    const warm = median(runs.map((r) => r.warm));
    const vd = results.get(`vmcore-dmesg|${d}`);
    const ref = vd?.ok ? median(vd.wall) : undefined;
    rows2.push([path.basename(d), fmtMs(first), fmtMs(warm), ref ? fmtMs(ref) : 'fails', ref ? `${(first / ref).toFixed(2)}×` : '-', ref ? `${(warm / ref).toFixed(2)}×` : '-']);
  }
  console.log('\nthe reading itself, in-process (open + decode + format; median of 3 fresh processes; warm = median of 20 repeats)');
  console.log(table(rows2));
  if (o.inspect) await runInspectBench({ lab: o.lab, run: o.run, runs: o.runs, snap, out });
  return 0;
}

if (isMain(import.meta.url)) process.exitCode = await run(process.argv.slice(2));
