import { KtError } from '../errors.js';
import { ByteReader, stringAt } from './byte-reader.js';
import { SHT_SYMTAB, type ElfFile, type ElfSection } from './elf-file.js';

export const STT_NOTYPE = 0;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const STT_SECTION = 3;
export const STT_FILE = 4;
export const STT_TLS = 6;
export const STT_GNU_IFUNC = 10;
export const STB_LOCAL = 0;
export const STV_HIDDEN = 2;
const SHN_LORESERVE = 0xff00;

export interface ElfSymbol {
  name: string;
  value: bigint;
  size: number;
  type: number;
  bind: number;
  visibility: number;
  shndx: number;
}

/**
 * The ELF symbol table (`.symtab`, else `.dynsym`), in file order. Function look-up by address
 * follows GNU binutils (`_bfd_elf_find_function`) so that names agree with `addr2line` when the
 * DWARF has no function for an address (assembler code).
 */
export class SymbolTable {
  readonly symbols: ElfSymbol[];
  private byNameMap?: Map<string, ElfSymbol[]>;
  private bySection = new Map<number, number[]>();
  private sortedValues?: bigint[];

  constructor(private readonly elf: ElfFile) {
    this.symbols = readSymbols(elf);
  }

  get size(): number {
    return this.symbols.length;
  }

  /** Symbols of that name, functions first. */
  byName(name: string): ElfSymbol[] {
    if (!this.byNameMap) {
      this.byNameMap = new Map();
      for (const s of this.symbols) {
        if (s.type === STT_SECTION || s.type === STT_FILE || !s.name) continue;
        const list = this.byNameMap.get(s.name);
        if (list) list.push(s);
        else this.byNameMap.set(s.name, [s]);
      }
      for (const list of this.byNameMap.values()) list.sort((a, b) => Number(isFunction(b)) - Number(isFunction(a)));
    }
    return this.byNameMap.get(name) ?? [];
  }

  /**
   * The function symbol binutils would name for `offset` bytes into section `sec`, with the
   * file name of the STT_FILE symbol before it when binutils would use it.
   */
  findFunction(sec: ElfSection, offset: number): { symbol: ElfSymbol; file?: string } | undefined {
    const base = this.elf.isRelocatable ? 0n : sec.addr;
    let bestIdx = -1;
    let bestOff = 0;
    let bestSize = 0;
    let bestFile: string | undefined;
    let file: string | undefined;
    type State = 'nothing' | 'symbol' | 'fileAfterSymbol';
    let state: State = 'nothing';
    for (let i = 0; i < this.symbols.length; i++) {
      const sym = this.symbols[i] as ElfSymbol;
      if (sym.type === STT_FILE) {
        file = sym.name;
        if (state === 'symbol') state = 'fileAfterSymbol';
        continue;
      }
      if (state === 'nothing') state = 'symbol';
      if (sym.shndx !== sec.index || sym.type === STT_SECTION || sym.type === STT_OBJECT || sym.type === STT_TLS) continue;
      if (sym.size === 0 && sym.bind === STB_LOCAL && sym.type === STT_NOTYPE && sym.visibility === STV_HIDDEN) continue;
      const codeOff = Number(sym.value - base);
      const size = sym.size || 1;
      if (betterFit(bestIdx < 0 ? undefined : (this.symbols[bestIdx] as ElfSymbol), bestOff, bestSize, sym, codeOff, size, offset)) {
        bestIdx = i;
        bestOff = codeOff;
        bestSize = size;
        bestFile = file !== undefined && (sym.bind === STB_LOCAL || state !== 'fileAfterSymbol') ? file : undefined;
      } else if (codeOff > offset && codeOff > bestOff && codeOff < bestOff + bestSize) {
        bestSize = codeOff - bestOff;
      }
    }
    if (bestIdx < 0) return undefined;
    const symbol = this.symbols[bestIdx] as ElfSymbol;
    return bestFile !== undefined ? { symbol, file: bestFile } : { symbol };
  }

