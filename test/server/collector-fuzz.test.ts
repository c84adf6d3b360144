/**
 * A small, seeded fuzz run of the collector's parsers (src/server/fuzz-targets.ts): real seeds
 * mutated (bit flips, cuts, splices, repeated and random bytes); each case must return or
 * refuse with a KtError, never throw anything else or hand on unbounded output.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KtError } from '../../src/errors.js';
import { SERVE_FUZZ_TARGETS } from '../../src/server/fuzz-targets.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const CASES_PER_TARGET = 250;

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INTERESTING = ['<', '>', '1 ', ';', ',ncfrag=', '/', '0', '999999999 ', '\n', '\r', '\0', '"', '{', '[', ']', '}', ':', '-', '\u00ff', 'kernel:'];

function mutate(seed: Buffer, other: Buffer, rand: () => number): Buffer {
  const b = Buffer.from(seed);
  const at = () => Math.floor(rand() * Math.max(1, b.length));
  switch (Math.floor(rand() * 7)) {
    case 0:
      for (let i = 0; i < 1 + rand() * 8; i++) if (b.length) b[at()]! ^= 1 << Math.floor(rand() * 8);
      return b;
    case 1:
      return b.subarray(0, at());
    case 2:
      return Buffer.concat([b.subarray(0, at()), other.subarray(Math.floor(rand() * other.length))]);
    case 3: {
      const i = at();
      return Buffer.concat([b.subarray(0, i), Buffer.from(INTERESTING[Math.floor(rand() * INTERESTING.length)]!), b.subarray(i)]);
    }
    case 4: {
      const i = at();
      const piece = b.subarray(i, i + 1 + Math.floor(rand() * 64));
      return Buffer.concat([b.subarray(0, i), ...Array.from({ length: 1 + Math.floor(rand() * 50) }, () => piece), b.subarray(i)]);
    }
    case 5:
      return Buffer.from(Array.from({ length: Math.floor(rand() * 600) }, () => Math.floor(rand() * 256)));
    default:
      return Buffer.concat([b, b.subarray(0, at())]);
  }
}

describe.each(SERVE_FUZZ_TARGETS.map((t) => [t.name, t] as const))('fuzz %s', (_name, target) => {
  it(`survives ${CASES_PER_TARGET} mutated real inputs: ${target.reads}`, () => {
    const seeds = target.seeds(FIXTURES);
    expect(seeds.length).toBeGreaterThan(0);
    for (const s of seeds) target.run(s);
    const rand = random(target.name.length * 7919);
    const failures: string[] = [];
    for (let i = 0; i < CASES_PER_TARGET; i++) {
      const input = mutate(seeds[i % seeds.length]!, seeds[Math.floor(rand() * seeds.length)]!, rand);
      try {
        target.run(input);
      } catch (e) {
        if (!(e instanceof KtError)) failures.push(`case ${i}: ${(e as Error).message} on ${JSON.stringify(input.subarray(0, 80).toString('latin1'))}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('fuzz findings of the harness (test/fixtures/fuzz/serve-*.bin), replayed', () => {
  const found = readdirSync(join(FIXTURES, 'fuzz')).filter((f) => f.startsWith('serve-') && f.endsWith('.bin'));
  it.each(found)('%s', (file) => {
    const meta = JSON.parse(readFileSync(join(FIXTURES, 'fuzz', file.replace(/\.bin$/, '.json')), 'utf8')) as { target: string };
    const target = SERVE_FUZZ_TARGETS.find((t) => t.name === meta.target)!;
    // Quadratic before the fix: a 50 KB frame of line breaks took 25 s in one regex.
    expect(() => target.run(readFileSync(join(FIXTURES, 'fuzz', file)))).not.toThrow();
  });
});
