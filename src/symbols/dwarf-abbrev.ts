import { KtError } from '../errors.js';
import { ByteReader } from './byte-reader.js';
import { DW_FORM } from './dwarf-constants.js';

export interface Abbrev {
  code: number;
  tag: number;
  hasChildren: boolean;
  /** Attribute names and forms, interleaved: [name0, form0, name1, form1, …]. */
  specs: number[];
  /** DW_FORM_implicit_const values, by attribute position (a shared empty map when none). */
  implicit: ReadonlyMap<number, bigint>;
  /** Byte size of all attributes when every form has a fixed size for this unit, else -1. */
  fixedSize: number;
  /** Position (in attributes) of DW_AT_sibling, or -1. */
  sibling: number;
  /** Byte offset of DW_AT_sibling's value in the DIE when every attribute before it has a fixed size, else -1 (-2: not computed yet). */
  siblingAt: number;
  /** How to skip the attributes (see skipPlan), once computed. */
  plan?: Int32Array;
}

export type AbbrevTable = Map<number, Abbrev>;

const DW_AT_SIBLING = 0x01;
const NO_IMPLICIT: ReadonlyMap<number, bigint> = new Map();

/**
 * Parses the abbreviation table at `offset` of `bytes`: .debug_abbrev, or the part of it that
 * starts at section offset `base`. A part that ends before the table does is an error
 * (`partial`), so that the caller reads more; the section's own end ends a table.
 */
export function parseAbbrevTable(bytes: Buffer, offset: number, what: string, base = 0, partial = false): AbbrevTable {
  const r = new ByteReader(bytes, offset, bytes.length, true, `${what}: .debug_abbrev`, base);
  const table: AbbrevTable = new Map();
  for (;;) {
    if (r.atEnd) {
      if (partial) throw new KtError('KT_E_BAD_DWARF', `${what}: .debug_abbrev table at 0x${(base + offset).toString(16)} runs past the part read`);
      break;
    }
    const code = r.uleb();
    if (code === 0) break;
    const tag = r.uleb();
    const hasChildren = r.u8() !== 0;
    const specs: number[] = [];
    let implicit: Map<number, bigint> | undefined;
    let sibling = -1;
    for (;;) {
      const name = r.uleb();
      const form = r.uleb();
      if (name === 0 && form === 0) break;
      if (form === DW_FORM.implicit_const) (implicit ??= new Map()).set(specs.length / 2, BigInt(r.sleb()));
      if (name === DW_AT_SIBLING) sibling = specs.length / 2;
      specs.push(name, form);
    }
    table.set(code, { code, tag, hasChildren, specs, implicit: implicit ?? NO_IMPLICIT, fixedSize: -2, sibling, siblingAt: -2 });
  }
  return table;
}

/** Size of a form that does not depend on the data, or -1. */
export function fixedFormSize(form: number, addrSize: number, offsetSize: number, version: number): number {
  switch (form) {
    case DW_FORM.addr: return addrSize;
    case DW_FORM.data1: case DW_FORM.ref1: case DW_FORM.flag: case DW_FORM.strx1: case DW_FORM.addrx1: return 1;
    case DW_FORM.data2: case DW_FORM.ref2: case DW_FORM.strx2: case DW_FORM.addrx2: return 2;
    case DW_FORM.strx3: case DW_FORM.addrx3: return 3;
    case DW_FORM.data4: case DW_FORM.ref4: case DW_FORM.strx4: case DW_FORM.addrx4: case DW_FORM.ref_sup4: return 4;
    case DW_FORM.data8: case DW_FORM.ref8: case DW_FORM.ref_sig8: case DW_FORM.ref_sup8: return 8;
    case DW_FORM.data16: return 16;
    case DW_FORM.flag_present: case DW_FORM.implicit_const: return 0;
    case DW_FORM.strp: case DW_FORM.line_strp: case DW_FORM.sec_offset: case DW_FORM.strp_sup:
    case DW_FORM.GNU_ref_alt: case DW_FORM.GNU_strp_alt:
      return offsetSize;
    case DW_FORM.ref_addr: return version <= 2 ? addrSize : offsetSize;
    default: return -1;
  }
}

/** Bytes taken by the first `count` attributes when all their forms have a fixed size, else -1. */
function fixedBytesOf(a: Abbrev, count: number, addrSize: number, offsetSize: number, version: number): number {
  let total = 0;
  for (let i = 0; i < count; i++) {
    const n = fixedFormSize(a.specs[i * 2 + 1] as number, addrSize, offsetSize, version);
    if (n < 0) return -1;
    total += n;
  }
  return total;
}

/** Fills in `fixedSize` for one unit's address/offset sizes (abbrev tables are shared by units of the same shape). */
export function abbrevFixedSize(a: Abbrev, addrSize: number, offsetSize: number, version: number): number {
  if (a.fixedSize === -2) a.fixedSize = fixedBytesOf(a, a.specs.length >> 1, addrSize, offsetSize, version);
  return a.fixedSize;
}

/** Fills in `siblingAt` for one unit's address/offset sizes (see fixedSize). */
export function abbrevSiblingAt(a: Abbrev, addrSize: number, offsetSize: number, version: number): number {
  if (a.siblingAt === -2) a.siblingAt = a.sibling < 0 ? -1 : fixedBytesOf(a, a.sibling, addrSize, offsetSize, version);
  return a.siblingAt;
}

/**
 * How to skip a DIE of this abbreviation without reading it: pairs of (bytes of fixed-size
 * attributes to jump, then one variable-size form to step over, or -1 at the end). Computed
 * once per abbreviation and unit shape.
 */
export function skipPlan(a: Abbrev, addrSize: number, offsetSize: number, version: number): Int32Array {
  if (a.plan) return a.plan;
  const plan: number[] = [];
  let run = 0;
  for (let i = 1; i < a.specs.length; i += 2) {
    const form = a.specs[i] as number;
    const n = fixedFormSize(form, addrSize, offsetSize, version);
    if (n >= 0) run += n;
    else {
      plan.push(run, form);
      run = 0;
    }
  }
  plan.push(run, -1);
  a.plan = Int32Array.from(plan);
  return a.plan;
}
