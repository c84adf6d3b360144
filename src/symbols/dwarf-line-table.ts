import { KtError } from '../errors.js';
import { ByteReader, stringAt } from './byte-reader.js';
import { DW_FORM, DW_LNCT, DW_LNE, DW_LNS } from './dwarf-constants.js';
import type { DwarfSections } from './dwarf-sections.js';
import { attrInt, attrString, readAttr, type UnitContext } from './dwarf-unit.js';

/**
 * A run of rows between set_address and end_sequence, sorted by address. Rows are typed-array
 * columns, addresses as offsets from `base`: a kernel unit has tens of thousands of rows, and a
 * bigint or an object per row, or even plain arrays the garbage collector copies while the
 * unit is kept, cost more than the decoding itself.
 */
interface Sequence {
  base: bigint;
  lowPc: bigint;
  highPc: bigint;
  offsets: Float64Array;
  files: Uint32Array;
  lines: Uint32Array;
  discriminators: Uint32Array;
  order: number;
}

export interface LineHit {
  file: string;
  line: number;
  discriminator: number;
}

/**
 * The line table of one unit, decoded the way GNU binutils decodes it so that `addr2line`
 * answers are reproduced exactly: every row counts (is_stmt is ignored), of several rows at one
 * address the last wins, sequences that start at the same address put the longer first, and
 * overlapping sequences are trimmed.
 */
export class LineTable {
  private readonly sequences: Sequence[];
  private readonly fileNames = new Map<number, string>();

  constructor(
    private readonly files: { name: EntryPath; dir: number }[],
    private readonly dirs: EntryPath[],
    private readonly compDir: string | undefined,
    private readonly useIndexZero: boolean,
    sequences: Sequence[],
  ) {
    this.sequences = sortAndTrim(sequences);
  }

  /** The file name for a file index, as binutils' `concat_filename` builds it. */
  fileName(index: number): string {
    const hit = this.fileNames.get(index);
    if (hit !== undefined) return hit;
    const name = this.buildFileName(index);
    this.fileNames.set(index, name);
    return name;
  }

  private buildFileName(index: number): string {
    let file = index;
    if (!this.useIndexZero) {
      if (file === 0) return '<unknown>';
      file--;
    }
    const entry = this.files[file];
    if (!entry) return '<unknown>';
    const name = pathText(entry.name);
    if (isAbsolute(name)) return name;
    let dir = entry.dir;
    if (!this.useIndexZero) dir--;
    const dirEntry = dir >= 0 ? this.dirs[dir] : undefined;
    let subdir = dirEntry !== undefined ? pathText(dirEntry) : undefined;
    let dirName: string | undefined;
    if (subdir === undefined || !isAbsolute(subdir)) dirName = this.compDir;
    if (dirName === undefined) {
      dirName = subdir;
      subdir = undefined;
    }
    if (dirName === undefined) return name;
    return subdir !== undefined ? `${dirName}/${subdir}/${name}` : `${dirName}/${name}`;
  }

  /** The address ranges of the sequences. */
  spans(): [bigint, bigint][] {
    return this.sequences.map((s) => [s.lowPc, s.highPc]);
  }

  /** The row covering `address`, or undefined. */
  lookup(address: bigint): LineHit | undefined {
    const seqs = this.sequences;
    let lo = 0;
    let hi = seqs.length;
    let seq: Sequence | undefined;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const s = seqs[mid] as Sequence;
      if (address < s.lowPc) hi = mid;
      else if (address >= s.highPc) lo = mid + 1;
      else {
        seq = s;
        break;
      }
    }
    if (!seq) return undefined;
    const at = Number(address - seq.base);
    const offsets = seq.offsets;
    const last = offsets.length - 1; // the end_sequence row
    lo = 0;
    hi = offsets.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (at < (offsets[mid] as number)) hi = mid;
      else if (mid < last && at >= (offsets[mid + 1] as number)) lo = mid + 1;
      else {
        if (mid >= last) return undefined;
        return { file: this.fileName(seq.files[mid] as number), line: seq.lines[mid] as number, discriminator: seq.discriminators[mid] as number };
      }
    }
    return undefined;
  }
}

