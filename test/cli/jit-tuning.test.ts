/** The V8 tiering flags of `analyze` (bin/jit-tuning.js): set only for it, only on the Node major they were measured on. */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const TUNING = join(import.meta.dirname, '..', '..', 'bin', 'jit-tuning.js');
const { flagSetFor } = require(TUNING) as { flagSetFor(command: string, nodeVersion?: string): string };

describe('JIT tuning of analyze', () => {
  it('is for analyze on Node 20 only (an unknown flag would print an error elsewhere)', () => {
    expect(flagSetFor('analyze', '20.20.2')).toBe('analyze-jit');
    expect(flagSetFor('analyze', '22.11.0')).toBe('');
    expect(flagSetFor('vmcore', '20.20.2')).toBe('');
    expect(flagSetFor('symbolize', '20.20.2')).toBe('');
  });

  it.runIf(process.versions.node.startsWith('20.'))('sets flags this Node takes without a word on stderr', () => {
    const r = spawnSync('node', ['-e', `console.log(require(${JSON.stringify(TUNING)}).tuneJit('analyze'))`], { encoding: 'utf8' });
    expect(r.stdout.trim()).toBe('analyze-jit');
    expect(r.stderr).toBe('');
  });
});
