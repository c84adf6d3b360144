import { KtError } from '../errors.js';
import { ByteReader } from './byte-reader.js';
import { parseAbbrevTable, type AbbrevTable } from './dwarf-abbrev.js';
import { DW_AT, DW_FORM, DW_TAG } from './dwarf-constants.js';
import { addRange, readRangeList, type Ranges } from './dwarf-ranges.js';
import type { DwarfSections } from './dwarf-sections.js';
import { attrInt, attrString, readAttr, readUnitHeader, type AttrValue, type UnitContext, type UnitHeader } from './dwarf-unit.js';

/** What the root DIE of a unit says: enough to find the unit for an address and to read it. */
export interface UnitInfo {
  header: UnitHeader;
  tag: number;
  name?: string;
  compDir?: string;
  language: number;
  stmtList?: number;
  baseAddress: bigint;
  strOffsetsBase: number;
  addrBase: number;
  rnglistsBase: number;
  ranges: Ranges;
  /** Section offset of the first child DIE. */
  childrenAt: number;
}

/** Abbreviation tables by offset, parsed once. */
export class AbbrevCache {
  private readonly tables = new Map<number, AbbrevTable>();
  constructor(private readonly sections: DwarfSections, private readonly what: string) {}
  /** A table is a few KB of a section of megabytes: read that much, and more only when it runs on. */
  private parse(offset: number): AbbrevTable {
    for (let length = 16384; ; length *= 8) {
      const bytes = this.sections.part('abbrev', offset, length);
      try {
        return parseAbbrevTable(bytes, 0, this.what, offset, bytes.length === length);
      } catch (e) {
        if (!(e instanceof KtError) || bytes.length < length) throw e;
      }
    }
  }

  get(offset: number): AbbrevTable {
    let t = this.tables.get(offset);
    if (!t) {
      t = this.parse(offset);
      this.tables.set(offset, t);
    }
    return t;
  }
}

export function unitContext(sections: DwarfSections, u: Pick<UnitInfo, 'header' | 'strOffsetsBase' | 'addrBase' | 'rnglistsBase'>, what: string): UnitContext {
  return { header: u.header, sections, strOffsetsBase: u.strOffsetsBase, addrBase: u.addrBase, rnglistsBase: u.rnglistsBase, what };
}

/** A unit index as JSON (bigints as hex), for the on-disk cache. */
export function serializeUnits(units: UnitInfo[]): unknown[] {
  return units.map((u) => ({ ...u, baseAddress: u.baseAddress.toString(16), ranges: u.ranges.map(([l, h]) => [l.toString(16), h.toString(16)]) }));
}

/** The inverse of serializeUnits; undefined when the data does not have the expected shape. */
export function deserializeUnits(data: unknown): UnitInfo[] | undefined {
  if (!Array.isArray(data)) return undefined;
  const out: UnitInfo[] = [];
  for (const raw of data as Record<string, unknown>[]) {
    const h = raw['header'] as UnitHeader | undefined;
    if (!h || typeof h.offset !== 'number' || typeof h.end !== 'number' || typeof raw['childrenAt'] !== 'number' || !Array.isArray(raw['ranges'])) return undefined;
    const u = { ...(raw as unknown as UnitInfo) };
    u.baseAddress = BigInt(`0x${String(raw['baseAddress'] ?? '0')}`);
    u.ranges = (raw['ranges'] as [string, string][]).map(([l, h2]) => [BigInt(`0x${l}`), BigInt(`0x${h2}`)]);
    out.push(u);
  }
  return out;
}

/** Reads the unit at a .debug_info offset (header and root DIE). */
export function readUnitAt(sections: DwarfSections, abbrevs: AbbrevCache, offset: number, what: string): UnitInfo | undefined {
  const size = sections.size('info');
  const head = sections.slice('info', offset, 64);
  const header = readUnitHeader(new ByteReader(head, 0, head.length, sections.littleEndian, `${what}: .debug_info`, offset), offset);
  if (header.end > size) throw new KtError('KT_E_BAD_DWARF', `${what}: unit at 0x${offset.toString(16)} runs past the end of .debug_info`);
  return readRootDie(sections, abbrevs, header, what);
}

/**
 * Walks the unit headers of .debug_info and reads only each unit's root DIE (a few hundred
 * bytes per unit): the index every address look-up starts from, and what the on-disk cache keeps.
 */
