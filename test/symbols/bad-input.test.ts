/** Broken symbol files (cut, zeroed, overwritten copies of the real fixtures) give a clear error or a partial answer. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KtError } from '../../src/errors.js';
import { ElfFile } from '../../src/symbols/elf-file.js';
import { SymbolFile } from '../../src/symbols/symbol-file.js';
import { fixture } from './helpers.js';

const REAL = fixture('inline-demo-dwarf5');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kt-bad-elf-'));

function variant(name: string, edit: (b: Buffer) => Buffer): string {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, edit(Buffer.from(fs.readFileSync(REAL))));
  return p;
}

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof KtError) return e.code;
    throw e;
  }
  return undefined;
}

describe('bad symbol files', () => {
  it('a missing file is KT_E_NO_SUCH_FILE', () => {
    expect(codeOf(() => SymbolFile.open(path.join(tmp, 'nope')))).toBe('KT_E_NO_SUCH_FILE');
  });

  it('a log file is not ELF: KT_E_BAD_ELF', () => {
    expect(codeOf(() => SymbolFile.open(fixture('lkdtm-access-null-console.log')))).toBe('KT_E_BAD_ELF');
  });

  it('a zero-filled file is KT_E_BAD_ELF', () => {
    expect(codeOf(() => SymbolFile.open(variant('zeros', (b) => Buffer.alloc(b.length))))).toBe('KT_E_BAD_ELF');
  });

  it('a file cut in half (section headers gone) is KT_E_BAD_ELF', () => {
    expect(codeOf(() => SymbolFile.open(variant('half', (b) => b.subarray(0, b.length >> 1))))).toBe('KT_E_BAD_ELF');
  });

  it('a section claiming more bytes than the file has: a warning naming it, not a huge allocation', () => {
    const p = variant('huge-section', (b) => {
      const elf = ElfFile.fromBuffer(b, 'x');
      const s = elf.section('.debug_str');
      if (!s) throw new Error('fixture lacks .debug_str');
      const shoff = Number(b.readBigUInt64LE(0x28));
      b.writeBigUInt64LE(0xffff_ffff_ffffn, shoff + s.index * 64 + 32);
      return b;
    });
    const file = SymbolFile.open(p);
    const info = file.lookup(file.symbols.byName('main')[0]?.value ?? 0n);
    expect(info.frames[0]?.function).toBe('main'); // from the symbol table
    expect(file.dwarf?.warnings.join('\n')).toMatch(/section \.debug_str .* runs past the end of the file/);
  });

  it('a .debug_line_str too short for the file names of the line table: the unit is skipped with a warning naming it', () => {
    const p = variant('short-line-str', (b) => {
      const elf = ElfFile.fromBuffer(b, 'x');
      const s = elf.section('.debug_line_str');
      if (!s) throw new Error('fixture lacks .debug_line_str');
      const shoff = Number(b.readBigUInt64LE(0x28));
      b.writeBigUInt64LE(4n, shoff + s.index * 64 + 32);
      return b;
    });
    const file = SymbolFile.open(p);
    const info = file.lookup(file.symbols.byName('main')[0]?.value ?? 0n);
    expect(info.frames[0]?.function).toBe('main'); // from the symbol table
    expect(file.dwarf?.warnings.join('\n')).toMatch(/\.debug_line_str: string offset 0x[0-9a-f]+ outside the section \(size 0x4\)/);
  });

  it('overwritten .debug_info: the unit is skipped with a warning, the symbol table still answers', () => {
    const p = variant('garbage-info', (b) => {
      const s = ElfFile.fromBuffer(b, 'x').section('.debug_info');
      if (!s) throw new Error('fixture lacks .debug_info');
      b.fill(0xff, s.offset + 12, s.offset + s.size);
      return b;
    });
    const file = SymbolFile.open(p);
    const main = file.symbols.byName('main')[0];
    expect(main).toBeDefined();
    const info = file.lookup(main?.value ?? 0n);
    expect(info.found).toBe(true);
    expect(info.frames[0]?.function).toBe('main');
    expect(file.dwarf?.warnings.length).toBeGreaterThan(0);
  });

  it('a cut .debug_line gives a warning, not a crash', () => {
    const p = variant('cut-line', (b) => {
      const s = ElfFile.fromBuffer(b, 'x').section('.debug_line');
      if (!s) throw new Error('fixture lacks .debug_line');
      b.writeUInt32LE(0x7fff_0000, s.offset); // unit length far past the section
      return b;
    });
    const file = SymbolFile.open(p);
    const info = file.lookup(file.symbols.byName('main')[0]?.value ?? 0n);
    expect(info.frames[0]?.function).toBe('main');
    expect(file.dwarf?.warnings.join('\n')).toMatch(/runs past the section/);
  });

  it('the input file is never modified', () => {
    const before = fs.readFileSync(REAL);
    SymbolFile.open(REAL).lookup(0x1060n);
    expect(fs.readFileSync(REAL).equals(before)).toBe(true);
  });
});
