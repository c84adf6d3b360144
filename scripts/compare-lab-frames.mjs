#!/usr/bin/env node
// Every distinct vmlinux frame and RIP of the panic lab's oopses of Debian's 6.1.0-56-cloud-amd64
// (return addresses − 1, RIPs as printed), answered by ktriage and by `addr2line -f -i -a`
// (binutils 2.40 compatibility on). Needs `npm run build`, the lab output and the -dbg vmlinux:
//   node scripts/compare-lab-frames.mjs [VMLINUX] [LAB_OUT_DIR]
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { SymbolFile, formatAddr2Line } from '../dist/symbols/symbol-file.js';

const V = process.argv[2] ?? '/var/tmp/symbols-dbg/root/usr/lib/debug/boot/vmlinux-6.1.0-56-cloud-amd64';
const root = process.argv[3] ?? '/var/tmp/panic-lab/out/6.1.0-56-cloud-amd64';
if (!fs.existsSync(V) || !fs.existsSync(root)) {
  console.log(`compare-lab-frames: skipped: needs ${V} and ${root}`);
  process.exit(0);
}
const kernel = SymbolFile.open(V, { binutils240: true });
const addrs = new Map();
for (const d of fs.readdirSync(root)) {
  const f = `${root}/${d}/console.log`; if (!fs.existsSync(f)) continue;
  for (const line of fs.readFileSync(f, 'utf8').split('\n')) {
    const m = /(RIP: 0010:|\s)(\? )?([\w.]+)\+0x([0-9a-f]+)\/0x([0-9a-f]+)\r?$/.exec(line);
    if (!m) continue;
    const sym = kernel.functionSymbol(m[3]); if (!sym) continue;
    const rip = m[1].startsWith('RIP');
    const a = sym.address + BigInt('0x' + m[4]) - (rip || m[4] === '0' ? 0n : 1n);
    addrs.set(a.toString(16), `${m[3]}+0x${m[4]}`);
  }
}
const list = [...addrs.keys()];
const ref = spawnSync('addr2line', ['-f', '-i', '-a', '-e', V], { input: list.map(a => '0x' + a).join('\n') + '\n', encoding: 'utf8', maxBuffer: 1 << 28 }).stdout.split(/^(?=0x[0-9a-f]+$)/m).map(b => b.replace(/^0x[0-9a-f]+\n/, ''));
const mine = kernel.lookupMany(list.map(a => BigInt('0x' + a))).map(i => formatAddr2Line(i, { functions: true, inlines: true, pretty: false }));
let same = 0; list.forEach((a, i) => { if (ref[i] === mine[i]) same++; else console.log('DIFF', a, addrs.get(a), JSON.stringify(ref[i]), JSON.stringify(mine[i])); });
console.log(`lab oops frames (distinct vmlinux frames and RIPs of all ${fs.readdirSync(root).length} runs): ${same}/${list.length} identical`);