export function indexUnits(sections: DwarfSections, abbrevs: AbbrevCache, what: string, warnings: string[] = []): UnitInfo[] {
  const size = sections.size('info');
  const units: UnitInfo[] = [];
  let offset = 0;
  while (offset + 11 <= size) {
    const head = sections.slice('info', offset, 64);
    const hr = new ByteReader(head, 0, head.length, sections.littleEndian, `${what}: .debug_info`, offset);
    if (head.readUInt32LE(0) === 0) break; // padding at the end of the section
    let header: UnitHeader;
    try {
      header = readUnitHeader(hr, offset);
      if (header.end > size) throw new KtError('KT_E_BAD_DWARF', `${what}: unit at 0x${offset.toString(16)} runs past the end of .debug_info (0x${header.end.toString(16)} > 0x${size.toString(16)})`);
    } catch (e) {
      // A broken unit header loses the way to every later unit: keep what came before.
      if (!(e instanceof KtError)) throw e;
      warnings.push(`${e.message}; units after it are not read`);
      break;
    }
    try {
      const info = readRootDie(sections, abbrevs, header, what);
      if (info) units.push(info);
    } catch (e) {
      if (!(e instanceof KtError)) throw e;
      warnings.push(e.message);
    }
    offset = header.end;
  }
  return units;
}

export function readRootDie(sections: DwarfSections, abbrevs: AbbrevCache, header: UnitHeader, what: string): UnitInfo | undefined {
  const unitWhat = `${what}: unit at .debug_info+0x${header.offset.toString(16)}`;
  let length = Math.min(header.end - header.firstDie, 4096);
  for (;;) {
    try {
      return parseRootDie(sections, abbrevs, header, sections.slice('info', header.firstDie, length), unitWhat);
    } catch (e) {
      if (!(e instanceof KtError) || length >= header.end - header.firstDie) throw e;
      length = header.end - header.firstDie;
    }
  }
}

function parseRootDie(sections: DwarfSections, abbrevs: AbbrevCache, header: UnitHeader, bytes: Buffer, what: string): UnitInfo | undefined {
  const r = new ByteReader(bytes, 0, bytes.length, sections.littleEndian, what, header.firstDie);
  const code = r.uleb();
  if (code === 0) return undefined;
  const abbrev = abbrevs.get(header.abbrevOffset).get(code);
  if (!abbrev) throw new KtError('KT_E_BAD_DWARF', `${what}: abbreviation ${code} not in its table at .debug_abbrev+0x${header.abbrevOffset.toString(16)}`);
  const ctx: UnitContext = { header, sections, strOffsetsBase: 0, addrBase: 0, rnglistsBase: 0, what };
  const attrs: [number, number, AttrValue][] = [];
  for (let i = 0; i < abbrev.specs.length; i += 2) {
    const name = abbrev.specs[i] as number;
    const form = abbrev.specs[i + 1] as number;
    attrs.push([name, form, readAttr(r, form, ctx, abbrev.implicit.get(i / 2))]);
  }
  for (const [name, , v] of attrs) {
    if (v.kind !== 'int') continue;
    if (name === DW_AT.str_offsets_base) ctx.strOffsetsBase = Number(v.v);
    else if (name === DW_AT.addr_base || name === DW_AT.GNU_addr_base) ctx.addrBase = Number(v.v);
    else if (name === DW_AT.rnglists_base) ctx.rnglistsBase = Number(v.v);
  }
  const info: UnitInfo = {
    header,
    tag: abbrev.tag,
    language: 0,
    baseAddress: 0n,
    strOffsetsBase: ctx.strOffsetsBase,
    addrBase: ctx.addrBase,
    rnglistsBase: ctx.rnglistsBase,
    ranges: [],
    childrenAt: header.firstDie + r.pos,
  };
  let low = 0n;
  let high = 0n;
  let highRelative = false;
  const isCompileUnit = abbrev.tag === DW_TAG.compile_unit;
  for (const [name, form, v] of attrs) {
    switch (name) {
      case DW_AT.stmt_list: {
        const n = attrInt(v, ctx);
        if (n !== undefined) info.stmtList = Number(n);
        break;
      }
      case DW_AT.name:
        info.name = attrString(v, ctx) ?? info.name;
        break;
      case DW_AT.comp_dir: {
        let dir = attrString(v, ctx);
        // binutils drops an Irix-style `host.:` prefix.
        const colon = dir?.indexOf(':') ?? -1;
        if (dir !== undefined && colon > 0 && dir[colon - 1] === '.' && dir[colon + 1] === '/') dir = dir.slice(colon + 1);
        info.compDir = dir;
        break;
      }
      case DW_AT.language:
        info.language = Number(attrInt(v, ctx) ?? 0n);
        break;
      case DW_AT.low_pc: {
        const n = attrInt(v, ctx);
        if (n !== undefined) {
          low = n;
          if (isCompileUnit) info.baseAddress = n;
        }
        break;
      }
      case DW_AT.high_pc: {
        const n = attrInt(v, ctx);
        if (n !== undefined) {
          high = n;
          highRelative = form !== DW_FORM.addr;
        }
        break;
      }
      case DW_AT.ranges: {
        const n = attrInt(v, ctx);
        if (n !== undefined) readRangeList(ctx, n, form === DW_FORM.rnglistx, info.baseAddress, info.ranges);
        break;
      }
      default:
        break;
    }
  }
  if (highRelative) high += low;
  if (high !== 0n) addRange(info.ranges, low, high);
  return info;
}
