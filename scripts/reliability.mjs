#!/usr/bin/env node
// Writes RELIABILITY.md from fuzz/results.json (the runs of scripts/fuzz.mjs) and
// fuzz/findings.json (failures found and fixed, each with its test). `--check`: exit 1 when
// RELIABILITY.md is not what this would write.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const results = JSON.parse(fs.readFileSync(path.join(ROOT, 'fuzz', 'results.json'), 'utf8'));
const findings = JSON.parse(fs.readFileSync(path.join(ROOT, 'fuzz', 'findings.json'), 'utf8'));
const { TARGETS } = await import('../fuzz/targets.mjs');

const totals = new Map(TARGETS.map((t) => [t.name, { reads: t.reads, cases: 0, failures: 0, peak: 0, typical: undefined, worst: undefined, linearChecks: 0, corpusAdded: 0, coverage: 0 }]));
let cliCases = 0;
let cliFailures = 0;
for (const run of results.runs) {
  for (const [name, s] of Object.entries(run.targets)) {
    const t = totals.get(name);
    if (!t || !s) continue;
    t.cases += s.cases;
    t.failures += (s.failures ?? []).filter((f) => !f.falsePositive).length;
    // Time and memory of the latest run that ran the target (the first run timed by the clock
    // until 00:38, and its decompressor targets held their output).
    if (s.cases > 0) {
      t.peak = s.peakRssBytes ?? t.peak;
      t.typical = s.timePerMiB ?? undefined;
      t.worst = s.worstPerMiB ?? undefined;
    }
    t.linearChecks += s.linearChecks ?? 0;
    t.corpusAdded += s.corpusAdded ?? 0;
    t.coverage = Math.max(t.coverage, s.coverageRanges ?? 0);
  }
  cliCases += run.cli?.cases ?? 0;
  cliFailures += run.cli?.failures?.length ?? 0;
}
const falsePositives = results.runs.flatMap((run) => Object.values(run.targets).flatMap((t) => (t?.failures ?? []).filter((f) => f.falsePositive).map((f) => ({ target: t.target, ...f }))));
const fixtures = fs.readdirSync(path.join(ROOT, 'test', 'fixtures', 'fuzz')).filter((f) => f.endsWith('.json'));
const total = [...totals.values()].reduce((n, t) => n + t.cases, 0);
const mib = (b) => (b / 2 ** 20).toFixed(0);
const ms = (v) => (v === undefined ? '–' : v >= 100 ? v.toFixed(0) : v.toFixed(1));
const last = results.runs[results.runs.length - 1];

