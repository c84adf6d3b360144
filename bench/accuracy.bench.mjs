#!/usr/bin/env node
// bench/accuracy.bench.mjs [DIR] [--jobs N] [--worst N] [--summary-only]
//
// Scores `ktriage analyze --json` against the syzkaller report corpus with the corpus's own
// scorer (../shared/corpus/score.mjs), then breaks the per-file results down:
//   - by expected TYPE (test-file header): files, detected, kind == TYPE, kinds ktriage gave;
//   - by the kind ktriage gave for reports[0]: on crash files and on no-crash files;
//   - the missed crash files and the false positives;
//   - the title and culprit misses (want / got), to study;
//   - bucket quality: pairs of crash files with the same expected TITLE must share ktriage's
//     bucket, pairs with different TITLEs must not (both rates).
// Goals (from the issues): detection >= 99%, false positives <= 1%, exact title >= 90%,
// culprit function >= 95%.
//
// DIR defaults to ../shared/corpus/syzkaller and, like every path here, is taken relative to
// the repository root, not the current directory. Other --options go to score.mjs unchanged.
// Per-file results: bench/out/accuracy.json. Needs a built CLI (npm run build).

import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import {
  CORPUS_DIR, OUT_DIR, REPO_ROOT, ensureOutDir, environmentStamp, formatSnapshot, formatStamp, isMain, snapshotCli, table,
} from './common.mjs';

// score.mjs runs only when invoked by its real path (its main-module test); ../shared may be a link.
const SCORE = fs.existsSync(path.join(CORPUS_DIR, 'score.mjs')) ? fs.realpathSync(path.join(CORPUS_DIR, 'score.mjs')) : path.join(CORPUS_DIR, 'score.mjs');
const GOAL_DETECTION = 0.99;
const GOAL_FALSE_POSITIVES = 0.01;
const GOAL_TITLE = 0.9;
const GOAL_CULPRIT = 0.95;

export async function run(args) {
  let dir = path.join(CORPUS_DIR, 'syzkaller');
  const passThrough = [];
  let summaryOnly = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '-h' || a === '--help') {
      console.log('usage: node bench/run.mjs accuracy [DIR] [--jobs N] [--worst N] [--summary-only]');
      return 0;
    }
    if (a === '--summary-only') { summaryOnly = true; passThrough.push(a); continue; }
    if (a.startsWith('--')) { passThrough.push(a, args[++i]); continue; }
    dir = path.resolve(REPO_ROOT, a);
  }
  ensureOutDir();
  const snap = snapshotCli();
  const jsonOut = path.join(OUT_DIR, 'accuracy.json');
  const stamp = environmentStamp();
  console.log(`== ktriage accuracy benchmark\n${formatStamp(stamp)}\n${formatSnapshot(snap)}\n`);

  // bin/ktriage.js of the frozen copy: a rebuild during the run cannot mix two versions.
  const scoreArgs = [SCORE, '--label', labelFor(dir), '--dir', dir,
    '--cmd', `node ${path.relative(REPO_ROOT, snap.bin)} analyze --json {}`, '--json', jsonOut, ...passThrough];
  console.log(`$ (cd ${REPO_ROOT} && node ${scoreArgs.map(shq).join(' ')})\n`);
  const r = spawnSync(process.execPath, scoreArgs, { cwd: REPO_ROOT, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`accuracy: score.mjs exited with status ${r.status ?? r.signal}`);
    return 1;
  }

  const { summary, results } = JSON.parse(fs.readFileSync(jsonOut, 'utf8'));
  console.log('\n== ktriage accuracy: goals');
  const det = summary.detection, fp = summary.falsePositives;
  console.log(`detection        ${ratioText(det)}   goal >= ${GOAL_DETECTION * 100}%   ${det.n / det.d >= GOAL_DETECTION ? 'MET' : 'MISSED'}`);
  console.log(`false positives  ${ratioText(fp)}   goal <= ${GOAL_FALSE_POSITIVES * 100}%    ${fp.n / fp.d <= GOAL_FALSE_POSITIVES ? 'MET' : 'MISSED'}`);
  const title = summary.exactTitle, culprit = summary.culprit;
  console.log(`exact title      ${ratioText(title)}   goal >= ${GOAL_TITLE * 100}%   ${title.n / title.d >= GOAL_TITLE ? 'MET' : 'MISSED'}`);
  console.log(`culprit function ${ratioText(culprit)}   goal >= ${GOAL_CULPRIT * 100}%   ${culprit.n / culprit.d >= GOAL_CULPRIT ? 'MET' : 'MISSED'}`);
  if (results) console.log(`\n${await bucketQuality(results)}`);
  if (summaryOnly || !results) return 0; // holdout runs: keep titles out of the output

  console.log(`\n${byExpectedType(results)}`);
  console.log(`\n${byKtriageKind(results)}`);
  console.log(`\n${missedAndFalsePositives(results)}`);
  console.log(`\n${titleAndCulpritMisses(results)}`);
  fs.writeFileSync(path.join(OUT_DIR, 'accuracy-stamp.json'), `${JSON.stringify({ ...stamp, ktriageDist: snap.distHash }, null, 1)}\n`);
  return 0;
}

