/**
 * The short deterministic fuzz pass of `npm test`: every target of fuzz/targets.mjs, a fixed
 * seed and a bounded count of mutated real inputs. Each case must return or end in a KtError
 * (doctor: never throw), leave its input untouched and stay under 512 MiB RSS. Time bounds and
 * linearity are checked by `npm run fuzz`, not here.
 */
import { describe, expect, it } from 'vitest';
// @ts-expect-error: the harness is plain JavaScript
import { fuzzTarget } from '../../fuzz/engine.mjs';
// @ts-expect-error: the harness is plain JavaScript
import { TARGETS } from '../../fuzz/targets.mjs';

interface Target {
  name: string;
  timeLimitMs?: number;
}
interface Stats {
  cases: number;
  failures: { kind: string; message: string }[];
}

/** Dumps cost ~0.1-1 s a case: fewer of them. */
const casesFor = (t: Target): number => (t.timeLimitMs ? 3 : t.name === 'analyze' || t.name === 'doctor' ? 12 : 40);

describe('fuzz smoke pass (seed 15)', () => {
  for (const target of TARGETS as Target[]) {
    it(target.name, async () => {
      const stats = (await fuzzTarget(target, { seed: 15, cases: casesFor(target), timeBounds: false })) as Stats;
      expect(stats.cases).toBe(casesFor(target));
      expect(stats.failures.map((f) => `${f.kind}: ${f.message}`)).toEqual([]);
    }, 120_000);
  }
});