const out = [];
out.push('# Reliability');
out.push('');
out.push('<!-- Written by `node scripts/reliability.mjs` from fuzz/results.json and fuzz/findings.json; do not edit by hand. -->');
out.push('');
out.push('ktriage reads what a dying kernel wrote and what any host sends it. Every input boundary is');
out.push('fuzzed (`npm run fuzz -- --minutes N`; a short fixed-seed pass runs in `npm test`): mutations');
out.push('of the real corpus, the fixtures and the cut lab dumps (bit flips, truncation, splicing,');
out.push('repetition, inflated lengths and offsets, compression bombs, huge and empty lines), with V8');
out.push('block coverage sampled to keep inputs that reach new code. Every case must return or end in');
out.push('one KtError (doctor: never throw), leave its input untouched, stay under 512 MiB RSS and a');
out.push('time bound, and stay linear: a case that takes a while is run again on its input doubled and');
out.push('quadrupled. `analyze` output is validated against docs/crash-report.schema.json. A CLI pass');
out.push('runs mutated inputs through `bin/ktriage.js`: exit 0/1, or 2 with exactly one');
out.push('`ktriage: … [KT_E_…]` line; never 3 or a stack trace. `npm run fuzz -- --replay` runs every');
out.push('minimized failure again under the same bounds. A parser added later (the collector\'s receivers,');
out.push('the agent\'s readers, the dump inspector\'s kallsyms/BTF/ORC) joins `fuzz/targets.mjs` in the same change.');
out.push('');
const recorded = [...totals.values()].reduce((n, t) => n + t.failures, 0) + cliFailures;
const open = recorded - countFixedInRuns();
out.push(`**${total.toLocaleString('en-US')} cases** in ${results.runs.length} run(s), ${cliCases} runs of the CLI; **${fixtures.length} failures found by fuzzing, fixed**; **open failures: ${open}**.`);
out.push(`Last run: ${last.date.slice(0, 16).replace('T', ' ')} UTC, ${last.wallSeconds} s wall, ${last.machine}.`);
out.push('');
out.push('## Per target');
out.push('');
out.push('Figures of each target\'s latest run. Time per MiB is CPU time: the seeds as they are ("typical", small inputs, so per-call costs weigh in) and the slowest mutated case of 256 KiB or more ("worst"). Peak RSS is the target process\'s maximum in its latest run, harness included (the loop, the seeds, coverage).');
out.push('');
out.push('| target | reads | cases (all runs) | failures (fixed) | peak RSS MiB | ms/MiB typical | ms/MiB worst | worst/typical | linearity checks |');
out.push('|---|---|---:|---:|---:|---:|---:|---:|---:|');
for (const [name, t] of totals) {
  const ratio = t.typical && t.worst ? (t.worst.msPerMiB / t.typical).toFixed(1) : '–';
  const harnessPeak = t.peak > 512 * 2 ** 20 && falsePositives.some((f) => f.target === name) ? ' (the harness\'s own buffers: see below)' : '';
  out.push(`| \`${name}\` | ${t.reads} | ${t.cases.toLocaleString('en-US')} | ${t.failures} | ${mib(t.peak)}${harnessPeak} | ${ms(t.typical)} | ${ms(t.worst?.msPerMiB)} | ${ratio} | ${t.linearChecks} |`);
}
out.push('');
out.push('## Failures found and fixed');
out.push('');
out.push('| | what | fix | test |');
out.push('|---|---|---|---|');
for (const f of findings.fixed) out.push(`| ${f.id} | ${f.what} | ${f.fix} | ${f.test} |`);
out.push('');
if (falsePositives.length) {
  out.push('## Reports that were not failures');
  out.push('');
  out.push('Measured by the wall clock on a busy shared machine, before the runner switched to CPU time; each re-measured linear in CPU time (input ×1, ×2, ×4, ×8) and dropped:');
  out.push('');
  for (const f of falsePositives) out.push(`- \`${f.target}\`: ${f.message} — ${f.falsePositive}`);
  out.push('');
}
out.push('## Minimized inputs (test/fixtures/fuzz/)');
out.push('');
for (const f of fixtures.sort()) {
  const meta = JSON.parse(fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'fuzz', f), 'utf8'));
  out.push(`- \`${f.replace(/\.json$/, '.bin')}\` (${meta.target}, ${meta.kind}): ${meta.message}`);
}
out.push('');

/** Failures of the runs whose fixture's .json says how it was fixed (`fixed`). */
function countFixedInRuns() {
  let n = 0;
  const fixedFixture = (name) => {
    const meta = name && path.join(ROOT, 'test', 'fixtures', 'fuzz', name.replace(/\.bin$/, '.json'));
    return Boolean(meta && fs.existsSync(meta) && JSON.parse(fs.readFileSync(meta, 'utf8')).fixed);
  };
  for (const run of results.runs) {
    for (const s of Object.values(run.targets)) for (const f of s?.failures ?? []) if (fixedFixture(f.fixture)) n++;
    for (const f of run.cli?.failures ?? []) if (fixedFixture(f.fixture)) n++;
  }
  return n;
}

const text = `${out.join('\n')}`;
const file = path.join(ROOT, 'RELIABILITY.md');
if (process.argv.includes('--check')) {
  if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text) {
    console.error('RELIABILITY.md is not up to date: node scripts/reliability.mjs');
    process.exit(1);
  }
} else fs.writeFileSync(file, text);
