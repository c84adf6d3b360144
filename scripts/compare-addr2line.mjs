#!/usr/bin/env node
// Compares ktriage's native symbolizer with GNU `addr2line -f -i -a` on sampled addresses of
// an ELF file (a vmlinux, a .ko, any binary with DWARF), and prints the agreement and every
// difference. Needs binutils' addr2line and `npm run build`.
//
//   node scripts/compare-addr2line.mjs FILE [--count N] [--seed S] [--show K] [--binutils-2.40]
//
// --binutils-2.40 reproduces that version's DWARF 5 initial-file bug (PR 30783), so the
// comparison with Debian 12's addr2line can be byte-exact; without it those rows differ.
//
// Sampling: addresses spread uniformly over the executable sections, plus the start and a few
// bytes into random function symbols (where inlined calls and line boundaries are dense).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { SymbolFile, formatAddr2Line } from '../dist/symbols/symbol-file.js';

const args = process.argv.slice(2);
const file = args[0];
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const count = opt('--count', 10000);
let seed = opt('--seed', 1);
const show = opt('--show', 20);
if (!file || !fs.existsSync(file)) {
  console.error(`usage: node scripts/compare-addr2line.mjs FILE [--count N] [--seed S]\n${file ? `no such file: ${file}` : ''}`);
  process.exit(2);
}
// mulberry32: a small PRNG in 32-bit integer arithmetic (a float LCG loses precision and cycles).
const rand = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const compat = args.includes('--binutils-2.40');
const sf = SymbolFile.open(file, { binutils240: compat });
const exec = sf.elf.sections.filter((s) => (s.flags & 0x6) === 0x6 && s.size > 0);
const funcs = sf.symbols.symbols.filter((s) => s.type === 2 && s.size > 0 && exec.some((e) => e.index === s.shndx));
const addrs = new Set();
while (addrs.size < count) {
  const r = rand();
  if (r < 0.5 && funcs.length > 0) {
    const f = funcs[Math.floor(rand() * funcs.length)];
    const base = sf.elf.isRelocatable ? f.value : f.value;
    addrs.add(base + BigInt(Math.floor(rand() * f.size)));
  } else {
    const total = exec.reduce((n, s) => n + s.size, 0);
    let at = Math.floor(rand() * total);
    for (const s of exec) {
      if (at < s.size) {
        addrs.add(s.addr + BigInt(at));
        break;
      }
      at -= s.size;
    }
  }
}
const list = [...addrs];
const input = list.map((a) => `0x${a.toString(16)}`).join('\n') + '\n';

const t0 = performance.now();
const ref = spawnSync('addr2line', ['-f', '-i', '-a', '-e', file], { input, maxBuffer: 1 << 30, encoding: 'utf8' });
const tRef = performance.now() - t0;
if (ref.status !== 0) {
  console.error(`addr2line failed: ${ref.stderr}`);
  process.exit(2);
}
const refBlocks = ref.stdout.split(/^(?=0x[0-9a-f]+$)/m);

const t1 = performance.now();
const mine = sf.lookupMany(list).map((info) => formatAddr2Line(info, { functions: true, inlines: true, pretty: false }));
const tMine = performance.now() - t1;

let same = 0;
const diffs = [];
list.forEach((a, i) => {
  const expected = (refBlocks[i] ?? '').replace(/^0x[0-9a-f]+\n/, '');
  if (expected === mine[i]) same++;
  else diffs.push({ address: a.toString(16), expected, got: mine[i] });
});
console.log(`${file}${compat ? ' (binutils 2.40 compatibility)' : ''}: ${same}/${list.length} addresses agree with addr2line -f -i (${((100 * same) / list.length).toFixed(2)}%)`);
console.log(`time: addr2line batched ${(tRef / 1000).toFixed(2)} s, ktriage in-process ${(tMine / 1000).toFixed(2)} s`);
for (const d of diffs.slice(0, show)) console.log(`--- 0x${d.address}\n  addr2line:\n${indent(d.expected)}  ktriage:\n${indent(d.got)}`);
if (sf.dwarf?.warnings.length) console.log(`units skipped: ${sf.dwarf.warnings.slice(0, 5).join('\n')}`);
process.exitCode = diffs.length === 0 ? 0 : 1;

function indent(s) {
  return s.split('\n').filter(Boolean).map((l) => `    ${l}\n`).join('');
}
