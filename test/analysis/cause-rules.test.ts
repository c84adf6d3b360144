/** The arithmetic behind the bad-RAM evidence: a single flipped bit in a pointer or a poison value. */
import { describe, expect, it } from 'vitest';
import { flippedPoison, oneBitFromCanonical } from '../../src/analysis/cause-rules.js';

describe('bit-flip evidence', () => {
  it('finds a kernel address with one of its top 17 bits flipped', () => {
    expect(oneBitFromCanonical('ffff888012345678')).toBe(false); // canonical: nothing flipped
    expect(oneBitFromCanonical('fffb888012345678')).toBe(true); // bit 50 cleared
    expect(oneBitFromCanonical('ffff088012345678')).toBe(true); // bit 47 cleared
    expect(oneBitFromCanonical('0000800000001000')).toBe(true); // a user address with bit 47 set
  });

  it('does not take deliberate non-canonical values for flips', () => {
    expect(oneBitFromCanonical('dffffc0000000000')).toBe(false); // KASAN shadow offset
    expect(oneBitFromCanonical('dead000000000100')).toBe(false); // LIST_POISON1
    expect(oneBitFromCanonical('6b6b6b6b6b6b6b6b')).toBe(false); // slab free poison
    expect(oneBitFromCanonical('12345678')).toBe(false); // not a 64-bit value
  });

  it('finds a slab poison with one bit flipped, and only then', () => {
    expect(flippedPoison('6b6b6b6b6b6b6b6b')).toBeUndefined(); // intact poison: use after free, not RAM
    expect(flippedPoison('6b6b6b6b6b6b4b6b')).toBe('0x6b6b6b6b6b6b6b6b');
    expect(flippedPoison('5a5a5a5a5a5a5a5b')).toBe('0x5a5a5a5a5a5a5a5a');
    expect(flippedPoison('6b6b6b6b6b6b4b4b')).toBeUndefined(); // two bits
    expect(flippedPoison('0000000000000000')).toBeUndefined();
    expect(flippedPoison('cccccccdcccccccc')).toBe('0xcccccccccccccccc'); // in the high half
    expect(flippedPoison('A5A5A5A5A5A5A5A4')).toBe('0xa5a5a5a5a5a5a5a5');
    expect(flippedPoison('6b6b6b6b6b6b6b6')).toBeUndefined(); // not 64 bits
  });
});
