import { KtError } from '../errors.js';
import { ByteReader, stringAt } from './byte-reader.js';
import { DW_FORM } from './dwarf-constants.js';
import type { DwarfSections } from './dwarf-sections.js';

/** The header of one unit of .debug_info. Offsets are section offsets. */
export interface UnitHeader {
  offset: number;
  end: number;
  version: number;
  unitType: number;
  addrSize: number;
  offsetSize: number;
  abbrevOffset: number;
  firstDie: number;
}

/** What attribute readers need to know about the unit they read. */
export interface UnitContext {
  header: UnitHeader;
  sections: DwarfSections;
  strOffsetsBase: number;
  addrBase: number;
  rnglistsBase: number;
  what: string;
}

/** One attribute value: a number, a string, an index still to resolve, or something skipped. */
export type AttrValue =
  | { kind: 'int'; v: bigint }
  | { kind: 'str'; v: string }
  /** An offset into .debug_str or .debug_line_str: the string is read only if asked for. */
  | { kind: 'strp'; section: 'str' | 'lineStr'; offset: number }
  | { kind: 'strx'; index: number }
  | { kind: 'addrx'; index: number }
  | { kind: 'other' };

const OTHER: AttrValue = { kind: 'other' };

/** Reads the unit header at `at` in `r` (a reader over .debug_info or a part of it starting at `base`). */
export function readUnitHeader(r: ByteReader, base: number): UnitHeader {
  const offset = base + r.pos;
  let length = r.u32();
  let offsetSize = 4;
  if (length === 0xffffffff) {
    offsetSize = 8;
    length = r.uNum(8);
  } else if (length >= 0xfffffff0) {
    throw new KtError('KT_E_BAD_DWARF', `${r.what}: reserved unit length 0x${length.toString(16)} at 0x${offset.toString(16)}`);
  }
  const end = base + r.pos + length;
  const version = r.u16();
  if (version < 2 || version > 5) throw new KtError('KT_E_BAD_DWARF', `${r.what}: unit at 0x${offset.toString(16)} has DWARF version ${version}; versions 2 to 5 are supported`);
  let unitType = 1;
  let addrSize: number;
  let abbrevOffset: number;
  if (version >= 5) {
    unitType = r.u8();
    addrSize = r.u8();
    abbrevOffset = r.uNum(offsetSize);
    if (unitType === 2 || unitType === 6) r.skip(8 + offsetSize); // type units: signature, type offset
    else if (unitType === 4 || unitType === 5) r.skip(8); // skeleton/split: dwo id
  } else {
    abbrevOffset = r.uNum(offsetSize);
    addrSize = r.u8();
  }
  if (addrSize !== 2 && addrSize !== 4 && addrSize !== 8) throw new KtError('KT_E_BAD_DWARF', `${r.what}: unit at 0x${offset.toString(16)} has address size ${addrSize}`);
  const firstDie = base + r.pos;
  if (firstDie > end) throw new KtError('KT_E_BAD_DWARF', `${r.what}: unit at 0x${offset.toString(16)} has length ${length}, shorter than its own header`);
  return { offset, end, version, unitType, addrSize, offsetSize, abbrevOffset, firstDie };
}