  /**
   * The size the kernel prints for a symbol (`func+off/SIZE`): kallsyms keeps no sizes, so it
   * is the distance to the next symbol, padding included. Undefined for the last one.
   */
  kallsymsSize(sym: ElfSymbol): number | undefined {
    if (!this.sortedValues) {
      const values = this.symbols.filter((s) => s.type !== STT_SECTION && s.type !== STT_FILE && s.shndx > 0 && s.name !== '').map((s) => s.value);
      values.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      this.sortedValues = values;
    }
    const v = this.sortedValues;
    let lo = 0;
    let hi = v.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((v[mid] as bigint) <= sym.value) lo = mid + 1;
      else hi = mid;
    }
    const next = v[lo];
    return next === undefined ? undefined : Number(next - sym.value);
  }

  /** Symbols of one section, for callers that scan them (kept in file order). */
  inSection(index: number): number[] {
    let list = this.bySection.get(index);
    if (!list) {
      list = [];
      for (let i = 0; i < this.symbols.length; i++) if ((this.symbols[i] as ElfSymbol).shndx === index) list.push(i);
      this.bySection.set(index, list);
    }
    return list;
  }
}

export function isFunction(s: ElfSymbol): boolean {
  return s.type === STT_FUNC || s.type === STT_GNU_IFUNC;
}

/** binutils' `better_fit`: the closest symbol at or below the offset; ties go to the one that covers it best. */
function betterFit(cache: ElfSymbol | undefined, cacheOff: number, cacheSize: number, sym: ElfSymbol, codeOff: number, size: number, offset: number): boolean {
  if (codeOff > offset) return false;
  if (codeOff < cacheOff) return false;
  if (codeOff > cacheOff) return true;
  if (cache === undefined) return true;
  if (cacheOff + cacheSize <= offset) return size > cacheSize;
  if (codeOff + size <= offset) return false;
  const cacheFunc = isFunction(cache);
  const symFunc = isFunction(sym);
  if (cacheFunc && !symFunc) return false;
  if (symFunc && !cacheFunc) return true;
  if (cache.type === STT_NOTYPE && sym.type !== STT_NOTYPE) return true;
  if (cache.type !== STT_NOTYPE && sym.type === STT_NOTYPE) return false;
  return size < cacheSize;
}

function readSymbols(elf: ElfFile): ElfSymbol[] {
  const symtab = elf.sections.find((s) => s.type === SHT_SYMTAB) ?? elf.section('.dynsym');
  if (!symtab) return [];
  const strtab = elf.sections[symtab.link];
  if (!strtab) throw new KtError('KT_E_BAD_ELF', `${elf.path}: ${symtab.name} links to missing string table ${symtab.link}`);
  const data = elf.contentsOf(symtab);
  const strings = elf.contentsOf(strtab);
  const entsize = elf.is64 ? 24 : 16;
  const count = Math.floor(data.length / entsize);
  const out: ElfSymbol[] = [];
  const r = new ByteReader(data, 0, data.length, elf.littleEndian, `${elf.path}: ${symtab.name}`);
  // Entry 0 is the null symbol; binutils leaves it out too.
  for (let i = 1; i < count; i++) {
    r.pos = i * entsize;
    let nameOff: number, value: bigint, size: number, info: number, other: number, shndx: number;
    if (elf.is64) {
      nameOff = r.u32();
      info = r.u8();
      other = r.u8();
      shndx = r.u16();
      value = r.u64();
      size = Number(r.u64());
    } else {
      nameOff = r.u32();
      value = BigInt(r.u32());
      size = r.u32();
      info = r.u8();
      other = r.u8();
      shndx = r.u16();
    }
    const name = nameOff < strings.length ? stringAt(strings, nameOff, `${elf.path}: symbol names`) : '';
    out.push({ name, value, size, type: info & 0xf, bind: info >> 4, visibility: other & 3, shndx: shndx >= SHN_LORESERVE ? -shndx : shndx });
  }
  return out;
}