const shq = (s) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${String(s).replace(/'/g, `'\\''`)}'`);
const pct = (n, d) => (d ? `${((100 * n) / d).toFixed(1)}%` : 'n/a');
const ratioText = ({ n, d }) => `${n}/${d} ${pct(n, d)}`;
const labelFor = (dir) => (/holdout/i.test(dir) ? 'HOLDOUT' : 'TRAIN');

/** "WARNING×12, BUG×1" for a Map of counts, most frequent first. */
function countsText(m, limit = 4) {
  const items = [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const shown = items.slice(0, limit).map(([k, n]) => `${k}×${n}`);
  if (items.length > limit) shown.push(`+${items.length - limit} more`);
  return shown.join(', ');
}

const bump = (m, k) => m.set(k, (m.get(k) ?? 0) + 1);

function byExpectedType(results) {
  const types = new Map();
  for (const r of results.filter((x) => x.crash)) {
    const t = r.expected.type || '(no TYPE)';
    const e = types.get(t) ?? { n: 0, det: 0, kindEq: 0, fam: 0, kinds: new Map() };
    e.n++;
    if (r.detected) { e.det++; bump(e.kinds, r.got.kind || '""'); }
    if (r.kindMatch) e.kindEq++;
    if (r.familyMatch) e.fam++;
    types.set(t, e);
  }
  const rows = [['expected TYPE', 'files', 'detected', 'missed', 'kind==TYPE', 'family ok', 'kinds ktriage gave (reports[0])']];
  const sorted = [...types].sort((a, b) => b[1].n - a[1].n || (a[0] < b[0] ? -1 : 1));
  for (const [t, e] of sorted) {
    rows.push([t, e.n, `${e.det} ${pct(e.det, e.n)}`, e.n - e.det, t === '(no TYPE)' ? '-' : e.kindEq, e.fam, countsText(e.kinds)]);
  }
  const all = sorted.reduce((a, [, e]) => ({ n: a.n + e.n, det: a.det + e.det, kindEq: a.kindEq + e.kindEq, fam: a.fam + e.fam }), { n: 0, det: 0, kindEq: 0, fam: 0 });
  rows.push(['(all crash files)', all.n, `${all.det} ${pct(all.det, all.n)}`, all.n - all.det, all.kindEq, all.fam, '']);
  return `per expected TYPE (crash files):\n${table(rows, { alignRight: [1, 2, 3, 4, 5] })}`;
}

function byKtriageKind(results) {
  const kinds = new Map();
  for (const r of results.filter((x) => x.detected)) {
    const k = r.got.kind || '""';
    const e = kinds.get(k) ?? { onCrash: 0, onClean: 0, eq: 0, types: new Map() };
    if (r.crash) { e.onCrash++; bump(e.types, r.expected.type || '(no TYPE)'); if (r.kindMatch) e.eq++; } else e.onClean++;
    kinds.set(k, e);
  }
  const rows = [['ktriage kind', 'reports[0]', 'on crash files', '== TYPE', 'on no-crash files (FP)', 'expected TYPEs of those files']];
  for (const [k, e] of [...kinds].sort((a, b) => (b[1].onCrash + b[1].onClean) - (a[1].onCrash + a[1].onClean) || (a[0] < b[0] ? -1 : 1))) {
    rows.push([k, e.onCrash + e.onClean, e.onCrash, e.eq, e.onClean, countsText(e.types)]);
  }
  return `per ktriage kind (kind of reports[0], detected files only):\n${table(rows, { alignRight: [1, 2, 3, 4] })}`;
}

function missedAndFalsePositives(results) {
  const out = [];
  const missed = results.filter((r) => r.crash && !r.detected);
  out.push(`missed crash files (${missed.length}):`);
  for (const r of missed) {
    out.push(`  ${r.file}  [${r.expected.type || 'no TYPE'}${r.expected.corrupted ? ', CORRUPTED' : ''}]  ${r.expected.title}${r.error ? `   (tool error: ${r.error})` : ''}`);
  }
  const fps = results.filter((r) => !r.crash && r.detected);
  out.push(`\nfalse positives on no-crash files (${fps.length}):`);
  for (const r of fps) out.push(`  ${r.file}  kind ${r.got.kind}: ${r.got.title}`);
  const errors = results.filter((r) => r.error && !(r.crash && !r.detected));
  if (errors.length) {
    out.push(`\nother tool errors (${errors.length}):`);
    for (const r of errors) out.push(`  ${r.file}: ${r.error}`);
  }
  return out.join('\n');
}

/**
 * Bucket quality over every pair of detected crash files: the bucket is the one `ktriage`
 * computes (dist/analysis/diagnose.js bucketOf on the title it printed), the truth is TITLE.
 */
async function bucketQuality(results) {
  const { bucketOf } = await import(path.join(REPO_ROOT, 'dist', 'analysis', 'diagnose.js'));
  const files = results.filter((r) => r.crash && r.detected).map((r) => ({ want: r.expected.title, bucket: bucketOf(r.got.title) }));
  let same = 0, sameShared = 0, different = 0, differentApart = 0;
  for (let i = 0; i < files.length; i++) {
    for (let j = i + 1; j < files.length; j++) {
      const a = files[i], b = files[j];
      if (a.want === b.want) { same++; if (a.bucket === b.bucket) sameShared++; }
      else { different++; if (a.bucket !== b.bucket) differentApart++; }
    }
  }
  return [
    `bucket quality (${files.length} detected crash files):`,
    `  same TITLE, same bucket            ${ratioText({ n: sameShared, d: same })}  (pairs)`,
    `  different TITLE, different bucket  ${ratioText({ n: differentApart, d: different })}  (pairs)`,
  ].join('\n');
}

/** Every detected crash file whose title or culprit differs from the expected one. */
function titleAndCulpritMisses(results) {
  const out = [];
  const wrongTitle = results.filter((r) => r.crash && r.detected && !r.exact);
  out.push(`title misses (${wrongTitle.length}):`);
  for (const r of wrongTitle) out.push(`  ${r.file}\n      want: ${r.expected.title}\n      got:  ${r.got.title}`);
  const wrongCulprit = results.filter((r) => r.culpritEligible && !r.culpritMatch);
  out.push(`\nculprit misses (${wrongCulprit.length}):`);
  for (const r of wrongCulprit) out.push(`  ${r.file}  want ${r.expected.title.replace(/^.* in /, '')}  got ${r.got?.culprit || '(none)'}`);
  return out.join('\n');
}

if (isMain(import.meta.url)) process.exitCode = await run(process.argv.slice(2));
