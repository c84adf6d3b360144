import { KtError } from '../errors.js';
import { ByteReader } from './byte-reader.js';
import { DW_AT, UNMANGLED_LANGUAGES } from './dwarf-constants.js';
import { FunctionTable, referenceOffset, scanFunctions, type DeferredSubtree, type FunctionInfo } from './dwarf-functions.js';
import { decodeLineTable, type LineHit, type LineTable } from './dwarf-line-table.js';
import type { DwarfSections } from './dwarf-sections.js';
import { readAranges, unitsInAranges, type ArangeIndex } from './dwarf-aranges.js';
import { AbbrevCache, indexUnits, readUnitAt, unitContext, type UnitInfo } from './dwarf-unit-index.js';
import { attrInt, attrString, readAttr, skipAttr, type AttrValue, type UnitContext } from './dwarf-unit.js';

/** One unit read in full: its line table and functions. */
export interface ParsedUnit {
  info: UnitInfo;
  ctx: UnitContext;
  lines: LineTable;
  /** The functions read with the unit, then those of each subtree read later (no re-sorting of the rest). */
  functions: FunctionTable[];
  /** The top-level functions whose insides are not read yet. */
  deferred: DeferredSubtree[];
}

export interface DwarfHit {
  line?: LineHit;
  function?: { fn: FunctionInfo; unit: ParsedUnit };
  /** The innermost inlined subroutine, where the chain of callers starts. */
  inlined?: { fn: FunctionInfo; unit: ParsedUnit };
}

/** Units read in full and kept (a unit of the kernel is up to a few MB of DIEs). */
const PARSED_UNITS_KEPT = 48;

/**
 * The DWARF of one file, read lazily: the unit index first (root DIEs only, or from the
 * on-disk cache), then for an address only the unit(s) whose ranges hold it.
 */
export class DwarfInfo {
  readonly abbrevs: AbbrevCache;
  private index?: { units: UnitInfo[]; byAddress: { low: bigint; high: bigint; unit: number }[]; watermark: bigint[]; withoutRanges: number[] };
  private aranges?: ArangeIndex | null;
  /** Units read one at a time (via .debug_aranges), by offset. */
  private readonly single = new Map<number, UnitInfo | null>();
  private readonly parsed = new Map<number, ParsedUnit | null>();
  /** Problems met in units that were skipped (binutils skips them too). */
  readonly warnings: string[] = [];

  constructor(readonly sections: DwarfSections, readonly what: string, units?: UnitInfo[], private readonly binutils240 = false) {
    this.abbrevs = new AbbrevCache(sections, what);
    if (units) this.useIndex(units);
  }

  /** Every unit's root DIE: read on demand (about 2 s for a kernel) or handed in from the cache. */
  get units(): UnitInfo[] {
    return this.fullIndex().units;
  }

  private fullIndex(): NonNullable<DwarfInfo['index']> {
    return this.index ?? this.useIndex(indexUnits(this.sections, this.abbrevs, this.what, this.warnings));
  }

  get hasFullIndex(): boolean {
    return this.index !== undefined;
  }

  private useIndex(units: UnitInfo[]): NonNullable<DwarfInfo['index']> {
    const byAddress: { low: bigint; high: bigint; unit: number }[] = [];
    const withoutRanges: number[] = [];
    units.forEach((u, i) => {
      if (u.ranges.length === 0) withoutRanges.push(i);
      for (const [low, high] of u.ranges) byAddress.push({ low, high, unit: i });
    });
    byAddress.sort((a, b) => (a.low < b.low ? -1 : a.low > b.low ? 1 : a.unit - b.unit));
    const watermark: bigint[] = [];
    let max = 0n;
    for (const e of byAddress) {
      if (e.high > max) max = e.high;
      watermark.push(max);
    }
    this.index = { units, byAddress, watermark, withoutRanges };
    return this.index;
  }

