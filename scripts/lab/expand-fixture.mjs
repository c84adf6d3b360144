#!/usr/bin/env node
// Writes a `*.cut.gz` fixture back out as a dump file (sparse: the zeroed bytes take no disk),
// e.g. to run vmcore-dmesg or makedumpfile on it. Usage: node scripts/lab/expand-fixture.mjs IN.cut.gz OUT
import { expandCutDump } from '../../test/vmcore/cut-dump.mjs';

const [input, out] = process.argv.slice(2);
if (!input || !out) {
  console.error('usage: expand-fixture.mjs IN.cut.gz OUT');
  process.exit(2);
}
expandCutDump(input, out);