/**
 * A directory or file name of a line table header: the text, or where it is in
 * .debug_line_str. A kernel unit's header names ~1,000 headers, of which a look-up prints one
 * or two: the others are never decoded (their offsets are checked when the header is read).
 */
type EntryPath = string | { lineStr: Buffer; offset: number };

function pathText(p: EntryPath): string {
  return typeof p === 'string' ? p : stringAt(p.lineStr, p.offset, '.debug_line_str');
}

function isAbsolute(p: string): boolean {
  return p.startsWith('/');
}

function sortAndTrim(input: Sequence[]): Sequence[] {
  if (input.length === 0) return [];
  const seqs = input.slice().sort((a, b) => {
    if (a.lowPc !== b.lowPc) return a.lowPc < b.lowPc ? -1 : 1;
    if (a.highPc !== b.highPc) return a.highPc > b.highPc ? -1 : 1;
    // binutils numbers sequences last-first before sorting, so of two equal ones the later wins.
    return b.order - a.order;
  });
  const out: Sequence[] = [seqs[0] as Sequence];
  let lastHigh = (seqs[0] as Sequence).highPc;
  for (let i = 1; i < seqs.length; i++) {
    const s = seqs[i] as Sequence;
    if (s.lowPc < lastHigh) {
      if (s.highPc <= lastHigh) continue;
      s.lowPc = lastHigh;
    }
    lastHigh = s.highPc;
    out.push(s);
  }
  return out;
}

/**
 * The rows of the sequence being decoded: typed columns grown by doubling and reused for every
 * sequence of every table (decoding is synchronous), so that a table of 50,000 rows leaves
 * only its final, exact-size copies behind.
 */
class RowBuffer {
  n = 0;
  offsets = new Float64Array(4096);
  files = new Uint32Array(4096);
  lines = new Uint32Array(4096);
  discriminators = new Uint32Array(4096);

  set(i: number, offset: number, file: number, line: number, discriminator: number): void {
    this.offsets[i] = offset;
    this.files[i] = file;
    this.lines[i] = line;
    this.discriminators[i] = discriminator;
  }

  /** Inserts a row at position i (n: appends). */
  insert(i: number, offset: number, file: number, line: number, discriminator: number): void {
    if (this.n === this.offsets.length) this.grow();
    if (i < this.n) {
      this.offsets.copyWithin(i + 1, i, this.n);
      this.files.copyWithin(i + 1, i, this.n);
      this.lines.copyWithin(i + 1, i, this.n);
      this.discriminators.copyWithin(i + 1, i, this.n);
    }
    this.set(i, offset, file, line, discriminator);
    this.n++;
  }

  /** Copies of the rows, which are then cleared. */
  take(): Pick<Sequence, 'offsets' | 'files' | 'lines' | 'discriminators'> {
    const n = this.n;
    this.n = 0;
    return { offsets: this.offsets.slice(0, n), files: this.files.slice(0, n), lines: this.lines.slice(0, n), discriminators: this.discriminators.slice(0, n) };
  }

  private grow(): void {
    const size = this.offsets.length * 2;
    const grown = <T extends Float64Array | Uint32Array>(a: T, b: T): T => {
      b.set(a);
      return b;
    };
    this.offsets = grown(this.offsets, new Float64Array(size));
    this.files = grown(this.files, new Uint32Array(size));
    this.lines = grown(this.lines, new Uint32Array(size));
    this.discriminators = grown(this.discriminators, new Uint32Array(size));
  }
}

const ROWS = new RowBuffer();

/** Decodes the line program at `offset` of .debug_line for a unit. */
/**
 * `initialFileZero`: start each DWARF 5 sequence in file 0 instead of 1. The standard says 1;
 * GNU binutils before 2.42 (bug PR 30783, e.g. Debian 12's 2.40) used 0, so its addr2line names
 * the unit's main file for rows that never set a file. Only for byte-exact comparison with it.
 */
