#!/usr/bin/env node
// For every panic-lab run: the report titles ktriage finds in the dump's kernel log against those
// it finds in the serial console capture of the same crash.
// Usage: node scripts/lab/compare-vmcore-analysis.mjs [LAB_OUT_DIR]   (npm run build first)
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../dist/cli/analyze-command.js';

const root = process.argv[2] ?? '/var/tmp/panic-lab/out/6.1.0-56-cloud-amd64';
if (!existsSync(root)) {
  console.log(`skip: no panic-lab output at ${root} (see ../shared/lab/README.md)`);
  process.exit(0);
}
const titles = async (path) => {
  const r = await analyze({ inputs: [path], inputFormat: 'auto', json: true, exitCode: false, color: false });
  return r.reports.map((x) => x.title);
};
let same = 0;
let differ = 0;
for (const run of readdirSync(root).sort()) {
  const dir = join(root, run);
  const dump = readdirSync(dir).find((f) => f.startsWith('vmcore.'));
  if (!dump || !existsSync(join(dir, 'console.log'))) continue;
  const fromDump = await titles(join(dir, dump));
  const fromConsole = await titles(join(dir, 'console.log'));
  const equal = JSON.stringify(fromDump) === JSON.stringify(fromConsole);
  if (equal) same++;
  else differ++;
  console.log(`${run}: ${equal ? 'same' : 'DIFFERENT'}: dump [${fromDump.join(' | ')}]${equal ? '' : ` console [${fromConsole.join(' | ')}]`}`);
}
console.log(`\n${same} runs with the same reports in dump and console, ${differ} different`);
