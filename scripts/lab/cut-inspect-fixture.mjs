#!/usr/bin/env node
// Cuts a real dump down to what the inspection commands read (`vmcore bt -a`, `foreach`, `ps`,
// `mod`, `sys`, `kmem -i`, `files` of the panic task), besides the kernel log and notes; the same
// `*.cut.gz` format as cut-fixture.mjs. Usage: node scripts/lab/cut-inspect-fixture.mjs DUMP OUT.cut.gz
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { basename } from 'node:path';
import { openVmcore } from '../../dist/vmcore/open-vmcore.js';
import { readKernelLog } from '../../dist/vmcore/kernel-log.js';
import { vmcoreFacts } from '../../dist/vmcore/vmcore-info.js';
import { KernelView } from '../../dist/kernel/kernel-view.js';
import { inspectAll } from './inspect-all.mjs';

const [dump, out] = process.argv.slice(2);
if (!dump || !out) {
  console.error('usage: cut-inspect-fixture.mjs DUMP OUT.cut.gz');
  process.exit(2);
}
const ranges = [];
const core = openVmcore(dump, { onFile: (file) => { file.onRead = (offset, length) => ranges.push([offset, offset + length]); } });
vmcoreFacts(core, readKernelLog(core));
const answers = inspectAll(new KernelView(core));
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
writeFileSync(out, gzipSync(Buffer.concat([Buffer.from(`ktriage-cut-dump 1\n${header}\n`), ...parts]), { level: 9 }));
const kept = parts.reduce((n, p) => n + p.length, 0);
console.log(`${out}: kept ${kept} of ${size} bytes in ${extents.length} extents; ${answers.tasks} tasks, ${answers.modules} modules`);
