/**
 * The whole syzkaller corpus (../shared/corpus) as a regression floor: every file whose crash,
 * family, title or culprit ktriage gets right today (test/fixtures/corpus-floor.json, written by
 * `node scripts/accuracy-folds.mjs --write-floor`) must stay right. Runs in process: seconds.
 * Set KTRIAGE_SKIP_CORPUS=1 to skip it where ../shared is not checked out.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/cli/analyze-command.js';
// @ts-expect-error: a plain .mjs script, no types
import { FLOOR_FILE, figures, floorOf, loadCorpus, runCorpus } from '../../scripts/accuracy-folds.mjs';

interface Row { name: string; crash: boolean; detected: boolean; want: string; got?: { title: string; culprit: string } }
type Floor = Record<'detected' | 'quiet' | 'family' | 'culprit' | 'exactTitle', string[]>;

const analyzeFile = (path: string) => analyze({ inputs: [path], inputFormat: 'auto', format: 'json', knownIssues: [], exitCode: false, color: false, decodeWorker: false });

describe.skipIf(process.env['KTRIAGE_SKIP_CORPUS'] === '1')('the syzkaller corpus as a floor', () => {
  it('every file right before is still right (crash found, no false alarm, family, title, culprit)', async () => {
    const floor = JSON.parse(readFileSync(FLOOR_FILE, 'utf8')) as Floor;
    const rows = (await runCorpus(analyzeFile, await loadCorpus())) as Row[];
    const now = floorOf(rows) as Floor;
    const byName = new Map(rows.map((r) => [r.name, r]));
    const lost: string[] = [];
    for (const key of Object.keys(floor) as (keyof Floor)[]) {
      const kept = new Set(now[key]);
      for (const name of floor[key]) {
        if (kept.has(name)) continue;
        const r = byName.get(name);
        lost.push(`${key} ${name}: want ${r?.want || '(no crash)'}, got ${r?.got ? `${r.got.title} (culprit ${r.got.culprit || 'none'})` : 'nothing'}`);
      }
    }
    expect(lost).toEqual([]);
    const f = figures(rows) as Record<string, { n: number; d: number }>;
    expect(f['detection']?.n).toBeGreaterThanOrEqual(floor.detected.length);
    expect(f['exactTitle']?.n).toBeGreaterThanOrEqual(floor.exactTitle.length);
    expect(f['culprit']?.n).toBeGreaterThanOrEqual(floor.culprit.length);
  }, 120_000);
});
