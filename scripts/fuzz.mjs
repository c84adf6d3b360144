#!/usr/bin/env node
// npm run fuzz -- [--minutes N | --cases N] [--seed S] [--target NAME,…] [--jobs J] [--cli N]
//
// Fuzzes every target of fuzz/targets.mjs, each in its own process (peak memory per target),
// at nice 10, J at a time. Failures leave their minimized input in test/fixtures/fuzz/ (with a
// .json saying what failed); test/fuzz/replay.test.ts replays them. The figures of the run are
// appended to fuzz/results.json, from which scripts/reliability.mjs writes RELIABILITY.md.
// `--cli N` also runs N mutated inputs through bin/ktriage.js (exit status, one-line errors,
// --json against the schema, input untouched).
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fuzzTarget } from '../fuzz/engine.mjs';
import { mutate, rng } from '../fuzz/mutate.mjs';
import { ROOT, TARGETS } from '../fuzz/targets.mjs';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string' },
    cases: { type: 'string' },
    seed: { type: 'string', default: String(Date.now() % 1e9) },
    target: { type: 'string' },
    jobs: { type: 'string', default: '2' },
    cli: { type: 'string', default: '0' },
    coverage: { type: 'string', default: '25' },
    worker: { type: 'string' },
    until: { type: 'string' },
    'no-record': { type: 'boolean', default: false },
    replay: { type: 'boolean', default: false },
  },
});

const FAILURES_DIR = path.join(ROOT, 'test', 'fixtures', 'fuzz');
const RESULTS = path.join(ROOT, 'fuzz', 'results.json');

if (values.worker) await worker(values.worker);
else if (values.replay) await replay();
else await main();

/** Every minimized failure again, with the time bounds and the linearity check of a run. */
async function replay() {
  const { runCase, superlinearOf } = await import('../fuzz/engine.mjs');
  let bad = 0;
  for (const f of fs.readdirSync(FAILURES_DIR).filter((n) => n.endsWith('.json')).sort()) {
    const meta = JSON.parse(fs.readFileSync(path.join(FAILURES_DIR, f), 'utf8'));
    const target = TARGETS.find((t) => t.name === meta.target);
    const bytes = fs.readFileSync(path.join(FAILURES_DIR, f.replace(/\.json$/, '.bin')));
    const result = await runCase(target, bytes, rng(1));
    const slow = result.ok && target.linear ? await superlinearOf(target, bytes, result.ms) : undefined;
    const problem = !result.ok ? `${result.kind}: ${result.message}` : slow ? `${slow.kind}: ${slow.message}` : undefined;
    if (problem) bad++;
    console.log(`${problem ? 'FAIL' : 'ok  '} ${f.replace(/\.json$/, '.bin')} (${meta.target}) ${problem ?? `${result.outcome}, ${result.ms.toFixed(0)} ms CPU`}`);
  }
  process.exitCode = bad > 0 ? 1 : 0;
}

async function worker(name) {
  const target = TARGETS.find((t) => t.name === name);
  if (!target) throw new Error(`no target ${name}`);
  const stats = await fuzzTarget(target, {
    seed: Number(values.seed),
    cases: values.cases ? Number(values.cases) : Infinity,
    deadline: values.until ? Number(values.until) : Infinity,
    coverageEvery: Number(values.coverage),
    onFailure: (f) => saveFailure(target.name, f),
  });
  stats.failures = stats.failures.map(({ minimized, stack, ...f }) => ({ ...f, fixture: fixtureName(target.name, minimized) }));
  process.stdout.write(`\n${JSON.stringify(stats)}\n`);
  process.exit(0); // timers of a target (a server-less inspector session) must not keep it alive
}

function fixtureName(target, bytes) {
  return `${target.replace(/[^a-z0-9-]/gi, '-')}-${crypto.createHash('sha256').update(bytes).digest('hex').slice(0, 12)}.bin`;
}

function saveFailure(target, f) {
  fs.mkdirSync(FAILURES_DIR, { recursive: true });
  const name = fixtureName(target, f.minimized);
  fs.writeFileSync(path.join(FAILURES_DIR, name), f.minimized);
  const meta = { target, kind: f.kind, message: f.message, found: new Date().toISOString().slice(0, 10), mutation: f.how, stack: f.stack };
  fs.writeFileSync(path.join(FAILURES_DIR, name.replace(/\.bin$/, '.json')), `${JSON.stringify(meta, null, 2)}\n`);
  process.stderr.write(`FAILURE ${target}: ${f.kind}: ${f.message} -> test/fixtures/fuzz/${name}\n`);
}

