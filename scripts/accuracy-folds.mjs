#!/usr/bin/env node
// scripts/accuracy-folds.mjs [--folds K] [--holdout F] [--show-misses] [--json FILE] [--write-floor]
//
// Scores ktriage against the syzkaller report corpus in process (no process per file: the whole
// corpus takes seconds), split into K folds by a stable hash of each file's upstream path. Rules
// are tuned looking at the other folds only; the held-out fold's figures tell how the rules do
// on reports nobody tuned them on. Misses are listed for the tuning folds only (--show-misses);
// the held-out fold is printed as figures, never file by file.
//
// Scores are score.mjs's own (../shared/corpus/score.mjs: norm, family, culpritCandidates):
// crash found, false positives, family, culprit, exact title. Needs a built dist/ (npm run build).
//
// --write-floor records which files are right today in test/fixtures/corpus-floor.json: the
// corpus test (test/analysis/corpus-floor.test.ts) fails when any of them goes wrong. Raise the
// floor after an improvement; never lower it to let a regression through.

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CORPUS_DIR = path.join(REPO_ROOT, '..', 'shared', 'corpus');
const REPORT_DIR = path.join(CORPUS_DIR, 'syzkaller', 'linux', 'report');
export const DEFAULT_FOLDS = 5;
/** The fold nobody tunes on. Fixed, so every session measures the same held-out files. */
export const DEFAULT_HOLDOUT = 0;
export const FLOOR_FILE = path.join(REPO_ROOT, 'test', 'fixtures', 'corpus-floor.json');

/** The files each score counts as right, by name: what a later run must not lose. */
export function floorOf(rows) {
  const names = (test) => rows.filter(test).map((r) => r.name);
  return {
    detected: names((r) => r.crash && r.detected),
    quiet: names((r) => !r.crash && !r.detected),
    family: names((r) => r.familyMatch),
    culprit: names((r) => r.culpritMatch),
    exactTitle: names((r) => r.exact),
  };
}

/** Fold of a corpus file: a stable hash of its upstream path, so folds never move. */
export function foldOf(name, folds = DEFAULT_FOLDS) {
  const digest = createHash('sha256').update(`linux/report/${name}`).digest();
  return digest.readUInt32BE(0) % folds;
}

/** The corpus's files: name, fold, expected answers and the log part only (score.mjs's reading). */
export async function loadCorpus(folds = DEFAULT_FOLDS) {
  if (!fs.existsSync(REPORT_DIR)) throw new Error(`accuracy-folds: the corpus is missing: ${REPORT_DIR} (see ../shared/corpus/README.md)`);
  const score = await import(pathToFileURL(path.join(CORPUS_DIR, 'score.mjs')).href);
  const names = fs.readdirSync(REPORT_DIR).filter((n) => /^\d+$/.test(n)).sort((a, b) => Number(a) - Number(b));
  return {
    score,
    files: names.map((name) => {
      const { expected, log } = score.parseTestFile(fs.readFileSync(path.join(REPORT_DIR, name), 'utf8'));
      return { name, fold: foldOf(name, folds), expected, log };
    }),
  };
}

/**
 * Runs `analyzeFile(path) → AnalysisResult` on every file's log (written once to a temporary
 * directory) and returns one row per file: what was expected, what came out, what matched.
 */
