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

/** The symbols of one section, with the FILE symbols between them, prepared for look-ups. */
interface SectionSymbols {
  /** Raw symbol indexes, in file order: this section's symbols and every STT_FILE symbol. */
  entries: Int32Array;
  /** Offset of each entry in its section (NaN for FILE symbols). */
  offsets: Float64Array;
  /** This section's symbol offsets, sorted (for kallsyms-style sizes). */
  sorted: Float64Array;
  /** Positions (in `entries`) of the symbols binutils could name a function by, sorted by offset then file order. */
  eligible: Int32Array;
  eligibleOffsets: Float64Array;
  /** For each position in `entries`: the raw index of the last FILE symbol before it, or 0. */
  fileBefore: Int32Array;
}

/**
 * The ELF symbol table (`.symtab`, else `.dynsym`), read as raw bytes: a vmlinux has 120,000
 * symbols and a symbolizer needs a handful, so entries become objects only when asked for.
 * Function look-up by address follows GNU binutils (`_bfd_elf_find_function`) so that names
 * agree with `addr2line` when the DWARF has no function for an address (assembler code).
 */
export class SymbolTable {
  /** Number of entries including the null entry 0. */
  readonly count: number;
  private readonly data: Buffer;
  private readonly strings: Buffer;
  private readonly entsize: number;
  private readonly cache = new Map<number, ElfSymbol>();
  private readonly bySection = new Map<number, SectionSymbols>();
  private all?: ElfSymbol[];

  constructor(private readonly elf: ElfFile) {
    const symtab = elf.sections.find((s) => s.type === SHT_SYMTAB) ?? elf.section('.dynsym');
    this.entsize = elf.is64 ? 24 : 16;
    if (!symtab) {
      this.data = Buffer.alloc(0);
      this.strings = Buffer.alloc(0);
      this.count = 0;
      return;
    }
    const strtab = elf.sections[symtab.link];
    if (!strtab) throw new KtError('KT_E_BAD_ELF', `${elf.path}: ${symtab.name} links to missing string table ${symtab.link}`);
    this.data = elf.contentsOf(symtab);
    this.strings = elf.contentsOf(strtab);
    this.count = Math.floor(this.data.length / this.entsize);
  }

  /** Every symbol but the null entry, in file order (materialises them all: for small files and tools). */
  get symbols(): ElfSymbol[] {
    if (!this.all) {
      this.all = [];
      for (let i = 1; i < this.count; i++) this.all.push(this.at(i));
    }
    return this.all;
  }

