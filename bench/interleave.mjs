#!/usr/bin/env node
// bench/interleave.mjs [--runs N] 'ENV=1 cmd args' 'cmd args' ...
//
// A/B timing on a noisy machine: runs each command line once per round, round after round, so
// that the machine's drift hits all of them alike, and prints the median wall time, the ratio to
// the first command, the minimum, the median CPU time (user+sys, GNU time) and the peak RSS.
// Leading NAME=value words set the environment of that command only. Commands are split on
// spaces (no shell): for pipes or redirections name a shell, e.g. 'sh -c "grep -c x f > /dev/null"'.
// Exit statuses 0 and 1 count as success (`analyze --exit-code`); any other stops the run.
import { spawnSync } from 'node:child_process';
import { hasGnuTime } from './common.mjs';

const args = process.argv.slice(2);
let runs = 9;
const commands = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--runs') runs = Number(args[++i]);
  else commands.push(args[i]);
}
if (commands.length === 0 || !(runs > 0)) {
  console.error("usage: node bench/interleave.mjs [--runs N] 'ENV=1 cmd args' 'cmd args' ...");
  process.exit(2);
}
if (!hasGnuTime()) {
  console.error('bench/interleave.mjs needs GNU time (/usr/bin/time): apt-get install time');
  process.exit(2);
}

/** `A=1 B=2 node x.js y` → the environment additions and the argv. */
function parse(line) {
  const words = line.match(/"[^"]*"|\S+/g)?.map((w) => w.replace(/^"(.*)"$/, '$1')) ?? [];
  const env = {};
  while (words.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0])) {
    const [name, ...value] = words.shift().split('=');
    env[name] = value.join('=');
  }
  return { env, argv: words, line };
}

const parsed = commands.map(parse);
const wall = parsed.map(() => []);
const cpu = parsed.map(() => []);
const rss = parsed.map(() => 0);
for (let round = 0; round < runs; round++) {
  parsed.forEach((c, i) => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync('/usr/bin/time', ['-f', 'TIME %U %S %M', ...c.argv], { env: { ...process.env, ...c.env }, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    wall[i].push(Number(process.hrtime.bigint() - t0) / 1e6);
    const m = /TIME (\S+) (\S+) (\d+)\s*$/.exec(r.stderr ?? '');
    if (!m || (r.status !== 0 && r.status !== 1)) throw new Error(`${c.line}: exit status ${r.status}\n${(r.stderr ?? '').slice(-500)}`);
    cpu[i].push((Number(m[1]) + Number(m[2])) * 1000);
    rss[i] = Math.max(rss[i], Number(m[3]) / 1024);
  });
}
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const base = median(wall[0]);
console.log(`${runs} interleaved rounds; ratio = median wall time / the first command's`);
parsed.forEach((c, i) => {
  const w = median(wall[i]);
  console.log(`${w.toFixed(0).padStart(7)} ms  ${(w / base).toFixed(2)}x  min ${Math.min(...wall[i]).toFixed(0).padStart(6)} ms  cpu ${median(cpu[i]).toFixed(0).padStart(6)} ms  rss ${rss[i].toFixed(0).padStart(4)} MiB  ${c.line}`);
});
