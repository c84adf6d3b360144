#!/usr/bin/env node
// Cuts a real dump down to a test fixture: ktriage reads the dump (kernel log, notes, facts)
// while every byte range it reads is recorded; the fixture keeps those ranges and nothing else
// (`*.cut.gz`: a gzip of one header line, one JSON line {source,size,extents} and the kept bytes).
// Expanded (test/vmcore/cut-dump.ts, or scripts/lab/expand-fixture.mjs) it is the original file,
// same size and layout, with every byte ktriage did not need zeroed.
// Usage: node scripts/lab/cut-fixture.mjs DUMP OUT.cut.gz   (npm run build first)
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { basename } from 'node:path';
import { openVmcore } from '../../dist/vmcore/open-vmcore.js';
import { readKernelLog } from '../../dist/vmcore/kernel-log.js';
import { vmcoreFacts } from '../../dist/vmcore/vmcore-info.js';

const [dump, out] = process.argv.slice(2);
if (!dump || !out) {
  console.error('usage: cut-fixture.mjs DUMP OUT.cut.gz');
  process.exit(2);
}
const ranges = [];
const core = openVmcore(dump, {
  onFile: (file) => {
    file.onRead = (offset, length) => ranges.push([offset, offset + length]);
  },
});
const log = readKernelLog(core);
vmcoreFacts(core, log);
const size = core.file.size;
ranges.sort((a, b) => a[0] - b[0]);
const extents = [];
for (const [from, to] of ranges) {
  const last = extents[extents.length - 1];
  if (last && from <= last[1]) last[1] = Math.max(last[1], to);
  else if (to > from) extents.push([from, to]);
}
const parts = extents.map(([from, to]) => core.file.read(from, to - from));
core.close();
const header = JSON.stringify({ source: basename(dump), size, extents: extents.map(([f, t]) => [f, t - f]) });
const body = Buffer.concat([Buffer.from(`ktriage-cut-dump 1\n${header}\n`), ...parts]);
writeFileSync(out, gzipSync(body, { level: 9 }));
const kept = parts.reduce((n, p) => n + p.length, 0);
console.log(`${out}: kept ${kept} of ${size} bytes in ${extents.length} extents; ${log.records.length} log records`);