/** Reads one attribute of `form`, leaving indexed strings and addresses for `resolve*` below. */
export function readAttr(r: ByteReader, form: number, u: UnitContext, implicit: bigint | undefined): AttrValue {
  const h = u.header;
  switch (form) {
    case DW_FORM.addr: return { kind: 'int', v: r.uBig(h.addrSize) };
    case DW_FORM.data1: case DW_FORM.ref1: case DW_FORM.flag: return { kind: 'int', v: BigInt(r.u8()) };
    case DW_FORM.data2: case DW_FORM.ref2: return { kind: 'int', v: BigInt(r.u16()) };
    case DW_FORM.data4: case DW_FORM.ref4: case DW_FORM.ref_sup4: return { kind: 'int', v: BigInt(r.u32()) };
    case DW_FORM.data8: case DW_FORM.ref8: case DW_FORM.ref_sig8: case DW_FORM.ref_sup8: return { kind: 'int', v: r.u64() };
    case DW_FORM.sdata: return { kind: 'int', v: BigInt.asUintN(64, BigInt(r.sleb())) };
    case DW_FORM.udata: case DW_FORM.ref_udata: case DW_FORM.rnglistx: case DW_FORM.loclistx: return { kind: 'int', v: r.ulebBig() };
    case DW_FORM.ref_addr: return { kind: 'int', v: r.uBig(h.version <= 2 ? h.addrSize : h.offsetSize) };
    case DW_FORM.sec_offset: case DW_FORM.GNU_ref_alt: return { kind: 'int', v: r.uBig(h.offsetSize) };
    case DW_FORM.flag_present: return { kind: 'int', v: 1n };
    case DW_FORM.implicit_const: return { kind: 'int', v: implicit ?? 0n };
    case DW_FORM.string: return { kind: 'str', v: r.cstr() };
    case DW_FORM.strp: return { kind: 'strp', section: 'str', offset: r.uNum(h.offsetSize) };
    case DW_FORM.line_strp: return { kind: 'strp', section: 'lineStr', offset: r.uNum(h.offsetSize) };
    case DW_FORM.strp_sup: case DW_FORM.GNU_strp_alt: r.skip(h.offsetSize); return OTHER;
    case DW_FORM.strx: case DW_FORM.GNU_str_index: return { kind: 'strx', index: r.uleb() };
    case DW_FORM.strx1: return { kind: 'strx', index: r.u8() };
    case DW_FORM.strx2: return { kind: 'strx', index: r.u16() };
    case DW_FORM.strx3: return { kind: 'strx', index: r.u16() + r.u8() * 0x10000 };
    case DW_FORM.strx4: return { kind: 'strx', index: r.u32() };
    case DW_FORM.addrx: case DW_FORM.GNU_addr_index: return { kind: 'addrx', index: r.uleb() };
    case DW_FORM.addrx1: return { kind: 'addrx', index: r.u8() };
    case DW_FORM.addrx2: return { kind: 'addrx', index: r.u16() };
    case DW_FORM.addrx3: return { kind: 'addrx', index: r.u16() + r.u8() * 0x10000 };
    case DW_FORM.addrx4: return { kind: 'addrx', index: r.u32() };
    case DW_FORM.data16: r.skip(16); return OTHER;
    case DW_FORM.block1: r.skip(r.u8()); return OTHER;
    case DW_FORM.block2: r.skip(r.u16()); return OTHER;
    case DW_FORM.block4: r.skip(r.u32()); return OTHER;
    case DW_FORM.block: case DW_FORM.exprloc: r.skip(r.uleb()); return OTHER;
    case DW_FORM.indirect: return readAttr(r, r.uleb(), u, implicit);
    default:
      throw new KtError('KT_E_BAD_DWARF', `${u.what}: unknown attribute form 0x${form.toString(16)} at 0x${(r.base + r.pos).toString(16)}`);
  }
}

