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
/** Look-ups answered by a pass over the raw table before an index is built (a pass costs ~1/15 of an index). */
const SCANS_BEFORE_INDEX = 6;

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
 * The fields of every entry that whole-table passes read, one typed array each: decoded once
 * (a few ms for a kernel), after which a pass over 120,000 entries costs about a millisecond.
 */
interface SymbolColumns {
  /** Offset of the name in the string table. */
  name: Uint32Array;
  info: Uint8Array;
  other: Uint8Array;
  /** Section index; SHN_ABS and the other reserved indexes negated. */
  shndx: Int32Array;
  /** The value's high and low 32 bits (kernel addresses do not fit a double). */
  valueHi: Uint32Array;
  valueLo: Uint32Array;
  sizeZero: Uint8Array;
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
  private cols?: SymbolColumns;
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

  /** The columns, decoded on first use (a DataView: Buffer's read methods are several times slower in such loops). */
  private columns(): SymbolColumns {
    if (this.cols) return this.cols;
    const n = this.count;
    const c: SymbolColumns = {
      name: new Uint32Array(n),
      info: new Uint8Array(n),
      other: new Uint8Array(n),
      shndx: new Int32Array(n),
      valueHi: new Uint32Array(n),
      valueLo: new Uint32Array(n),
      sizeZero: new Uint8Array(n),
    };
    const view = new DataView(this.data.buffer, this.data.byteOffset, n * this.entsize);
    const le = this.elf.littleEndian;
    const is64 = this.elf.is64;
    for (let i = 0, at = 0; i < n; i++, at += this.entsize) {
      c.name[i] = view.getUint32(at, le);
      let shndx: number;
      if (is64) {
        c.info[i] = view.getUint8(at + 4);
        c.other[i] = view.getUint8(at + 5);
        shndx = view.getUint16(at + 6, le);
        c.valueLo[i] = view.getUint32(le ? at + 8 : at + 12, le);
        c.valueHi[i] = view.getUint32(le ? at + 12 : at + 8, le);
        c.sizeZero[i] = view.getUint32(at + 16) === 0 && view.getUint32(at + 20) === 0 ? 1 : 0;
      } else {
        c.valueLo[i] = view.getUint32(at + 4, le);
        c.sizeZero[i] = view.getUint32(at + 8) === 0 ? 1 : 0;
        c.info[i] = view.getUint8(at + 12);
        c.other[i] = view.getUint8(at + 13);
        shndx = view.getUint16(at + 14, le);
      }
      c.shndx[i] = shndx >= SHN_LORESERVE ? -shndx : shndx;
    }
    this.cols = c;
    return c;
  }

