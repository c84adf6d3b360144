/**
 * Every failure the fuzzer found, replayed: its minimized input (test/fixtures/fuzz/NAME.bin,
 * what failed in NAME.json) now returns or ends in a KtError, with its input untouched. Time
 * bounds are the fuzz runner's (`npm run fuzz -- --replay`), not a unit test's; a quadratic
 * path on these inputs still shows as this test's timeout.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: the harness is plain JavaScript
import { TARGETS, isKtError } from '../../fuzz/targets.mjs';

interface Target {
  name: string;
  neverThrows?: boolean;
  run(bytes: Buffer): Promise<unknown>;
}

const DIR = join(import.meta.dirname, '..', 'fixtures', 'fuzz');
const cases = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({ file: f.replace(/\.json$/, '.bin'), meta: JSON.parse(readFileSync(join(DIR, f), 'utf8')) as { target: string; kind: string; message: string } }));

describe('fuzz failures, replayed', () => {
  it('there are some', () => expect(cases.length).toBeGreaterThan(0));
  for (const { file, meta } of cases) {
    it(`${file} (${meta.target}: ${meta.kind}, ${meta.message})`, async () => {
      const target = (TARGETS as Target[]).find((t) => t.name === meta.target);
      expect(target).toBeDefined();
      const bytes = readFileSync(join(DIR, file));
      const digest = createHash('sha256').update(bytes).digest('hex');
      let thrown: unknown;
      try {
        await target!.run(bytes);
      } catch (e) {
        thrown = e;
      }
      expect(thrown === undefined || (!target!.neverThrows && isKtError(thrown)), String(thrown)).toBe(true);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(digest);
    });
  }
});
