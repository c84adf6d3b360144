import { KtError } from '../errors.js';
import { ByteReader, stringAt } from './byte-reader.js';
import { countAtMost } from '../sorted.js';
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
/** Name look-ups answered by a pass over the table before a name index is built (a pass costs a fraction of an index). */
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

/**
 * The symbols of one section (but SECTION and FILE ones) sorted by offset, then file order: what
 * kallsyms sizes (the next symbol) and binutils' function look-up by address (the symbols
 * around it, `eligible` ones only) need.
 */
interface SectionIndex {
  offsets: Float64Array;
  /** Raw symbol indexes, in the same order. */
  index: Int32Array;
}

/**
 * The fields of every entry that whole-table passes read, one typed array each: decoded once
 * (a few ms for a kernel), after which a pass over its 120,000 entries costs about a
 * millisecond. The passes are small functions of these arrays (below the class), which V8
 * optimises within the first pass: a cold run executes each of them only a few times.
 */
interface SymbolColumns {
  /** Offset of the name in the string table. */
  name: Uint32Array;
  type: Uint8Array;
  /** Section index; SHN_ABS and the other reserved indexes negated. */
  shndx: Int32Array;
  /** Value minus the address of the symbol's section (for a `.ko`, the value): exact, where a kernel address is not as a double. */
  offset: Float64Array;
  /** 1 when binutils could name a function by the symbol (`maybe_function_sym`, less the section test). */
  eligible: Uint8Array;
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
  private readonly sectionIndexes = new Map<number, SectionIndex>();
  private fileBefore?: Int32Array;
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

  private columns(): SymbolColumns {
    this.cols ??= decodeColumns(this.data, this.count, this.elf);
    return this.cols;
  }

