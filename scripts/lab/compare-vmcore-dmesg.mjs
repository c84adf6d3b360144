#!/usr/bin/env node
// Reads the kernel log of every dump of every panic-lab run with ktriage (dist/) and compares it
// byte for byte with what the reference tools printed for the same crash: truth.vmcore-dmesg.txt
// (vmcore-dmesg on the format it could read) and truth.makedumpfile-dmesg.txt of the run.
// Usage: node scripts/lab/compare-vmcore-dmesg.mjs [LAB_OUT_DIR]   (npm run build first)
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openVmcore } from '../../dist/vmcore/open-vmcore.js';
import { readKernelLog } from '../../dist/vmcore/kernel-log.js';
import { formatDmesg } from '../../dist/vmcore/dmesg-text.js';

const root = process.argv[2] ?? '/var/tmp/panic-lab/out/6.1.0-56-cloud-amd64';
if (!existsSync(root)) {
  console.log(`skip: no panic-lab output at ${root} (see ../shared/lab/README.md)`);
  process.exit(0);
}
let same = 0;
let differ = 0;
let failed = 0;
const rows = [];
for (const run of readdirSync(root).sort()) {
  const dir = join(root, run);
  const truths = ['truth.vmcore-dmesg.txt', 'truth.makedumpfile-dmesg.txt']
    .map((t) => join(dir, t))
    .filter((p) => existsSync(p) && readFileSync(p).length > 0)
    .map((p) => ({ name: p.split('/').pop(), bytes: readFileSync(p) }));
  for (const dump of readdirSync(dir).filter((f) => f.startsWith('vmcore.')).sort()) {
    let verdict;
    try {
      const core = openVmcore(join(dir, dump));
      const log = readKernelLog(core);
      core.close();
      // Each tool's own style: they differ only where a record holds a newline.
      const styled = (t) => formatDmesg(log.records, t.name.includes('makedumpfile') ? 'makedumpfile' : 'vmcore-dmesg');
      const equal = truths.filter((t) => t.bytes.equals(styled(t))).map((t) => t.name);
      if (truths.length === 0) verdict = `read ${log.records.length} records (no truth file)`;
      else if (equal.length === truths.length) {
        verdict = `same as ${equal.join(' and ')}`;
        same++;
      } else {
        verdict = `DIFFERS from ${truths.filter((t) => !equal.includes(t.name)).map((t) => t.name).join(', ')}`;
        differ++;
      }
      if (log.partial) verdict += ` (partial: ${log.partial})`;
    } catch (e) {
      verdict = `FAILED: ${e.message}`;
      failed++;
    }
    rows.push(`${run}/${dump}: ${verdict}`);
  }
}
console.log(rows.join('\n'));
console.log(`\n${same} dumps equal to every truth file of their run, ${differ} differ, ${failed} failed`);
process.exit(differ + failed > 0 ? 1 : 0);