export async function runCorpus(analyzeFile, corpus) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ktriage-folds-'));
  const { norm, family, culpritCandidates, normFunc } = corpus.score;
  try {
    const rows = [];
    for (const file of corpus.files) {
      const logPath = path.join(dir, file.name);
      fs.writeFileSync(logPath, file.log);
      const result = await analyzeFile(logPath);
      const first = result.reports[0];
      const want = file.expected.title;
      const crash = want !== '';
      const candidates = crash ? culpritCandidates(want) : [];
      const got = first ? { title: first.title ?? '', kind: first.kind, culprit: first.culprit?.function ?? '', corrupted: first.corrupted } : undefined;
      rows.push({
        name: file.name,
        fold: file.fold,
        crash,
        detected: got !== undefined,
        want,
        got,
        exact: crash && got !== undefined && norm(got.title) === norm(want),
        familyMatch: crash && got !== undefined && family(got.title) === family(want),
        culpritEligible: candidates.length > 0,
        culpritMatch: candidates.length > 0 && got !== undefined && candidates.includes(normFunc(got.culprit)),
        corruptedMatch: crash && got !== undefined && got.corrupted === file.expected.corrupted,
      });
      fs.rmSync(logPath);
    }
    return rows;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The figures of a set of rows: n/d pairs. */
export function figures(rows) {
  const crash = rows.filter((r) => r.crash);
  const clean = rows.filter((r) => !r.crash);
  const count = (list, test) => ({ n: list.filter(test).length, d: list.length });
  return {
    detection: count(crash, (r) => r.detected),
    falsePositives: count(clean, (r) => r.detected),
    family: count(crash, (r) => r.familyMatch),
    culprit: count(crash.filter((r) => r.culpritEligible), (r) => r.culpritMatch),
    exactTitle: count(crash, (r) => r.exact),
    corrupted: count(crash.filter((r) => r.detected), (r) => r.corruptedMatch),
  };
}

const pct = ({ n, d }) => (d ? `${((100 * n) / d).toFixed(1)}%` : 'n/a');
const ratio = (f) => `${String(f.n).padStart(3)}/${String(f.d).padEnd(3)} ${pct(f).padStart(6)}`;

export function figuresTable(named) {
  const keys = [['detection', 'crash found'], ['falsePositives', 'false alarms'], ['family', 'family'], ['culprit', 'culprit'], ['exactTitle', 'exact title'], ['corrupted', 'corrupted flag']];
  const head = `${''.padEnd(15)}${named.map(([name]) => name.padEnd(20)).join('')}`;
  const lines = keys.map(([k, label]) => `${label.padEnd(15)}${named.map(([, f]) => ratio(f[k]).padEnd(20)).join('')}`);
  return [head, ...lines].join('\n');
}

async function main(argv) {
  let folds = DEFAULT_FOLDS, holdout = DEFAULT_HOLDOUT, showMisses = false, writeFloor = false, jsonOut;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--folds') folds = Number(argv[++i]);
    else if (a === '--holdout') holdout = Number(argv[++i]);
    else if (a === '--show-misses') showMisses = true;
    else if (a === '--json') jsonOut = argv[++i];
    else if (a === '--write-floor') writeFloor = true;
    else {
      console.log('usage: node scripts/accuracy-folds.mjs [--folds K] [--holdout F] [--show-misses] [--json FILE] [--write-floor]');
      return a === '-h' || a === '--help' ? 0 : 2;
    }
  }
  const { analyze } = await import(pathToFileURL(path.join(REPO_ROOT, 'dist', 'cli', 'analyze-command.js')).href);
  const analyzeFile = (p) => analyze({ inputs: [p], inputFormat: 'auto', format: 'json', knownIssues: [], exitCode: false, color: false, decodeWorker: false });
  const corpus = await loadCorpus(folds);
  const started = process.hrtime.bigint();
  const rows = await runCorpus(analyzeFile, corpus);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const tuning = rows.filter((r) => r.fold !== holdout);
  const heldOut = rows.filter((r) => r.fold === holdout);
  console.log(`ktriage on ../shared/corpus/syzkaller, ${folds} folds by sha256 of the upstream path; fold ${holdout} held out (${heldOut.length} files), ${seconds.toFixed(1)} s in process\n`);
  console.log(figuresTable([['tuning folds', figures(tuning)], [`held-out fold ${holdout}`, figures(heldOut)], ['whole corpus', figures(rows)]]));
  if (showMisses) {
    console.log('\nmisses in the tuning folds (the held-out fold is never listed):');
    for (const r of tuning) {
      if (!r.crash || (r.exact && (r.culpritMatch || !r.culpritEligible))) {
        if (!r.crash && r.detected) console.log(`  ${r.name}  false alarm: ${r.got.title}`);
        continue;
      }
      const what = !r.detected ? 'missed' : `${r.exact ? '' : 'title'}${!r.exact && r.culpritEligible && !r.culpritMatch ? '+' : ''}${r.culpritEligible && !r.culpritMatch ? 'culprit' : ''}`;
      console.log(`  ${r.name} [${what}]\n      want: ${r.want}\n      got:  ${r.got?.title ?? '(nothing)'}${r.got ? `   culprit ${r.got.culprit || '(none)'}` : ''}`);
    }
  }
  if (writeFloor) {
    const floor = Object.entries(floorOf(rows)).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
    fs.writeFileSync(FLOOR_FILE, `{\n${floor.join(',\n')}\n}\n`);
    console.log(`\nwrote ${path.relative(REPO_ROOT, FLOOR_FILE)}`);
  }
  if (jsonOut) fs.writeFileSync(jsonOut, `${JSON.stringify({ folds, holdout, rows: rows.map(({ want, got, ...r }) => (r.fold === holdout ? r : { ...r, want, got })) }, null, 1)}\n`);
  return 0;
}

if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