/** Skips one attribute without building its value. */
export function skipAttr(r: ByteReader, form: number, u: UnitContext): void {
  const h = u.header;
  switch (form) {
    case DW_FORM.addr: r.pos += h.addrSize; break;
    case DW_FORM.data1: case DW_FORM.ref1: case DW_FORM.flag: case DW_FORM.strx1: case DW_FORM.addrx1: r.pos += 1; break;
    case DW_FORM.data2: case DW_FORM.ref2: case DW_FORM.strx2: case DW_FORM.addrx2: r.pos += 2; break;
    case DW_FORM.strx3: case DW_FORM.addrx3: r.pos += 3; break;
    case DW_FORM.data4: case DW_FORM.ref4: case DW_FORM.strx4: case DW_FORM.addrx4: case DW_FORM.ref_sup4: r.pos += 4; break;
    case DW_FORM.data8: case DW_FORM.ref8: case DW_FORM.ref_sig8: case DW_FORM.ref_sup8: r.pos += 8; break;
    case DW_FORM.data16: r.pos += 16; break;
    case DW_FORM.strp: case DW_FORM.line_strp: case DW_FORM.sec_offset: case DW_FORM.strp_sup:
    case DW_FORM.GNU_ref_alt: case DW_FORM.GNU_strp_alt:
      r.pos += h.offsetSize;
      break;
    case DW_FORM.ref_addr: r.pos += h.version <= 2 ? h.addrSize : h.offsetSize; break;
    case DW_FORM.flag_present: case DW_FORM.implicit_const: break;
    case DW_FORM.sdata: case DW_FORM.udata: case DW_FORM.ref_udata: case DW_FORM.rnglistx: case DW_FORM.loclistx:
    case DW_FORM.strx: case DW_FORM.addrx: case DW_FORM.GNU_str_index: case DW_FORM.GNU_addr_index:
      while (r.u8() & 0x80) { /* leb128 */ }
      break;
    case DW_FORM.string: {
      const nul = r.buf.indexOf(0, r.pos);
      if (nul < 0 || nul >= r.end) throw new KtError('KT_E_BAD_DWARF', `${u.what}: unterminated string at 0x${(r.base + r.pos).toString(16)}`);
      r.pos = nul + 1;
      break;
    }
    case DW_FORM.block1: r.skip(r.u8()); break;
    case DW_FORM.block2: r.skip(r.u16()); break;
    case DW_FORM.block4: r.skip(r.u32()); break;
    case DW_FORM.block: case DW_FORM.exprloc: r.skip(r.uleb()); break;
    case DW_FORM.indirect: skipAttr(r, r.uleb(), u); break;
    default:
      throw new KtError('KT_E_BAD_DWARF', `${u.what}: unknown attribute form 0x${form.toString(16)} at 0x${(r.base + r.pos).toString(16)}`);
  }
  if (r.pos > r.end) throw new KtError('KT_E_BAD_DWARF', `${u.what}: attribute runs past the end of its unit at 0x${(r.base + r.end).toString(16)}`);
}

/** The value as a string (after resolving DW_FORM_strx*), or undefined when it is not one. */
export function attrString(v: AttrValue, u: UnitContext): string | undefined {
  if (v.kind === 'str') return v.v;
  if (v.kind === 'strp') return u.sections.stringAt(v.section, v.offset, `${u.what}: ${v.section === 'str' ? '.debug_str' : '.debug_line_str'}`);
  if (v.kind === 'strx') {
    const table = u.sections.get('strOffsets');
    const at = u.strOffsetsBase + v.index * u.header.offsetSize;
    if (at + u.header.offsetSize > table.length) throw new KtError('KT_E_BAD_DWARF', `${u.what}: string index ${v.index} outside .debug_str_offsets`);
    const r = new ByteReader(table, at, table.length, u.sections.littleEndian, `${u.what}: .debug_str_offsets`);
    return u.sections.stringAt('str', r.uNum(u.header.offsetSize), `${u.what}: .debug_str`);
  }
  return undefined;
}

/** The value as an integer (after resolving DW_FORM_addrx*), or undefined when it is not one. */
export function attrInt(v: AttrValue, u: UnitContext): bigint | undefined {
  if (v.kind === 'int') return v.v;
  if (v.kind === 'addrx') return indexedAddress(u, v.index);
  return undefined;
}

export function indexedAddress(u: UnitContext, index: number): bigint {
  const table = u.sections.get('addr');
  const at = u.addrBase + index * u.header.addrSize;
  if (at + u.header.addrSize > table.length) throw new KtError('KT_E_BAD_DWARF', `${u.what}: address index ${index} outside .debug_addr`);
  return new ByteReader(table, at, table.length, u.sections.littleEndian, `${u.what}: .debug_addr`).uBig(u.header.addrSize);
}