async function main() {
  const wanted = values.target ? values.target.split(',') : undefined;
  const targets = TARGETS.filter((t) => !wanted || wanted.some((w) => t.name === w || t.name.startsWith(`${w}:`)));
  const jobs = Math.max(1, Number(values.jobs));
  const seed = Number(values.seed);
  const started = Date.now();
  // Slow targets (a dump case is ~0.1-1 s) get less of the time than the fast in-process ones.
  const weightSum = targets.reduce((n, t) => n + (t.weight ?? 1), 0);
  const budgetMs = (t) => (values.minutes ? (Number(values.minutes) * 60_000 * jobs * (t.weight ?? 1)) / weightSum : undefined);
  console.log(`fuzz: ${targets.length} targets, seed ${seed}, ${values.minutes ? `${values.minutes} min` : `${values.cases} cases each`}, ${jobs} at a time, nice 10`);
  const results = {};
  const queue = [...targets];
  await Promise.all(
    Array.from({ length: jobs }, async () => {
      for (let t = queue.shift(); t; t = queue.shift()) {
        const args = [path.join(ROOT, 'scripts', 'fuzz.mjs'), '--worker', t.name, '--seed', String(seed), '--coverage', values.coverage];
        if (values.cases) args.push('--cases', values.cases);
        if (budgetMs(t)) args.push('--until', String(Date.now() + budgetMs(t)));
        results[t.name] = await runWorker(args, t.name);
      }
    }),
  );
  const cli = Number(values.cli) > 0 ? await cliPass(Number(values.cli), seed) : undefined;
  const run = { date: new Date().toISOString(), seed, minutes: values.minutes ? Number(values.minutes) : undefined, wallSeconds: Math.round((Date.now() - started) / 1000), machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, Node ${process.version}`, targets: results, cli };
  const total = Object.values(results).reduce((n, s) => n + (s?.cases ?? 0), 0);
  const failures = Object.values(results).reduce((n, s) => n + (s?.failures?.length ?? 0), 0) + (cli?.failures.length ?? 0);
  for (const [name, s] of Object.entries(results)) {
    if (!s) continue;
    console.log(`${name.padEnd(28)} ${String(s.cases).padStart(9)} cases  ${String(s.failures.length).padStart(2)} failures  peak ${(s.peakRssBytes / 2 ** 20).toFixed(0).padStart(4)} MiB  ${s.timePerMiB?.toFixed(0) ?? '-'} ms/MiB typical, worst ${s.worstPerMiB?.msPerMiB.toFixed(0) ?? '-'}`);
  }
  if (cli) console.log(`cli: ${cli.cases} runs of bin/ktriage.js, ${cli.failures.length} failures`);
  console.log(`total: ${total} cases, ${failures} failures`);
  if (!values['no-record']) {
    const all = fs.existsSync(RESULTS) ? JSON.parse(fs.readFileSync(RESULTS, 'utf8')) : { runs: [] };
    all.runs.push(run);
    fs.writeFileSync(RESULTS, `${JSON.stringify(all, null, 1)}\n`);
  }
  process.exitCode = failures > 0 ? 1 : 0;
}

function runWorker(args, name) {
  return new Promise((resolve) => {
    const child = spawn('nice', ['-n', '10', process.execPath, '--max-old-space-size=1024', '--expose-gc', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('close', (code, signal) => {
      const last = out.trim().split('\n').pop();
      try {
        resolve(JSON.parse(last));
      } catch {
        console.error(`${name}: worker ended (${code ?? signal}) without figures`);
        resolve({ target: name, cases: 0, failures: [{ kind: 'worker-died', message: `exit ${code ?? signal}` }], peakRssBytes: 0 });
      }
    });
  });
}

/**
 * The command as users run it, on mutated inputs: exit 0/1, or 2 with exactly one line ending
 * in a KT_E_ code; never 3 or a stack trace; --json valid; the input file untouched.
 */
async function cliPass(n, seed) {
  const { Ajv } = await import('ajv');
  const validate = new Ajv({ strict: false }).compile(JSON.parse(fs.readFileSync(path.join(ROOT, 'docs', 'crash-report.schema.json'), 'utf8')));
  const r = rng(seed ^ 0x5eed);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ktriage-fuzz-cli-'));
  const logs = TARGETS.find((t) => t.name === 'analyze').seeds();
  const elfs = TARGETS.find((t) => t.name === 'symbols:elf-dwarf').seeds();
  const maps = TARGETS.find((t) => t.name === 'symbols:system-map').seeds();
  const rules = TARGETS.find((t) => t.name === 'known-issues').seeds();
  const failures = [];
  let cases = 0;
  for (let i = 0; i < n; i++) {
    const kind = r.pick(['analyze', 'analyze', 'analyze', 'known-issues', 'system-map', 'symbolize', 'addr2line', 'vmcore']);
    const input = path.join(dir, `input-${i}`);
    let args;
    const log = mutate(r.pick(logs), r, r.pick(logs)).bytes;
    if (kind === 'analyze') {
      fs.writeFileSync(input, log);
      args = ['analyze', '--json', ...(r.chance(0.3) ? ['--disassemble'] : []), input];
    } else if (kind === 'known-issues') {
      fs.writeFileSync(input, mutate(r.pick(rules), r).bytes);
      args = ['analyze', '--json', '--known-issues', input, path.join(ROOT, 'test', 'fixtures', 'logs', 'syzkaller-console-239.log')];
    } else if (kind === 'system-map') {
      fs.writeFileSync(input, mutate(r.pick(maps), r).bytes);
      args = ['analyze', '--json', '--system-map', input, path.join(ROOT, 'test', 'fixtures', 'symbols', 'lkdtm-bug-console.log')];
    } else if (kind === 'symbolize') {
      fs.writeFileSync(input, mutate(r.pick(elfs), r).bytes);
      args = ['symbolize', '--no-symbol-cache', '--vmlinux', input, path.join(ROOT, 'test', 'fixtures', 'symbols', 'lkdtm-bug-console.log')];
    } else if (kind === 'addr2line') {
      fs.writeFileSync(input, mutate(r.pick(elfs), r).bytes);
      args = ['symbolize', '--no-symbol-cache', '--addr2line', '-f', '-i', '-e', input, '0x1070', '0x11d0', '0x1169'];
    } else {
      const dumps = fs.readdirSync(path.join(ROOT, 'test', 'fixtures', 'vmcore')).filter((f) => f.endsWith('.cut.gz') && f.startsWith('bug.'));
      const { expandCutDump } = await import(path.join(ROOT, 'test', 'vmcore', 'cut-dump.mjs'));
      expandCutDump(path.join(ROOT, 'test', 'fixtures', 'vmcore', r.pick(dumps)), input);
      const fd = fs.openSync(input, 'r+');
      const size = fs.fstatSync(fd).size;
      for (let k = 0; k < 4; k++) fs.writeSync(fd, Buffer.from([r.int(256), r.int(256)]), 0, 2, r.chance(0.7) ? r.int(Math.min(size, 1 << 16)) : r.int(size));
      if (r.chance(0.2)) fs.ftruncateSync(fd, r.int(size));
      fs.closeSync(fd);
      args = ['vmcore', ...(r.chance(0.5) ? ['dmesg'] : ['--json']), input];
    }
    const before = crypto.createHash('sha256').update(fs.readFileSync(input)).digest('hex');
    const res = spawnSync('nice', ['-n', '10', process.execPath, path.join(ROOT, 'bin', 'ktriage.js'), ...args], { encoding: 'utf8', maxBuffer: 1 << 30, timeout: 120_000, env: { ...process.env, XDG_CACHE_HOME: path.join(dir, 'cache') } });
    cases++;
    const after = crypto.createHash('sha256').update(fs.readFileSync(input)).digest('hex');
    const problem = cliProblem(res, args, validate);
    if (problem || before !== after) {
      const keep = path.join(FAILURES_DIR, `cli-${kind}-${before.slice(0, 12)}.bin`);
      fs.mkdirSync(FAILURES_DIR, { recursive: true });
      if (kind !== 'vmcore') fs.copyFileSync(input, keep);
      failures.push({ kind, args: args.map((a) => (a === input ? 'INPUT' : a)), problem: problem ?? 'input modified', fixture: kind !== 'vmcore' ? path.basename(keep) : undefined });
      console.error(`CLI FAILURE ${kind}: ${problem ?? 'input modified'}`);
    }
    fs.rmSync(input, { force: true });
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return { cases, failures };
}

export function cliProblem(res, args, validate) {
  if (res.error) return `did not finish: ${res.error.message}`;
  const lines = res.stderr.split('\n').filter((l) => l !== '');
  if (/\n\s+at .*:\d+:\d+/.test(res.stderr)) return `stack trace on stderr: ${lines[0]}`;
  if (res.status === 3) return `exit 3: ${lines[0]}`;
  if (res.status === 2) {
    if (lines.length !== 1 || !/^ktriage: .* \[KT_E_[A-Z_]+\]$/.test(lines[0])) return `exit 2 without exactly one 'ktriage: … [KT_E_…]' line: ${JSON.stringify(res.stderr.slice(0, 300))}`;
    return undefined;
  }
  if (res.status !== 0 && res.status !== 1) return `exit ${res.status ?? res.signal}`;
  if (args.includes('--json')) {
    let doc;
    try {
      doc = JSON.parse(res.stdout);
    } catch {
      return `--json output is not JSON (${res.stdout.length} bytes)`;
    }
    if (!validate(doc)) return `--json does not validate: ${JSON.stringify(validate.errors?.slice(0, 2))}`;
  }
  return undefined;
}
