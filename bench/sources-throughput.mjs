#!/usr/bin/env node
// node bench/sources-throughput.mjs FILE [RUNS]   (after `npm run build`)
//
// The sources stage alone against `grep -c 'Call Trace'` on the same file, runs interleaved,
// best of RUNS (default 3), CPU time (user+sys, GNU time) so that other load on the machine
// counts less than in wall time. Modes, each in its own process:
//   skim     windows; LogLines made only for windows whose text holds 'Call Trace'
//   batches  every LogLine, one array per ~64 KiB window
//   lines    every LogLine through the one-at-a-time async iterator
// The sources stage only: how much of ktriage's time is reading and splitting lines.

import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [, self, file, runsArg, child] = process.argv;

if (child) {
  // One measured run: `node sources-throughput.mjs FILE - MODE`.
  const dist = new URL('../dist/logs/read-log.js', import.meta.url);
  const { openLog } = await import(dist.href);
  const log = await openLog({ path: file });
  let hits = 0;
  if (child === 'skim') {
    for await (const w of log.windows) {
      if (!w.text.includes('Call Trace')) continue;
      for (const l of w.lines()) if (l.text.startsWith('Call Trace')) hits++;
    }
  } else if (child === 'batches') {
    for await (const b of log.batches) for (const l of b) if (l.text.startsWith('Call Trace')) hits++;
  } else {
    for await (const l of log.lines) if (l.text.startsWith('Call Trace')) hits++;
  }
  console.log(JSON.stringify({ hits, lines: log.stats.lines }));
  process.exit(0);
}

if (!file) {
  console.error('usage: node bench/sources-throughput.mjs FILE [RUNS]');
  process.exit(2);
}
const runs = Number(runsArg ?? 3);
const size = statSync(file).size;
const time = (cmd, args) => {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', cmd, ...args], { encoding: 'utf8' });
  const [wall, user, sys, rss] = r.stderr.trim().split('\n').at(-1).split(' ').map(Number);
  return { wall, cpu: user + sys, rss, out: r.stdout.trim() };
};
const modes = {
  // grep writes to a pipe: with stdout on /dev/null GNU grep stops at the first match.
  grep: () => time('sh', ['-c', `grep -c 'Call Trace' '${file}' | cat`]),
  skim: () => time(process.execPath, [fileURLToPath(pathToFileURL(self)), file, '-', 'skim']),
  batches: () => time(process.execPath, [fileURLToPath(pathToFileURL(self)), file, '-', 'batches']),
  lines: () => time(process.execPath, [fileURLToPath(pathToFileURL(self)), file, '-', 'lines']),
};
const best = {};
for (let i = 0; i < runs; i++) {
  for (const [name, run] of Object.entries(modes)) {
    const r = run();
    const b = best[name];
    if (!b || r.cpu < b.cpu) best[name] = r;
  }
}
console.log(`${file}: ${(size / 2 ** 20).toFixed(0)} MiB, best of ${runs}, load ${spawnSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).stdout.trim()}`);
for (const [name, r] of Object.entries(best)) {
  const ratio = r.cpu / best.grep.cpu;
  console.log(
    `${name.padEnd(8)} cpu ${r.cpu.toFixed(2)} s  wall ${r.wall.toFixed(2)} s  ${(size / 2 ** 20 / r.cpu).toFixed(0).padStart(5)} MiB/s  ${ratio.toFixed(1)}x grep  peak RSS ${(r.rss / 1024).toFixed(0)} MiB  ${r.out}`,
  );
}