  private byNameIndexed(name: string): ElfSymbol[] {
    // Keyed by a hash of the name's bytes in the string table: no string is made per symbol.
    if (!this.nameIndex) {
      const index = new Map<number, number | number[]>();
      const strings = this.strings;
      const c = this.columns();
      for (let i = 1; i < this.count; i++) {
        const type = (c.info[i] as number) & 0xf;
        if (type === STT_SECTION || type === STT_FILE) continue;
        let off = c.name[i] as number;
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
    return out.sort(functionsFirst);
  }

  /** binutils' `maybe_function_sym` filter, on the raw entry (the section was checked already). */
  private eligible(c: SymbolColumns, i: number): boolean {
    const info = c.info[i] as number;
    const type = info & 0xf;
    if (type === STT_OBJECT || type === STT_TLS || type === STT_SECTION || type === STT_FILE) return false;
    return !(c.sizeZero[i] && info >> 4 === STB_LOCAL && type === STT_NOTYPE && ((c.other[i] as number) & 3) === STV_HIDDEN);
  }

  private nameIndex?: Map<number, number | number[]>;
  private nameQueries = 0;

  /**
   * Symbols of that name, functions first. The first few queries each take one pass over the
   * raw table (a few ms); after that a name index is built once (~50 ms for a kernel), for
   * callers that ask one name at a time. Callers that know all their names use byNames.
   */
  byName(name: string): ElfSymbol[] {
    if (this.nameIndex || ++this.nameQueries > SCANS_BEFORE_INDEX) return this.byNameIndexed(name);
    return this.byNames([name]).get(name) ?? [];
  }

  /**
   * Symbols of each name (functions first), in one pass over the table. Each entry's name is
   * compared in place in the string table, and only when its first four bytes are those of a
   * wanted name: no string is made for the other 120,000 symbols of a kernel.
   */
  byNames(names: Iterable<string>): Map<string, ElfSymbol[]> {
    const out = new Map<string, ElfSymbol[]>();
    const byPrefix = new Map<number, { name: string; bytes: Buffer }[]>();
    // The first two bytes of each wanted name, as a bitmap: most entries stop at this test.
    const firstTwo = new Uint8Array(0x10000);
    for (const name of names) {
      if (out.has(name)) continue;
      if (this.nameIndex) {
        out.set(name, this.byNameIndexed(name));
        continue;
      }
      out.set(name, []);
      const bytes = Buffer.from(`${name}\0`, 'utf8');
      const key = namePrefix(bytes, 0);
      firstTwo[key & 0xffff] = 1;
      const list = byPrefix.get(key);
      if (list) list.push({ name, bytes });
      else byPrefix.set(key, [{ name, bytes }]);
    }
    if (byPrefix.size === 0) return out;
    const strings = this.strings;
    const c = this.columns();
    for (let i = 1; i < this.count; i++) {
      const off = c.name[i] as number;
      const b0 = off < strings.length ? (strings[off] as number) : 0;
      if (!firstTwo[b0 === 0 ? 0 : b0 | ((off + 1 < strings.length ? (strings[off + 1] as number) : 0) << 8)]) continue;
      const wanted = byPrefix.get(namePrefix(strings, off));
      if (!wanted) continue;
      const type = (c.info[i] as number) & 0xf;
      if (type === STT_SECTION || type === STT_FILE) continue;
      for (const w of wanted) {
        const end = off + w.bytes.length;
        if (end <= strings.length && strings.compare(w.bytes, 0, w.bytes.length, off, end) === 0) out.get(w.name)?.push(this.at(i));
      }
    }
    for (const list of out.values()) list.sort(functionsFirst);
    return out;
  }

  private sectionSymbols(sec: ElfSection): SectionSymbols {
    let hit = this.bySection.get(sec.index);
    if (hit) return hit;
    const [baseHi, baseLo] = splitBase(this.elf.isRelocatable ? 0n : sec.addr);
    const c = this.columns();
    const entries: number[] = [];
    const offsets: number[] = [];
    const sorted: number[] = [];
    for (let i = 1; i < this.count; i++) {
      const type = (c.info[i] as number) & 0xf;
      if (type === STT_FILE) {
        entries.push(i);
        offsets.push(Number.NaN);
      } else if (c.shndx[i] === sec.index && type !== STT_SECTION) {
        const off = valueOffset(c, i, baseHi, baseLo);
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
      else if (this.eligible(c, i)) eligible.push(k);
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

  /** Section look-ups answered by passes over the raw table, per section, before its index is built. */
  private readonly sectionQueries = new Map<number, number>();

  /** Whether a section has had enough look-ups that its sorted index pays for itself. */
  private useSectionIndex(sec: ElfSection): boolean {
    if (this.bySection.has(sec.index)) return true;
    const n = (this.sectionQueries.get(sec.index) ?? 0) + 1;
    this.sectionQueries.set(sec.index, n);
    return n > SCANS_BEFORE_INDEX;
  }

  /**
   * The function symbol binutils would name for `offset` bytes into section `sec`, with the
   * file name of the STT_FILE symbol before it when binutils would use it.
   */
  findFunction(sec: ElfSection, offset: number): { symbol: ElfSymbol; file?: string } | undefined {
    const candidates = this.useSectionIndex(sec) ? this.candidatesFromIndex(sec, offset) : this.candidatesByScan(sec, offset);
    let best: ElfSymbol | undefined;
    let bestOff = 0;
    let bestSize = 0;
    let bestFile: string | undefined;
    // binutils stops trusting FILE symbols for global symbols once a FILE symbol has followed
    // some other symbol (anywhere in the table): ld -r output does not keep them in order.
    const fileAfterSymbolFrom = this.firstFileAfterSymbol();
    for (const { index: i, offset: codeOff, fileBefore } of candidates) {
      const sym = this.at(i);
      const size = sym.size || 1;
      if (betterFit(best, bestOff, bestSize, sym, codeOff, size, offset)) {
        best = sym;
        bestOff = codeOff;
        bestSize = size;
        const file = fileBefore ? this.at(fileBefore).name : undefined;
        bestFile = file !== undefined && (sym.bind === STB_LOCAL || i <= fileAfterSymbolFrom) ? file : undefined;
      } else if (codeOff > offset && codeOff > bestOff && codeOff < bestOff + bestSize) {
        bestSize = codeOff - bestOff;
      }
    }
    if (!best) return undefined;
    return bestFile !== undefined ? { symbol: best, file: bestFile } : { symbol: best };
  }

  /**
   * The symbols binutils' loop can pick or be shortened by, in file order: the winner sits at
   * the highest offset at or below `offset` (better_fit always prefers a closer symbol), so
   * only the symbols there and those above it, inside the longest of them, matter.
   */
  private candidatesFromIndex(sec: ElfSection, offset: number): FunctionCandidate[] {
    const { entries, offsets, eligible, eligibleOffsets, fileBefore } = this.sectionSymbols(sec);
    let lo = 0;
    let hi = eligibleOffsets.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((eligibleOffsets[mid] as number) <= offset) lo = mid + 1;
      else hi = mid;
    }
    if (lo === 0) return [];
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
    return replay.map((k) => ({ index: entries[k] as number, offset: offsets[k] as number, fileBefore: fileBefore[k] as number }));
  }

  /** The same candidates found by two passes over the raw table, without building the section's index. */
  private candidatesByScan(sec: ElfSection, offset: number): FunctionCandidate[] {
    const [baseHi, baseLo] = splitBase(this.elf.isRelocatable ? 0n : sec.addr);
    const c = this.columns();
    // Pass 1: the eligible symbols at the highest offset at or below `offset`, with the FILE symbol before each.
    let floor = Number.NEGATIVE_INFINITY;
    let atFloor: FunctionCandidate[] = [];
    let lastFile = 0;
    for (let i = 1; i < this.count; i++) {
      const type = (c.info[i] as number) & 0xf;
      if (type === STT_FILE) {
        lastFile = i;
        continue;
      }
      if (c.shndx[i] !== sec.index) continue;
      const off = valueOffset(c, i, baseHi, baseLo);
      if (off > offset || off < floor || !this.eligible(c, i)) continue;
      if (off > floor) {
        floor = off;
        atFloor = [];
      }
      atFloor.push({ index: i, offset: off, fileBefore: lastFile });
    }
    if (atFloor.length === 0) return [];
    let maxEnd = floor;
    for (const c of atFloor) maxEnd = Math.max(maxEnd, floor + (this.at(c.index).size || 1));
    if (maxEnd <= offset + 1) return atFloor;
    // Pass 2: symbols above `offset` that may shorten the winner (their FILE symbol never counts).
    const above: FunctionCandidate[] = [];
    for (let i = 1; i < this.count; i++) {
      if (c.shndx[i] !== sec.index) continue;
      const off = valueOffset(c, i, baseHi, baseLo);
      if (off > floor && off < maxEnd && this.eligible(c, i)) above.push({ index: i, offset: off, fileBefore: 0 });
    }
    return above.length === 0 ? atFloor : [...atFloor, ...above].sort((a, b) => a.index - b.index);
  }

  private fileAfter?: number;

  /** Raw index of the first FILE symbol that follows a non-FILE symbol (count when none). */
  private firstFileAfterSymbol(): number {
    if (this.fileAfter === undefined) {
      let seenOther = false;
      const c = this.columns();
      this.fileAfter = this.count;
      for (let i = 1; i < this.count; i++) {
        const isFile = ((c.info[i] as number) & 0xf) === STT_FILE;
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
    return this.kallsymsSizes([sym])[0];
  }

  /**
   * kallsymsSize of each symbol: from the section's index when it is built (or worth
   * building), else in one pass over the raw table for all of them together.
   */
  kallsymsSizes(syms: readonly ElfSymbol[]): (number | undefined)[] {
    const out = new Array<number | undefined>(syms.length).fill(undefined);
    // Per section: the wanted offsets, sorted, and the nearest symbol offset above each.
    const wanted = new Map<number, { baseHi: number; baseLo: number; offsets: number[]; next: number[] }>();
    const at: { sec: number; off: number }[] = [];
    syms.forEach((sym, k) => {
      const sec = this.elf.sections[sym.shndx];
      if (!sec || sym.shndx <= 0) return;
      const base = this.elf.isRelocatable ? 0n : sec.addr;
      const off = Number(sym.value - base);
      if (this.bySection.has(sec.index) || (syms.length === 1 && this.useSectionIndex(sec))) {
        out[k] = nextAbove(this.sectionSymbols(sec).sorted, off);
        return;
      }
      let group = wanted.get(sec.index);
      if (!group) {
        const [baseHi, baseLo] = splitBase(base);
        wanted.set(sec.index, (group = { baseHi, baseLo, offsets: [], next: [] }));
      }
      group.offsets.push(off);
      at[k] = { sec: sec.index, off };
    });
    if (wanted.size === 0) return out;
    const c = this.columns();
    for (const g of wanted.values()) {
      g.offsets = [...new Set(g.offsets)].sort((a, b) => a - b);
      g.next = g.offsets.map(() => Number.POSITIVE_INFINITY);
    }
    for (let i = 1; i < this.count; i++) {
      const g = wanted.get(c.shndx[i] as number);
      if (!g) continue;
      const type = (c.info[i] as number) & 0xf;
      if (type === STT_SECTION || type === STT_FILE) continue;
      const off = valueOffset(c, i, g.baseHi, g.baseLo);
      // Only the closest wanted offset below `off` can have it as its next symbol: any lower
      // one has that wanted symbol itself in between.
      let lo = 0;
      let hi = g.offsets.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((g.offsets[mid] as number) < off) lo = mid + 1;
        else hi = mid;
      }
      if (lo > 0 && off < (g.next[lo - 1] as number)) g.next[lo - 1] = off;
    }
    at.forEach((w, k) => {
      if (!w) return;
      const g = wanted.get(w.sec) as { offsets: number[]; next: number[] };
      const next = g.next[g.offsets.indexOf(w.off)] as number;
      out[k] = Number.isFinite(next) ? next - w.off : undefined;
    });
    return out;
  }
}

/** A symbol binutils' function loop looks at: raw index, offset in its section, FILE symbol before it (0: none). */
interface FunctionCandidate {
  index: number;
  offset: number;
  fileBefore: number;
}

/** Distance from `off` to the first value above it in `sorted` (undefined when none). */
function nextAbove(sorted: Float64Array, off: number): number | undefined {
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

/** Functions first, then symbols defined in a section. */
function functionsFirst(a: ElfSymbol, b: ElfSymbol): number {
  return Number(isFunction(b)) - Number(isFunction(a)) || Number(b.shndx > 0) - Number(a.shndx > 0);
}

/** The first four bytes of the NUL-terminated name at `off` (zeros from the NUL on), as one number. */
function namePrefix(buf: Buffer, off: number): number {
  let key = 0;
  for (let k = 0; k < 4 && off + k < buf.length; k++) {
    const b = buf[off + k] as number;
    if (b === 0) break;
    key |= b << (8 * k);
  }
  return key >>> 0;
}

/** A symbol's value minus a section base (split by splitBase), as a number: no bigint per symbol. */
function valueOffset(c: SymbolColumns, i: number, baseHi: number, baseLo: number): number {
  return ((c.valueHi[i] as number) - baseHi) * 0x1_0000_0000 + ((c.valueLo[i] as number) - baseLo);
}

/** A section base as the two 32-bit halves valueOffset subtracts. */
function splitBase(base: bigint): [number, number] {
  return [Number((base >> 32n) & 0xffffffffn), Number(base & 0xffffffffn)];
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
