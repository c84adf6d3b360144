import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/analysis/sha256.js';

describe('sha256Hex', () => {
  it('gives the FIPS 180-4 example digests', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it('agrees with node:crypto on every line of a real log, whatever its length or bytes', () => {
    const log = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'reports', 'x86-warning-panic-on-warn-lkdtm.log'), 'utf8');
    const lines = log.split('\n');
    // Lengths around the 55/56/64-byte padding boundaries, and non-ASCII text.
    const cases = [...lines, ...Array.from({ length: 130 }, (_, n) => 'x'.repeat(n)), 'général → ü', '\u{1F600}'.repeat(20)];
    for (const text of cases) expect(sha256Hex(text)).toBe(createHash('sha256').update(text).digest('hex'));
  });
});