  /** The symbol with raw index i (1 ≤ i < count). */
  at(i: number): ElfSymbol {
    let sym = this.cache.get(i);
    if (sym) return sym;
    if (i <= 0 || i >= this.count) throw new KtError('KT_E_BAD_ELF', `${this.elf.path}: symbol index ${i} outside the symbol table (${this.count} entries)`);
    const r = new ByteReader(this.data, i * this.entsize, (i + 1) * this.entsize, this.elf.littleEndian, `${this.elf.path}: symbol ${i}`);
    let nameOff: number, value: bigint, size: number, info: number, other: number, shndx: number;
    if (this.elf.is64) {
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
    const name = nameOff < this.strings.length ? stringAt(this.strings, nameOff, `${this.elf.path}: symbol names`) : '';
    sym = { name, value, size, type: info & 0xf, bind: info >> 4, visibility: other & 3, shndx: shndx >= SHN_LORESERVE ? -shndx : shndx };
    this.cache.set(i, sym);
    return sym;
  }

  private rawInfo(i: number): number {
    return this.data[i * this.entsize + (this.elf.is64 ? 4 : 12)] as number;
  }

  private rawShndx(i: number): number {
    const at = i * this.entsize + (this.elf.is64 ? 6 : 14);
    const v = this.elf.littleEndian ? this.data.readUInt16LE(at) : this.data.readUInt16BE(at);
    return v >= SHN_LORESERVE ? -v : v;
  }

  private byNameIndexed(name: string): ElfSymbol[] {
    // Keyed by a hash of the name's bytes in the string table: no string is made per symbol.
    if (!this.nameIndex) {
      const index = new Map<number, number | number[]>();
      const strings = this.strings;
      for (let i = 1; i < this.count; i++) {
        const type = this.rawInfo(i) & 0xf;
        if (type === STT_SECTION || type === STT_FILE) continue;
        let off = this.rawNameOffset(i);
        let h = 0x811c9dc5;
        for (; off < strings.length; off++) {
          const b = strings[off] as number;
          if (b === 0) break;
          h = Math.imul(h ^ b, 0x01000193);
        }
        const prev = index.get(h);
        if (prev === undefined) index.set(h, i);
        else if (typeof prev === 'number') index.set(h, [prev, i]);
        else prev.push(i);
      }
      this.nameIndex = index;
    }
    const bytes = Buffer.from(name, 'utf8');
    let h = 0x811c9dc5;
    for (const b of bytes) h = Math.imul(h ^ b, 0x01000193);
    const hit = this.nameIndex.get(h);
    if (hit === undefined) return [];
    const out = (typeof hit === 'number' ? [hit] : hit).map((i) => this.at(i)).filter((sym) => sym.name === name);
    return out.sort((a, b) => Number(isFunction(b)) - Number(isFunction(a)) || Number(b.shndx > 0) - Number(a.shndx > 0));
  }

  /** A symbol's value minus `base`, as a number, without making a bigint per symbol. */
  private rawOffset(i: number, base: bigint): number {
    const at = i * this.entsize + (this.elf.is64 ? 8 : 4);
    if (!this.elf.is64) return (this.elf.littleEndian ? this.data.readUInt32LE(at) : this.data.readUInt32BE(at)) - Number(base);
    const le = this.elf.littleEndian;
    const lo = le ? this.data.readUInt32LE(at) : this.data.readUInt32BE(at + 4);
    const hi = le ? this.data.readUInt32LE(at + 4) : this.data.readUInt32BE(at);
    const baseLo = Number(base & 0xffffffffn);
    const baseHi = Number(base >> 32n);
    return (hi - baseHi) * 0x1_0000_0000 + (lo - baseLo);
  }

  /** binutils' `maybe_function_sym` filter, on the raw entry (the section was checked already). */
  private eligible(i: number): boolean {
    const info = this.rawInfo(i);
    const type = info & 0xf;
    if (type === STT_OBJECT || type === STT_TLS || type === STT_SECTION || type === STT_FILE) return false;
    const at = i * this.entsize;
    const other = this.data[at + (this.elf.is64 ? 5 : 13)] as number;
    const sizeZero = this.elf.is64 ? this.data.readUInt32LE(at + 16) === 0 && this.data.readUInt32LE(at + 20) === 0 : this.data.readUInt32LE(at + 8) === 0;
    return !(sizeZero && info >> 4 === STB_LOCAL && type === STT_NOTYPE && (other & 3) === STV_HIDDEN);
  }

  private rawNameOffset(i: number): number {
    const at = i * this.entsize;
    return this.elf.littleEndian ? this.data.readUInt32LE(at) : this.data.readUInt32BE(at);
  }

  private nameOffsets?: Uint32Array;
  private nameIndex?: Map<number, number | number[]>;
  private nameQueries = 0;

  /**
   * Symbols of that name, functions first. The first few queries scan the raw table (a few ms
   * each); after that a name index is built once (~120 ms for a kernel), as a trace has dozens.
   */
  byName(name: string): ElfSymbol[] {
    if (++this.nameQueries > 4) return this.byNameIndexed(name);
    const needle = Buffer.from(`${name}\0`, 'utf8');
    const offsets: number[] = [];
    for (let at = this.strings.indexOf(needle); at >= 0; at = this.strings.indexOf(needle, at + 1)) offsets.push(at);
    if (offsets.length === 0) return [];
    if (!this.nameOffsets) {
      this.nameOffsets = new Uint32Array(this.count);
      for (let i = 1; i < this.count; i++) this.nameOffsets[i] = this.rawNameOffset(i);
    }
    const names = this.nameOffsets;
    const out: ElfSymbol[] = [];
    for (let i = 1; i < this.count; i++) {
      const n = names[i] as number;
      if (n !== offsets[0] && (offsets.length === 1 || !offsets.includes(n))) continue;
      const type = this.rawInfo(i) & 0xf;
      if (type === STT_SECTION || type === STT_FILE) continue;
      out.push(this.at(i));
    }
    return out.sort((a, b) => Number(isFunction(b)) - Number(isFunction(a)) || Number(b.shndx > 0) - Number(a.shndx > 0));
  }

  private sectionSymbols(sec: ElfSection): SectionSymbols {
    let hit = this.bySection.get(sec.index);
    if (hit) return hit;
    const base = this.elf.isRelocatable ? 0n : sec.addr;
    const entries: number[] = [];
    const offsets: number[] = [];
    const sorted: number[] = [];
    for (let i = 1; i < this.count; i++) {
      const type = this.rawInfo(i) & 0xf;
      if (type === STT_FILE) {
        entries.push(i);
        offsets.push(Number.NaN);
      } else if (this.rawShndx(i) === sec.index && type !== STT_SECTION) {
        const off = this.rawOffset(i, base);
        entries.push(i);
        offsets.push(off);
        sorted.push(off);
      }
    }
    const fileBefore = new Int32Array(entries.length);
    const eligible: number[] = [];
    let lastFile = 0;
    entries.forEach((i, k) => {
      if (Number.isNaN(offsets[k] as number)) lastFile = i;
      else if (this.eligible(i)) eligible.push(k);
      fileBefore[k] = lastFile;
    });
    eligible.sort((a, b) => (offsets[a] as number) - (offsets[b] as number) || a - b);
    hit = {
      entries: Int32Array.from(entries),
      offsets: Float64Array.from(offsets),
      sorted: Float64Array.from(sorted).sort(),
      eligible: Int32Array.from(eligible),
      eligibleOffsets: Float64Array.from(eligible.map((k) => offsets[k] as number)),
      fileBefore,
    };
    this.bySection.set(sec.index, hit);
    return hit;
  }

  /**
   * The function symbol binutils would name for `offset` bytes into section `sec`, with the
   * file name of the STT_FILE symbol before it when binutils would use it.
   */
  findFunction(sec: ElfSection, offset: number): { symbol: ElfSymbol; file?: string } | undefined {
    const { entries, offsets, eligible, eligibleOffsets, fileBefore } = this.sectionSymbols(sec);
    // The winner sits at the highest offset at or below `offset` (binutils' better_fit always
    // prefers a closer symbol); find it by binary search, then replay binutils' loop, in file
    // order, over the symbols there and those just above that can shorten the best one.
    let lo = 0;
    let hi = eligibleOffsets.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((eligibleOffsets[mid] as number) <= offset) lo = mid + 1;
      else hi = mid;
    }
    if (lo === 0) return undefined;
    const floor = eligibleOffsets[lo - 1] as number;
    const replay: number[] = [];
    let maxEnd = floor;
    for (let j = lo - 1; j >= 0 && eligibleOffsets[j] === floor; j--) {
      const k = eligible[j] as number;
      replay.push(k);
      maxEnd = Math.max(maxEnd, floor + (this.at(entries[k] as number).size || 1));
    }
    for (let j = lo; j < eligibleOffsets.length && (eligibleOffsets[j] as number) < maxEnd; j++) replay.push(eligible[j] as number);
    replay.sort((a, b) => a - b);
    let best: ElfSymbol | undefined;
    let bestOff = 0;
    let bestSize = 0;
    let bestFile: string | undefined;
    // binutils stops trusting FILE symbols for global symbols once a FILE symbol has followed
    // some other symbol (anywhere in the table): ld -r output does not keep them in order.
    const fileAfterSymbolFrom = this.firstFileAfterSymbol();
    for (const k of replay) {
      const i = entries[k] as number;
      const codeOff = offsets[k] as number;
      const sym = this.at(i);
      const size = sym.size || 1;
      if (betterFit(best, bestOff, bestSize, sym, codeOff, size, offset)) {
        best = sym;
        bestOff = codeOff;
        bestSize = size;
        const file = fileBefore[k] ? this.at(fileBefore[k] as number).name : undefined;
        bestFile = file !== undefined && (sym.bind === STB_LOCAL || i <= fileAfterSymbolFrom) ? file : undefined;
      } else if (codeOff > offset && codeOff > bestOff && codeOff < bestOff + bestSize) {
        bestSize = codeOff - bestOff;
      }
    }
    if (!best) return undefined;
    return bestFile !== undefined ? { symbol: best, file: bestFile } : { symbol: best };
  }

  private fileAfter?: number;

  /** Raw index of the first FILE symbol that follows a non-FILE symbol (count when none). */
  private firstFileAfterSymbol(): number {
    if (this.fileAfter === undefined) {
      let seenOther = false;
      this.fileAfter = this.count;
      for (let i = 1; i < this.count; i++) {
        const isFile = (this.rawInfo(i) & 0xf) === STT_FILE;
        if (!isFile) seenOther = true;
        else if (seenOther) {
          this.fileAfter = i;
          break;
        }
      }
    }
    return this.fileAfter;
  }

  /**
   * The size the kernel prints for a symbol (`func+off/SIZE`): kallsyms keeps no sizes, so it
   * is the distance to the next symbol, padding included. Undefined for the last one.
   */
  kallsymsSize(sym: ElfSymbol): number | undefined {
    const sec = this.elf.sections[sym.shndx];
    if (!sec || sym.shndx <= 0) return undefined;
    const { sorted } = this.sectionSymbols(sec);
    const off = Number(sym.value - (this.elf.isRelocatable ? 0n : sec.addr));
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((sorted[mid] as number) <= off) lo = mid + 1;
      else hi = mid;
    }
    const next = sorted[lo];
    return next === undefined ? undefined : next - off;
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
