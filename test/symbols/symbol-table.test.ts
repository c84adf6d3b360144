/** The symbol table's look-ups, both ways: passes over the raw table (a few queries) and the indexes (many). */
import { describe, expect, it } from 'vitest';
import { ElfFile } from '../../src/symbols/elf-file.js';
import { SymbolTable } from '../../src/symbols/elf-symbols.js';
import { fixture, lkdtm } from './helpers.js';

const DEMO = ElfFile.open(fixture('inline-demo-dwarf4'));
const TEXT = DEMO.section('.text');

describe('names (values from readelf -s inline-demo-dwarf4)', () => {
  it('finds several names in one pass', () => {
    const found = new SymbolTable(DEMO).byNames(['main', 'checked_div', 'checked_div.cold', '_start', 'no_such_function']);
    const brief = [...found].map(([name, syms]) => [name, syms.map((s) => `${s.value.toString(16)}/${s.size}`)]);
    expect(brief).toEqual([
      ['main', ['1070/107']],
      ['checked_div', ['11d0/14']],
      ['checked_div.cold', ['1060/6']],
      ['_start', ['10e0/34']],
      ['no_such_function', []],
    ]);
  });

  it('looks for names of one or two characters on their own pass, beside the others', () => {
    const found = new SymbolTable(DEMO).byNames(['ma', 'main', '_', 'i']);
    expect([...found].map(([name, syms]) => [name, syms.length])).toEqual([
      ['ma', 0],
      ['main', 1],
      ['_', 0],
      ['i', 0],
    ]);
  });

  it('answers byName the same before and after its name index is built', () => {
    const table = new SymbolTable(DEMO);
    const names = ['main', 'frame_dummy', 'checked_div', 'mai', 'checked_div.col', '_init', '_fini', 'main', 'register_tm_clones', 'nope'];
    const scanned = names.map((n) => new SymbolTable(DEMO).byName(n).map((s) => s.value));
    const mixed = names.map((n) => table.byName(n).map((s) => s.value));
    expect(mixed).toEqual(scanned);
    expect(scanned[0]).toEqual([0x1070n]);
    expect(scanned[3]).toEqual([]);
  });
});

describe('kallsyms sizes: the distance to the next symbol of the section', () => {
  it('gives them for many symbols at once, and the same one at a time', () => {
    const table = new SymbolTable(DEMO);
    const syms = ['main', 'checked_div', 'checked_div.cold', '_start'].map((n) => table.byName(n)[0]!);
    // main → _start, checked_div is the last symbol of .text, .cold → main, _start → deregister_tm_clones.
    expect(table.kallsymsSizes(syms)).toEqual([0x70, undefined, 0x10, 0x30]);
    const oneByOne = new SymbolTable(DEMO);
    expect([...syms, ...syms, ...syms].map((s) => oneByOne.kallsymsSize(s))).toEqual(Array(3).fill([0x70, undefined, 0x10, 0x30]).flat());
  });
});

describe('function by address (binutils rules), from a fresh table and from one reused', () => {
  it('names the function and its FILE symbol', () => {
    const at = (offset: number) => {
      const f = new SymbolTable(DEMO).findFunction(TEXT!, offset);
      return f ? `${f.symbol.name}${f.file ? ` ${f.file}` : ''}` : undefined;
    };
    expect([0x0, 0x10, 0x9a, 0xb0, 0x16d, 0x17d].map(at)).toEqual([
      'checked_div.cold inline-demo.c',
      'main',
      '_start',
      'deregister_tm_clones crtstuff.c',
      'frame_dummy crtstuff.c',
      'checked_div inline-demo.c',
    ]);
  });

  it('gives the same answer for every byte either way (gcc binary and lkdtm.ko)', () => {
    for (const elf of [DEMO, lkdtm().elf]) {
      for (const sec of elf.sections.filter((s) => s.name.startsWith('.text'))) {
        const indexed = new SymbolTable(elf);
        for (let off = 0; off < sec.size; off += 3) {
          const viaIndex = indexed.findFunction(sec, off);
          const viaScan = new SymbolTable(elf).findFunction(sec, off);
          expect([off, viaScan?.symbol.name, viaScan?.file]).toEqual([off, viaIndex?.symbol.name, viaIndex?.file]);
        }
      }
    }
  });
});
