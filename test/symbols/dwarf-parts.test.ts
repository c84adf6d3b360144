/** Sections read in parts (strings, abbreviation tables) give what reading them whole gives. */
import { describe, expect, it } from 'vitest';
import { stringAt } from '../../src/symbols/byte-reader.js';
import { parseAbbrevTable } from '../../src/symbols/dwarf-abbrev.js';
import { DwarfSections } from '../../src/symbols/dwarf-sections.js';
import { ElfFile } from '../../src/symbols/elf-file.js';
import { KtError } from '../../src/errors.js';
import { fixture, lkdtm } from './helpers.js';

const ELF = ElfFile.open(fixture('inline-demo-dwarf5'));

describe('.debug_str read around each string', () => {
  it('gives every string of the section as reading it whole does', () => {
    // lkdtm.ko's strings include the 757-byte producer string: read past the first 256 bytes.
    for (const elf of [ELF, lkdtm().elf]) {
      const whole = elf.contentsOf(elf.section('.debug_str')!);
      const starts = [0, ...[...whole.keys()].filter((i) => whole[i - 1] === 0 && i < whole.length)];
      expect(starts.length).toBeGreaterThan(10);
      const sections = new DwarfSections(elf);
      const parts = starts.map((off) => sections.stringAt('str', off, 'test'));
      expect(parts).toEqual(starts.map((off) => stringAt(whole, off, 'test')));
      expect(Math.max(...parts.map((p) => p.length))).toBe(elf === ELF ? 89 : 757);
    }
  });

  it('a string\'s tail (binutils shares suffixes) reads as such', () => {
    const whole = ELF.contentsOf(ELF.section('.debug_str')!);
    const at = whole.indexOf('chain_weight\0');
    expect(new DwarfSections(ELF).stringAt('str', at + 6, 'test')).toBe('weight');
  });

  it('an offset past the section is an error naming it', () => {
    const sections = new DwarfSections(ELF);
    expect(() => sections.stringAt('str', 1 << 20, 'demo: .debug_str')).toThrow(/demo: \.debug_str: string offset 0x100000 outside the section/);
  });
});

describe('abbreviation tables read from a part of .debug_abbrev', () => {
  const whole = ELF.contentsOf(ELF.section('.debug_abbrev')!);

  it('a part that ends inside the table is an error (so that more is read), the whole table parses the same', () => {
    const full = parseAbbrevTable(whole, 0, 'demo');
    expect(full.size).toBeGreaterThan(10);
    let err: unknown;
    try {
      parseAbbrevTable(whole.subarray(0, 40), 0, 'demo', 0, true);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KtError);
    expect(String((err as Error).message)).toMatch(/demo: \.debug_abbrev/);
    expect([...parseAbbrevTable(whole.subarray(0), 0, 'demo', 0, true)]).toEqual([...full]);
  });
});