export function decodeLineTable(sections: DwarfSections, offset: number, unit: UnitContext, compDir: string | undefined, initialFileZero = false): LineTable {
  const what = `${unit.what}: .debug_line at 0x${offset.toString(16)}`;
  const head = sections.slice('line', offset, 12);
  const hr = new ByteReader(head, 0, head.length, sections.littleEndian, what, offset);
  let length = hr.u32();
  let offsetSize = 4;
  if (length === 0xffffffff) {
    length = hr.uNum(8);
    offsetSize = 8;
  }
  const total = hr.pos + length;
  if (offset + total > sections.size('line')) throw new KtError('KT_E_BAD_DWARF', `${what}: unit length ${length} runs past the section`);
  const buf = sections.transient('line', offset, total);
  const r = new ByteReader(buf, hr.pos, total, sections.littleEndian, what, offset);
  const version = r.u16();
  if (version < 2 || version > 5) throw new KtError('KT_E_BAD_DWARF', `${what}: line table version ${version}; 2 to 5 are supported`);
  let addrSize = unit.header.addrSize;
  if (version >= 5) {
    addrSize = r.u8();
    r.u8(); // segment selector size
  }
  const headerLength = r.uNum(offsetSize);
  const programStart = r.pos + headerLength;
  const minInstLength = r.u8();
  const maxOps = version >= 4 ? r.u8() || 1 : 1;
  r.u8(); // default_is_stmt: binutils keeps every row, so neither do we care
  const lineBase = (r.u8() << 24) >> 24;
  const lineRange = r.u8();
  const opcodeBase = r.u8();
  if (lineRange === 0) throw new KtError('KT_E_BAD_DWARF', `${what}: line_range is 0`);
  const opLengths: number[] = [];
  for (let i = 1; i < opcodeBase; i++) opLengths.push(r.u8());
  const dirs: EntryPath[] = [];
  const files: { name: EntryPath; dir: number }[] = [];
  const fileUnit: UnitContext = { ...unit, header: { ...unit.header, offsetSize } };
  if (version >= 5) {
    readEntryTable(r, fileUnit, (path) => dirs.push(path ?? ''));
    readEntryTable(r, fileUnit, (path, dir) => files.push({ name: path ?? '', dir }));
  } else {
    for (;;) {
      const d = r.cstr();
      if (d === '') break;
      dirs.push(d);
    }
    for (;;) {
      const name = r.cstr();
      if (name === '') break;
      const dir = r.uleb();
      r.uleb();
      r.uleb();
      files.push({ name, dir });
    }
  }
  r.pos = programStart;
  const sequences: Sequence[] = [];
  const firstFile = initialFileZero && version >= 5 ? 0 : 1;
  // Rows of the sequence being decoded; addresses are offsets from `base`.
  let base: bigint | undefined;
  const rows = ROWS;
  rows.n = 0;
  let address = 0; // offset from base (or the absolute address while base is unset)
  let opIndex = 0;
  let file = firstFile;
  let line = 1;
  let discriminator = 0;
  let seqStart = 0;
  const emit = (end: boolean): void => {
    if (base === undefined) {
      base = BigInt(address);
      address = 0;
    }
    const n = rows.n;
    const lastAt = n > 0 ? (rows.offsets[n - 1] as number) : Number.NaN;
    // binutils: of rows at one address the last wins; end_sequence always goes last.
    if (n > 0 && lastAt === address && !end) rows.set(n - 1, address, file, line, discriminator);
    else if (n === 0 || end || address > lastAt) rows.insert(n, address, file, line, discriminator);
    else {
      // Out of order: binutils inserts it before the first row at or above its address.
      let i = n - 1;
      while (i > 0 && (rows.offsets[i - 1] as number) >= address) i--;
      rows.insert(i, address, file, line, discriminator);
    }
    if (rows.n === 1) seqStart = address;
    discriminator = 0;
  };
  const advance = (operationAdvance: number): void => {
    if (maxOps === 1) address += minInstLength * operationAdvance;
    else {
      const ops = opIndex + operationAdvance;
      address += minInstLength * Math.floor(ops / maxOps);
      opIndex = ops % maxOps;
    }
  };
  while (r.pos < total) {
    const op = buf[r.pos++] as number;
    if (op >= opcodeBase) {
      const adj = op - opcodeBase;
      const operationAdvance = Math.floor(adj / lineRange);
      line = (line + lineBase + (adj % lineRange)) >>> 0;
      // Most rows of a table: a special opcode that appends a row after the last one.
      const n = rows.n;
      if (maxOps === 1 && base !== undefined && n > 0 && n < rows.offsets.length) {
        address += minInstLength * operationAdvance;
        if (address > (rows.offsets[n - 1] as number)) {
          rows.offsets[n] = address;
          rows.files[n] = file;
          rows.lines[n] = line;
          rows.discriminators[n] = discriminator;
          rows.n = n + 1;
          discriminator = 0;
          continue;
        }
      } else advance(operationAdvance);
      emit(false);
    } else if (op === 0) {
      const len = r.uleb();
      const start = r.pos;
      if (len === 0) continue;
      const sub = r.u8();
      switch (sub) {
        case DW_LNE.end_sequence: {
          emit(true);
          const b = base ?? 0n;
          // binutils keys a sequence by the address of its first row as emitted, not the lowest.
          sequences.push({ base: b, lowPc: b + BigInt(seqStart), highPc: b + BigInt(rows.offsets[rows.n - 1] as number), ...rows.take(), order: sequences.length });
          base = undefined;
          address = 0;
          opIndex = 0;
          file = firstFile;
          line = 1;
          discriminator = 0;
          break;
        }
        case DW_LNE.set_address: {
          const to = r.uBig(len - 1 === 4 || len - 1 === 8 || len - 1 === 2 ? len - 1 : addrSize);
          if (base === undefined) base = to;
          address = Number(to - base);
          opIndex = 0;
          break;
        }
        case DW_LNE.define_file: {
          const name = r.cstr();
          const dir = r.uleb();
          r.uleb();
          r.uleb();
          files.push({ name, dir });
          break;
        }
        case DW_LNE.set_discriminator:
          discriminator = r.uleb() >>> 0;
          break;
        default:
          break;
      }
      r.pos = start + len;
    } else {
      switch (op) {
        case DW_LNS.copy:
          emit(false);
          break;
        case DW_LNS.advance_pc:
          advance(r.uleb());
          break;
        case DW_LNS.advance_line:
          line = (line + r.sleb()) >>> 0;
          break;
        case DW_LNS.set_file:
          file = r.uleb();
          break;
        case DW_LNS.const_add_pc:
          advance(Math.floor((255 - opcodeBase) / lineRange));
          break;
        case DW_LNS.fixed_advance_pc:
          address += r.u16();
          opIndex = 0;
          break;
        default:
          for (let i = 0; i < (opLengths[op - 1] ?? 0); i++) r.uleb();
      }
    }
  }
  return new LineTable(files, dirs, compDir, version >= 5, sequences);
}