  /** Indexes (into `units`) of the units whose ranges contain `address`, in .debug_info order. */
  unitsAt(address: bigint): number[] {
    const index = this.fullIndex();
    let lo = 0;
    let hi = index.byAddress.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((index.watermark[mid] as bigint) <= address) lo = mid + 1;
      else hi = mid;
    }
    const found = new Set<number>();
    for (let i = lo; i < index.byAddress.length; i++) {
      const e = index.byAddress[i] as { low: bigint; high: bigint; unit: number };
      if (address < e.low) break;
      if (address < e.high) found.add(e.unit);
    }
    return [...found].sort((a, b) => a - b);
  }

  /**
   * The units to try for an address, in .debug_info order. Without the full index, .debug_aranges
   * names the unit and only that unit's root DIE is read; when it names none that holds the
   * address, every unit is indexed (binutils' answer may then come from a unit without ranges).
   */
  private candidates(address: bigint): UnitInfo[] {
    if (!this.index) {
      if (this.aranges === undefined) this.aranges = readAranges(this.sections, this.what) ?? null;
      if (this.aranges) {
        const units: UnitInfo[] = [];
        for (const offset of unitsInAranges(this.aranges, address)) {
          const u = this.singleUnit(offset);
          if (u && u.ranges.some(([l, h]) => address >= l && address < h)) units.push(u);
        }
        if (units.length > 0) return units;
        // Not in .debug_aranges. GCC leaves some code out of it (the kernel's noinstr IRQ entry
        // points), while the units' own ranges have it: from here on use every unit's ranges
        // (about 2 s for a kernel, once; the on-disk cache keeps them).
      }
    }
    const index = this.fullIndex();
    const byRanges = this.unitsAt(address).map((i) => index.units[i] as UnitInfo);
    if (byRanges.length > 0) return byRanges;
    // binutils also finds a unit through its line sequences (it adds them to the unit's ranges
    // while reading it): look through the line tables, in unit order, remembering what each covers.
    return index.units.filter((u) => this.mayHold(u, address, true)).slice(0, 1);
  }

  /** Addresses a unit without ranges turned out to cover (its line sequences and functions), once read. */
  private readonly coverage = new Map<number, [bigint, bigint][]>();

  /** Whether a unit's ranges, or else its line sequences (read once, then remembered), hold the address. */
  private mayHold(u: UnitInfo, address: bigint, linesToo = false): boolean {
    if (u.ranges.some(([l, h]) => address >= l && address < h)) return true;
    if (u.ranges.length > 0 && !linesToo) return false;
    let cover = this.coverage.get(u.header.offset);
    if (!cover) {
      cover = [];
      if (u.stmtList !== undefined) {
        try {
          cover = decodeLineTable(this.sections, u.stmtList, unitContext(this.sections, u, this.what), u.compDir, this.binutils240).spans();
        } catch (e) {
          if (!(e instanceof KtError)) throw e;
        }
      }
      this.coverage.set(u.header.offset, cover);
    }
    return cover.some(([l, h]) => address >= l && address < h);
  }

  private singleUnit(offset: number): UnitInfo | null {
    let u = this.single.get(offset);
    if (u === undefined) {
      try {
        u = readUnitAt(this.sections, this.abbrevs, offset, this.what) ?? null;
      } catch (e) {
        if (!(e instanceof KtError)) throw e;
        this.warnings.push(e.message);
        u = null;
      }
      this.single.set(offset, u);
    }
    return u;
  }

  /** A key that groups addresses by the unit that will answer them (for batches). */
  unitKey(address: bigint): number {
    if (!this.index) {
      if (this.aranges === undefined) this.aranges = readAranges(this.sections, this.what) ?? null;
      if (this.aranges) return unitsInAranges(this.aranges, address)[0] ?? -1;
    }
    return this.unitsAt(address)[0] ?? -1;
  }

  /** What binutils' `_bfd_dwarf2_find_nearest_line` finds for an address. */
  find(address: bigint): DwarfHit {
    const hit: DwarfHit = {};
    for (const info of this.candidates(address)) {
      const unit = this.unit(info, address);
      if (!unit) continue;
      this.readDeferred(unit, address);
      let fn: FunctionInfo | undefined;
      for (const table of unit.functions) fn = table.bestFit(address, fn);
      if (fn && fn.tag === 0x1d) hit.inlined = { fn, unit };
      const line = unit.lines.lookup(address);
      if (line || fn) {
        if (line) hit.line = line;
        if (fn) hit.function = { fn, unit };
        return hit;
      }
    }
    return hit;
  }

  /** Reads the insides of the deferred top-level functions that hold `address`. */
  private readDeferred(unit: ParsedUnit, address: bigint): void {
    const due = unit.deferred.filter((d) => d.fn.ranges.some(([l, h]) => address >= l && address < h));
    if (due.length === 0) return;
    unit.deferred = unit.deferred.filter((d) => !due.includes(d));
    const abbrevs = this.abbrevs.get(unit.info.header.abbrevOffset);
    const found: FunctionInfo[] = [];
    for (const d of due) {
      try {
        const bytes = this.sections.slice('info', d.start, d.end - d.start);
        found.push(...scanFunctions(bytes, d.start, d.start, d.end, abbrevs, unit.ctx, unit.info.baseAddress, { parent: d.fn }));
      } catch (e) {
        if (!(e instanceof KtError)) throw e;
        this.warnings.push(e.message);
      }
    }
    unit.functions.push(new FunctionTable(found));
  }

  /** A unit read on first use (functions other than around `address` left for later); null when it cannot be read. */
  unit(info: UnitInfo, address?: bigint): ParsedUnit | null {
    const key = info.header.offset;
    const hit = this.parsed.get(key);
    if (hit !== undefined) {
      this.parsed.delete(key);
      this.parsed.set(key, hit);
      return hit;
    }
    let unit: ParsedUnit | null = null;
    try {
      unit = this.parseUnit(info, address);
    } catch (e) {
      if (!(e instanceof KtError)) throw e;
      this.warnings.push(e.message);
    }
    this.parsed.set(key, unit);
    if (this.parsed.size > PARSED_UNITS_KEPT) this.parsed.delete(this.parsed.keys().next().value as number);
    return unit;
  }

  private parseUnit(info: UnitInfo, address?: bigint): ParsedUnit | null {
    if (info.stmtList === undefined) return null;
    const what = `${this.what}: unit at .debug_info+0x${info.header.offset.toString(16)}`;
    const ctx = unitContext(this.sections, info, what);
    const lines = decodeLineTable(this.sections, info.stmtList, ctx, info.compDir, this.binutils240);
    const bytes = this.sections.transient('info', info.childrenAt, info.header.end - info.childrenAt);
    const deferred: DeferredSubtree[] = [];
    const options = address !== undefined ? { wanted: [address], deferred } : {};
    const funcs = info.childrenAt < info.header.end ? scanFunctions(bytes, info.childrenAt, info.childrenAt, info.header.end, this.abbrevs.get(info.header.abbrevOffset), ctx, info.baseAddress, options) : [];
    return { info, ctx, lines, functions: [new FunctionTable(funcs)], deferred };
  }

  /**
   * A function's name as binutils resolves it, and whether it is a linkage name: read from its
   * DIE now (few functions of a unit are ever printed), following DW_AT_abstract_origin and
   * DW_AT_specification in attribute order.
   */
  functionName(fn: FunctionInfo, unit: ParsedUnit): { name?: string; linkage: boolean } {
    const state: { name?: string; linkage: boolean } = { linkage: false };
    try {
      this.namesAt(fn.order, unit.info, state, 0, true);
    } catch (e) {
      // A damaged name costs the name only (binutils prints ?? too), not the whole answer.
      if (!(e instanceof KtError)) throw e;
      this.warnings.push(e.message);
    }
    return state;
  }

  /**
   * Names from the DIE at `ref` (binutils' `find_abstract_instance` when not `isFunction`):
   * DW_AT_specification is followed, and for the function itself DW_AT_abstract_origin too.
   */
  private namesAt(ref: number, known: UnitInfo | undefined, state: { name?: string; linkage: boolean }, depth: number, isFunction = false): void {
    if (depth >= 100) throw new KtError('KT_E_BAD_DWARF', `${this.what}: abstract origin chain at 0x${ref.toString(16)} loops`);
    const info = known && ref >= known.header.offset && ref < known.header.end ? known : this.unitOfOffset(ref);
    if (!info) return;
    const ctx = unitContext(this.sections, info, `${this.what}: DIE at .debug_info+0x${ref.toString(16)}`);
    // A DIE is a few dozen bytes: read a little, and the rest of the unit only if that falls short.
    const rest = info.header.end - ref;
    for (let length = Math.min(rest, 256); ; length = rest) {
      try {
        this.readNames(ref, length, info, ctx, state, depth, isFunction);
        return;
      } catch (e) {
        if (!(e instanceof KtError) || length >= rest) throw e;
      }
    }
  }

  private readNames(ref: number, length: number, info: UnitInfo, ctx: UnitContext, state: { name?: string; linkage: boolean }, depth: number, isFunction: boolean): void {
    const bytes = this.sections.slice('info', ref, length);
    const r = new ByteReader(bytes, 0, bytes.length, this.sections.littleEndian, ctx.what, ref);
    const code = r.uleb();
    if (code === 0) return;
    const abbrev = this.abbrevs.get(info.header.abbrevOffset).get(code);
    if (!abbrev) throw new KtError('KT_E_BAD_DWARF', `${ctx.what}: abbreviation ${code} not in its table`);
    const unmangled = UNMANGLED_LANGUAGES.has(info.language);
    // Attributes are read in full before following a reference, so that a DIE cut short by the
    // first, small read is retried before anything is recorded from it.
    const found: [number, number, AttrValue][] = [];
    for (let i = 0; i < abbrev.specs.length; i += 2) {
      const name = abbrev.specs[i] as number;
      const form = abbrev.specs[i + 1] as number;
      if (name === DW_AT.name || name === DW_AT.linkage_name || name === DW_AT.MIPS_linkage_name || name === DW_AT.specification || (isFunction && name === DW_AT.abstract_origin)) {
        found.push([name, form, readAttr(r, form, ctx, abbrev.implicit.get(i / 2))]);
      } else skipAttr(r, form, ctx);
    }
    for (const [name, form, v] of found) {
      if (name === DW_AT.name) {
        const s = attrString(v, ctx);
        if (state.name === undefined && s !== undefined) {
          state.name = s;
          if (unmangled) state.linkage = true;
        }
      } else if (name === DW_AT.linkage_name || name === DW_AT.MIPS_linkage_name) {
        const s = attrString(v, ctx);
        if (s !== undefined) {
          state.name = s;
          state.linkage = true;
        }
      } else {
        const n = attrInt(v, ctx);
        if (n !== undefined) this.namesAt(referenceOffset(form, n, ctx), info, state, depth + 1);
      }
    }
  }

  private unitOfOffset(offset: number): UnitInfo | undefined {
    for (const u of this.single.values()) if (u && offset >= u.header.offset && offset < u.header.end) return u;
    for (const p of this.parsed.values()) if (p && offset >= p.info.header.offset && offset < p.info.header.end) return p.info;
    let lo = 0;
    let hi = this.units.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const u = this.units[mid] as UnitInfo;
      if (offset < u.header.offset) hi = mid - 1;
      else if (offset >= u.header.end) lo = mid + 1;
      else return u;
    }
    return undefined;
  }
}