  private byNameIndexed(name: string): ElfSymbol[] {
    // Keyed by a hash of the name's bytes in the string table: no string is made per symbol.
    if (!this.nameIndex) {
      const index = new Map<number, number | number[]>();
      const strings = this.strings;
      const c = this.columns();
      for (let i = 1; i < this.count; i++) {
        const type = c.type[i] as number;
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
   * Symbols of each name (functions first), in one pass over the table. An entry's name is
   * compared in place in the string table, and only when its first four bytes pass a filter
   * of the wanted names: no string is made for the other 120,000 symbols of a kernel.
   */
  byNames(names: Iterable<string>): Map<string, ElfSymbol[]> {
    const out = new Map<string, ElfSymbol[]>();
    const wanted = new Map<string, Buffer>();
    for (const name of names) {
      if (out.has(name)) continue;
      if (this.nameIndex) {
        out.set(name, this.byNameIndexed(name));
        continue;
      }
      out.set(name, []);
      wanted.set(name, Buffer.from(`${name}\0`, 'utf8'));
    }
    if (wanted.size === 0) return out;
    const strings = this.strings;
    const c = this.columns();
    const view = new DataView(strings.buffer, strings.byteOffset, strings.length);
    const matches = (i: number, candidates: readonly { name: string; bytes: Buffer }[]): void => {
      const off = c.name[i] as number;
      const type = c.type[i] as number;
      if (type === STT_SECTION || type === STT_FILE) return;
      for (const { name, bytes } of candidates) {
        const end = off + bytes.length;
        if (end <= strings.length && strings.compare(bytes, 0, bytes.length, off, end) === 0) out.get(name)?.push(this.at(i));
      }
    };
    // Names of four bytes or more (with the NUL), by filter slot; and the first four bytes of each.
    const bySlot = new Map<number, { name: string; bytes: Buffer; head: number }[]>();
    const filter = new Uint32Array(1 << (NAME_FILTER_BITS - 5));
    for (const [name, bytes] of wanted) {
      if (bytes.length < 4) {
        // One or two characters (rare in a kernel): their own pass.
        for (let i = nextWithShortName(c.name, strings, bytes, 0); i > 0; i = nextWithShortName(c.name, strings, bytes, i)) matches(i, [{ name, bytes }]);
        continue;
      }
      const head = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
      const slot = nameFilterSlot(head, 0);
      filter[slot >>> 5] = (filter[slot >>> 5] as number) | (1 << (slot & 31));
      const entry = { name, bytes, head: head.getUint32(0, true) };
      const list = bySlot.get(slot);
      if (list) list.push(entry);
      else bySlot.set(slot, [entry]);
    }
    if (bySlot.size > 0) {
      for (let i = nextByNameStart(c.name, view, filter, 0); i > 0; i = nextByNameStart(c.name, view, filter, i)) {
        // Many entries share a wanted name's first four bytes (do_s…, __x6…): compare those before the rest.
        const off = c.name[i] as number;
        const head = view.getUint32(off, true);
        const list = bySlot.get(nameFilterSlot(view, off)) ?? [];
        for (const w of list) if (w.head === head) matches(i, [w]);
      }
    }
    for (const list of out.values()) list.sort(functionsFirst);
    return out;
  }

  /** The section's index: one pass and one native sort (~15 ms for a kernel's .text), built on first use. */
  private sectionIndex(sec: ElfSection): SectionIndex {
    let hit = this.sectionIndexes.get(sec.index);
    if (!hit) {
      hit = buildSectionIndex(this.columns(), sec.index);
      this.sectionIndexes.set(sec.index, hit);
    }
    return hit;
  }

  /**
   * The function symbol binutils would name for `offset` bytes into section `sec`, with the
   * file name of the STT_FILE symbol before it when binutils would use it.
   */
  findFunction(sec: ElfSection, offset: number): { symbol: ElfSymbol; file?: string } | undefined {
    let best: ElfSymbol | undefined;
    let bestOff = 0;
    let bestSize = 0;
    let bestFile: string | undefined;
    // binutils stops trusting FILE symbols for global symbols once a FILE symbol has followed
    // some other symbol (anywhere in the table): ld -r output does not keep them in order.
    const fileAfterSymbolFrom = this.firstFileAfterSymbol();
    for (const i of this.candidates(sec, offset)) {
      const codeOff = this.columns().offset[i] as number;
      const sym = this.at(i);
      const size = sym.size || 1;
      if (betterFit(best, bestOff, bestSize, sym, codeOff, size, offset)) {
        best = sym;
        bestOff = codeOff;
        bestSize = size;
        const fileIndex = this.fileSymbolBefore(i);
        const file = fileIndex ? this.at(fileIndex).name : undefined;
        bestFile = file !== undefined && (sym.bind === STB_LOCAL || i <= fileAfterSymbolFrom) ? file : undefined;
      } else if (codeOff > offset && codeOff > bestOff && codeOff < bestOff + bestSize) {
        bestSize = codeOff - bestOff;
      }
    }
    if (!best) return undefined;
    return bestFile !== undefined ? { symbol: best, file: bestFile } : { symbol: best };
  }

  /**
   * The symbols binutils' loop can pick or be shortened by, as raw indexes in file order: the
   * winner sits at the highest offset at or below `offset` (better_fit always prefers a closer
   * symbol), so only the symbols there and those above it, inside the longest of them, matter.
   */
  private candidates(sec: ElfSection, offset: number): number[] {
    const { offsets, index } = this.sectionIndex(sec);
    const eligible = this.columns().eligible;
    // Entries [0, above) are at or below the offset; the floor is the highest eligible one.
    const above = countAtMost(offsets, offset);
    let top = above - 1;
    while (top >= 0 && !eligible[index[top] as number]) top--;
    if (top < 0) return [];
    const floor = offsets[top] as number;
    const out: number[] = [];
    let maxEnd = floor;
    for (let j = top; j >= 0 && offsets[j] === floor; j--) {
      const i = index[j] as number;
      if (!eligible[i]) continue;
      out.push(i);
      maxEnd = Math.max(maxEnd, floor + (this.at(i).size || 1));
    }
    for (let j = above; j < offsets.length && (offsets[j] as number) < maxEnd; j++) if (eligible[index[j] as number]) out.push(index[j] as number);
    return out.sort((a, b) => a - b);
  }

  /** The raw index of the last FILE symbol before entry i (0: none), from a column filled on first use. */
  private fileSymbolBefore(i: number): number {
    this.fileBefore ??= lastFileSymbols(this.columns());
    return this.fileBefore[i] ?? 0;
  }

  private fileAfter?: number;

  /** Raw index of the first FILE symbol that follows a non-FILE symbol (count when none). */
  private firstFileAfterSymbol(): number {
    if (this.fileAfter === undefined) {
      let seenOther = false;
      const c = this.columns();
      this.fileAfter = this.count;
      for (let i = 1; i < this.count; i++) {
        const isFile = c.type[i] === STT_FILE;
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

  /** kallsymsSize of each symbol, from the index of its section. */
  kallsymsSizes(syms: readonly ElfSymbol[]): (number | undefined)[] {
    return syms.map((sym) => {
      const sec = this.elf.sections[sym.shndx];
      if (!sec || sym.shndx <= 0) return undefined;
      return nextAbove(this.sectionIndex(sec).offsets, Number(sym.value - (this.elf.isRelocatable ? 0n : sec.addr)));
    });
  }
}

/** Distance from `off` to the first value above it in `sorted` (undefined when none). */
function nextAbove(sorted: Float64Array, off: number): number | undefined {
  const next = sorted[countAtMost(sorted, off)];
  return next === undefined ? undefined : next - off;
}

/** Functions first, then symbols defined in a section. */
function functionsFirst(a: ElfSymbol, b: ElfSymbol): number {
  return Number(isFunction(b)) - Number(isFunction(a)) || Number(b.shndx > 0) - Number(a.shndx > 0);
}

/** Decodes the columns of the raw table (one DataView: Buffer's read methods are several times slower in such a loop). */
function decodeColumns(data: Buffer, count: number, elf: ElfFile): SymbolColumns {
  const c: SymbolColumns = {
    name: new Uint32Array(count),
    type: new Uint8Array(count),
    shndx: new Int32Array(count),
    offset: new Float64Array(count),
    eligible: new Uint8Array(count),
  };
  // Section addresses as 32-bit halves, so that no bigint is made per symbol.
  const baseHi = new Float64Array(elf.sections.length);
  const baseLo = new Float64Array(elf.sections.length);
  if (!elf.isRelocatable) {
    elf.sections.forEach((s, k) => {
      baseHi[k] = Number(s.addr >> 32n);
      baseLo[k] = Number(s.addr & 0xffffffffn);
    });
  }
  const view = new DataView(data.buffer, data.byteOffset, data.length);
  const le = elf.littleEndian;
  const is64 = elf.is64;
  const entsize = is64 ? 24 : 16;
  for (let i = 0, at = 0; i < count; i++, at += entsize) {
    c.name[i] = view.getUint32(at, le);
    const info = view.getUint8(at + (is64 ? 4 : 12));
    const other = view.getUint8(at + (is64 ? 5 : 13));
    const rawShndx = view.getUint16(at + (is64 ? 6 : 14), le);
    const shndx = rawShndx >= SHN_LORESERVE ? -rawShndx : rawShndx;
    const hi = is64 ? view.getUint32(le ? at + 12 : at + 8, le) : 0;
    const lo = view.getUint32(is64 ? (le ? at + 8 : at + 12) : at + 4, le);
    const sizeZero = is64 ? view.getUint32(at + 16) === 0 && view.getUint32(at + 20) === 0 : view.getUint32(at + 8) === 0;
    const type = info & 0xf;
    c.type[i] = type;
    c.shndx[i] = shndx;
    c.offset[i] = shndx > 0 && shndx < baseHi.length ? (hi - (baseHi[shndx] as number)) * 0x1_0000_0000 + (lo - (baseLo[shndx] as number)) : hi * 0x1_0000_0000 + lo;
    c.eligible[i] =
      type === STT_OBJECT || type === STT_TLS || type === STT_SECTION || type === STT_FILE || (sizeZero && info >> 4 === STB_LOCAL && type === STT_NOTYPE && (other & 3) === STV_HIDDEN) ? 0 : 1;
  }
  return c;
}

/*
 * The loops below are written for V8 as it runs them once, cold: every array is read on every
 * iteration and a match only returns (resumable, from `from`). A load or a push reached only
 * on a rare match has no type feedback when the loop gets optimised mid-way, and deoptimises
 * it back to the interpreter when first reached (measured: 10 ms instead of 1 per pass).
 */

/** Bits of the name filter below: 2^20, so that 50 names leave few false hits among 120,000. */
const NAME_FILTER_BITS = 20;

/** The filter slot of the four bytes at `off` (a name of three or more bytes, or its first three and the NUL). */
function nameFilterSlot(view: DataView, off: number): number {
  return Math.imul(view.getUint32(off, true), 0x9e3779b1) >>> (32 - NAME_FILTER_BITS);
}

/**
 * The next entry after `from` whose name's first four bytes fall in a slot marked in `filter`
 * (a bitset of nameFilterSlot), or 0. Names shorter than four bytes with their NUL are not
 * looked for this way (the bytes after the NUL are another name's).
 */
function nextByNameStart(name: Uint32Array, strings: DataView, filter: Uint32Array, from: number): number {
  const last = strings.byteLength - 4;
  if (last < 0) return 0;
  for (let i = from + 1; i < name.length; i++) {
    const n = name[i] as number;
    const slot = nameFilterSlot(strings, n < last ? n : last);
    if ((((filter[slot >>> 5] as number) >>> (slot & 31)) & 1) === 1 && n <= last) return i;
  }
  return 0;
}

/** The next entry after `from` named `name` (its bytes with the NUL: two or three bytes), or 0. */
function nextWithShortName(names: Uint32Array, strings: Buffer, name: Buffer, from: number): number {
  const b0 = name[0] as number;
  const b1 = name[1] as number;
  const b2 = name.length > 2 ? (name[2] as number) : 0;
  const last = strings.length - name.length;
  for (let i = from + 1; i < names.length; i++) {
    const n = names[i] as number;
    const at = n < last ? n : last;
    const match = strings[at] === b0 && strings[at + 1] === b1 && (name.length < 3 || strings[at + 2] === b2);
    if (match && n <= last) return i;
  }
  return 0;
}

/**
 * The symbols of section `sec` but SECTION and FILE ones, sorted by offset then raw index: each
 * packed as offset * 2^bits + index into one double, so that one native sort of a Float64Array
 * does it (a comparator sort of 100,000 entries is several times slower, cold). Offsets that
 * cannot be packed exactly (negative, fractional or huge: a damaged table) fall back to a
 * comparator.
 */
function buildSectionIndex(c: SymbolColumns, sec: number): SectionIndex {
  const n = c.shndx.length;
  const bits = Math.max(1, Math.ceil(Math.log2(n + 1)));
  const scale = 2 ** bits;
  const limit = 2 ** (53 - bits);
  const keys = new Float64Array(n);
  let k = 0;
  let packable = true;
  const { shndx, type, offset } = c;
  for (let i = 1; i < n; i++) {
    const s = shndx[i];
    const t = type[i];
    const off = offset[i] as number;
    if (s === sec && t !== STT_SECTION && t !== STT_FILE) {
      if (!(off >= 0 && off < limit && Math.floor(off) === off)) packable = false;
      keys[k++] = off * scale + i;
    }
  }
  const out: SectionIndex = { offsets: new Float64Array(k), index: new Int32Array(k) };
  if (packable) {
    const sorted = keys.subarray(0, k).sort();
    for (let j = 0; j < k; j++) {
      const key = sorted[j] as number;
      const off = Math.floor(key / scale);
      out.offsets[j] = off;
      out.index[j] = key - off * scale;
    }
    return out;
  }
  const raw: number[] = [];
  for (let i = 1; i < n; i++) if (shndx[i] === sec && type[i] !== STT_SECTION && type[i] !== STT_FILE) raw.push(i);
  raw.sort((a, b) => (offset[a] as number) - (offset[b] as number) || a - b);
  raw.forEach((i, j) => {
    out.offsets[j] = offset[i] as number;
    out.index[j] = i;
  });
  return out;
}

/** For each entry: the raw index of the last FILE symbol before it, or 0. */
function lastFileSymbols(c: SymbolColumns): Int32Array {
  const out = new Int32Array(c.type.length);
  let last = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = last;
    if (c.type[i] === STT_FILE) last = i;
  }
  return out;
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