/** A path in .debug_line_str, checked now and decoded when printed (.debug_line_str is small and read whole). */
function lineStrPath(offset: number, u: UnitContext): EntryPath {
  const lineStr = u.sections.get('lineStr');
  if (offset < 0 || offset >= lineStr.length) throw new KtError('KT_E_BAD_DWARF', `${u.what}: .debug_line_str: string offset 0x${offset.toString(16)} outside the section (size 0x${lineStr.length.toString(16)})`);
  return { lineStr, offset };
}

/** A DWARF 5 directory or file-name table: formats, then entries. */
function readEntryTable(r: ByteReader, u: UnitContext, add: (path: EntryPath | undefined, dir: number) => void): void {
  const formatCount = r.u8();
  const formats: [number, number][] = [];
  for (let i = 0; i < formatCount; i++) formats.push([r.uleb(), r.uleb()]);
  const count = r.uleb();
  if (count > r.end - r.pos) throw new KtError('KT_E_BAD_DWARF', `${r.what}: ${count} entries cannot fit in the header`);
  for (let i = 0; i < count; i++) {
    let path: EntryPath | undefined;
    let dir = 0;
    for (const [type, form] of formats) {
      const v = readAttr(r, form === DW_FORM.implicit_const ? DW_FORM.udata : form, u, undefined);
      if (type === DW_LNCT.path) path = v.kind === 'strp' && v.section === 'lineStr' ? lineStrPath(v.offset, u) : attrString(v, u);
      else if (type === DW_LNCT.directory_index) dir = Number(attrInt(v, u) ?? 0n);
    }
    add(path, dir);
  }
}
