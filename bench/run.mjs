#!/usr/bin/env node
// bench/run.mjs <case> [args...]: runs bench/<case>.bench.mjs with the remaining arguments.
//   node bench/run.mjs throughput [--size-gb N] ...
//   node bench/run.mjs accuracy [DIR]
//   node bench/run.mjs profile [FILE]
// See bench/README.md.

import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BENCH_DIR } from './common.mjs';

const cases = fs.readdirSync(BENCH_DIR)
  .filter((f) => f.endsWith('.bench.mjs'))
  .map((f) => f.slice(0, -'.bench.mjs'.length))
  .sort();

const [name, ...args] = process.argv.slice(2);
if (!name || name === '-h' || name === '--help' || !cases.includes(name)) {
  if (name && !['-h', '--help'].includes(name)) console.error(`bench/run.mjs: no benchmark named '${name}'`);
  console.error(`usage: node bench/run.mjs <case> [args...]\ncases: ${cases.join(', ')}`);
  process.exit(name && ['-h', '--help'].includes(name) ? 0 : 2);
}

const mod = await import(pathToFileURL(path.join(BENCH_DIR, `${name}.bench.mjs`)).href);
process.exitCode = (await mod.run(args)) ?? 0;
