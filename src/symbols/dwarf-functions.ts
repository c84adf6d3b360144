import { KtError } from '../errors.js';
import { ByteReader } from './byte-reader.js';
import { abbrevFixedSize, abbrevSiblingAt, skipPlan, type AbbrevTable } from './dwarf-abbrev.js';
import { DW_AT, DW_FORM, DW_TAG } from './dwarf-constants.js';
import { addRange, readRangeList, type Ranges } from './dwarf-ranges.js';
import { attrInt, readAttr, skipAttr, type UnitContext } from './dwarf-unit.js';

/** A subprogram or inlined subroutine with code: binutils' `funcinfo`. Its name is read from its DIE when asked for. */
export interface FunctionInfo {
  tag: number;
  /** Section offset of its DIE, hence also its position in DIE order: of two equally long ranges, binutils picks the later DIE. */
  order: number;
  ranges: Ranges;
  /** The function this one was inlined into (nearest enclosing function DIE). */
  caller?: FunctionInfo;
  callFile?: number;
  callLine: number;
}

const DW_AT_SIBLING = 0x01;
const FUNCTION_TAGS = new Set<number>([DW_TAG.subprogram, DW_TAG.inlined_subroutine, DW_TAG.entry_point]);
/**
 * Type DIEs whose children (members, enumerators, parameters, subranges) can never hold code:
 * when they carry DW_AT_sibling we jump over their children. Most of a kernel unit is types.
 */
const CODELESS_PARENT_TAGS = new Set<number>([0x01, 0x02, 0x04, 0x13, 0x15, 0x17]);

/** Reads every function DIE of one unit (children of the root), skipping all other DIEs cheaply. */
/** A top-level function whose children were not read: no address asked for so far is inside it. */
export interface DeferredSubtree {
  fn: FunctionInfo;
  /** Section offsets of its first child and of its next sibling. */
  start: number;
  end: number;
}

export interface ScanOptions {
  /**
   * Addresses being looked up: the children (inlined calls…) of a top-level function that holds
   * none of them are skipped through DW_AT_sibling and listed in `deferred`, to be read if a
   * later address falls in that function. Most of a unit's functions are never needed.
   */
  wanted?: bigint[];
  deferred?: DeferredSubtree[];
  /** Scan the children of this function (a deferred subtree) instead of a whole unit. */
  parent?: FunctionInfo;
}

export function scanFunctions(bytes: Buffer, bytesBase: number, childrenAt: number, end: number, abbrevs: AbbrevTable, u: UnitContext, baseAddress: bigint, options: ScanOptions = {}): FunctionInfo[] {
  const r = new ByteReader(bytes, childrenAt - bytesBase, end - bytesBase, u.sections.littleEndian, u.what, bytesBase);
  const funcs: FunctionInfo[] = [];
  // nested[level] = the function DIE open at that depth, if the DIE there is one.
  const nested: (FunctionInfo | undefined)[] = options.parent ? [options.parent, undefined] : [undefined];
  const floor = options.parent ? 1 : 0;
  let level = floor;
  const h = u.header;
  while (level >= floor && r.pos < r.end) {
    const dieOffset = bytesBase + r.pos;
    const code = r.uleb();
    if (code === 0) {
      level--;
      continue;
    }
    const abbrev = abbrevs.get(code);
    if (!abbrev) throw new KtError('KT_E_BAD_DWARF', `${u.what}: abbreviation ${code} at 0x${(bytesBase + r.pos).toString(16)} is not in the unit's table`);
    if (!FUNCTION_TAGS.has(abbrev.tag)) {
      nested[level] = undefined;
      let consumed = false;
      if (abbrev.hasChildren && abbrev.sibling >= 0 && CODELESS_PARENT_TAGS.has(abbrev.tag)) {
        const dieStart = r.pos;
        const specs = abbrev.specs;
        const siblingForm = specs[abbrev.sibling * 2 + 1] as number;
        // Most type DIEs: the sibling's value sits at a fixed place, and is read without walking the rest.
        const at = abbrevSiblingAt(abbrev, h.addrSize, h.offsetSize, h.version);
        if (at >= 0) {
          r.pos = dieStart + at;
          const v = smallInt(r, siblingForm);
          const next = v > 0 ? referenceOffsetNumber(siblingForm, v, u) : -1;
          if (next - bytesBase > r.pos && next - bytesBase <= r.end && next > dieStart + bytesBase) {
            r.pos = next - bytesBase;
            continue;
          }
          r.pos = dieStart;
        }
        consumed = true;
        let next = -1;
        for (let i = 0; i < specs.length; i += 2) {
          if (i / 2 === abbrev.sibling) {
            const v = attrInt(readAttr(r, specs[i + 1] as number, u, undefined), u);
            if (v !== undefined) next = referenceOffset(specs[i + 1] as number, v, u);
          } else skipAttr(r, specs[i + 1] as number, u);
        }
        if (next - bytesBase > r.pos && next - bytesBase <= r.end && next > dieStart + bytesBase) {
          r.pos = next - bytesBase;
          continue;
        }
      }
      const fixed = consumed ? -2 : abbrevFixedSize(abbrev, h.addrSize, h.offsetSize, h.version);
      if (consumed) {
        // attributes already read above
      } else if (fixed >= 0) {
        r.pos += fixed;
        if (r.pos > r.end) throw new KtError('KT_E_BAD_DWARF', `${u.what}: DIE runs past the end of its unit`);
      } else skipByPlan(r, skipPlan(abbrev, h.addrSize, h.offsetSize, h.version), u);
    } else {
      // Names are not read here: most functions of a unit are never printed (see functionName).
      let low = 0n;
      let high = 0n;
      let highRelative = false;
      let sibling = -1;
      let callFile: number | undefined;
      let callLine = 0;
      let rangesAt: { value: bigint; form: number } | undefined;
      const specs = abbrev.specs;
      for (let i = 0; i < specs.length; i += 2) {
        const name = specs[i] as number;
        const form = specs[i + 1] as number;
        switch (name) {
          case DW_AT.call_file: {
            const v = smallInt(r, form);
            if (v >= 0) callFile = v;
            else {
              const big = attrInt(readAttr(r, form, u, abbrev.implicit.get(i / 2)), u);
              if (big !== undefined) callFile = Number(big);
            }
            break;
          }
          case DW_AT.call_line: {
            const v = smallInt(r, form);
            if (v >= 0) callLine = v >>> 0;
            else {
              const big = attrInt(readAttr(r, form, u, abbrev.implicit.get(i / 2)), u);
              if (big !== undefined) callLine = Number(big & 0xffffffffn);
            }
            break;
          }
          case DW_AT.low_pc: {
            const v = attrInt(readAttr(r, form, u, abbrev.implicit.get(i / 2)), u);
            if (v !== undefined) low = v;
            break;
          }
          case DW_AT.high_pc: {
            const small = form === DW_FORM.addr ? -1 : smallInt(r, form);
            if (small >= 0) {
              high = BigInt(small);
              highRelative = true;
            } else {
              const v = attrInt(readAttr(r, form, u, abbrev.implicit.get(i / 2)), u);
              if (v !== undefined) {
                high = v;
                highRelative = form !== DW_FORM.addr;
              }
            }
            break;
          }
          case DW_AT.ranges: {
            const v = attrInt(readAttr(r, form, u, abbrev.implicit.get(i / 2)), u);
            if (v !== undefined) rangesAt = { value: v, form };
            break;
          }
          case DW_AT_SIBLING: {
            const v = smallInt(r, form);
            if (v >= 0) sibling = referenceOffsetNumber(form, v, u);
            else skipAttr(r, form, u);
            break;
          }
          default:
            skipAttr(r, form, u);
        }
      }
      const ranges: Ranges = [];
      if (rangesAt) readRangeList(u, rangesAt.value, rangesAt.form === DW_FORM.rnglistx, baseAddress, ranges);
      if (highRelative) high = BigInt.asUintN(64, high + low);
      if (high !== 0n) addRange(ranges, low, high);
      const skippable = level === 0 && options.wanted !== undefined && options.deferred !== undefined;
      const canJump = sibling > bytesBase + r.pos && sibling <= bytesBase + r.end;
      if (skippable && ranges.length === 0 && (!abbrev.hasChildren || canJump)) {
        // A declaration or an abstract inline instance: no code of its own, so nothing under it is looked at.
        if (abbrev.hasChildren) r.pos = sibling - bytesBase;
        nested[level] = undefined;
        continue;
      }
      const fn: FunctionInfo = { tag: abbrev.tag, order: dieOffset, ranges, callLine };
      if (callFile !== undefined) fn.callFile = callFile;
      if (abbrev.tag === DW_TAG.inlined_subroutine) {
        for (let i = level - 1; i >= 0; i--) {
          const outer = nested[i];
          if (outer) {
            fn.caller = outer;
            break;
          }
        }
      }
      nested[level] = fn;
      funcs.push(fn);
      if (skippable && canJump && abbrev.hasChildren && options.wanted) {
        const wanted = options.wanted;
        if (!fn.ranges.some(([l, hi]) => wanted.some((a) => a >= l && a < hi))) {
          options.deferred?.push({ fn, start: bytesBase + r.pos, end: sibling });
          r.pos = sibling - bytesBase;
          continue;
        }
      }
    }
    if (abbrev.hasChildren) {
      level++;
      nested[level] = undefined;
    }
  }
  return funcs;
}

/** Skips a DIE's attributes by its plan: LEB128 values and expression blocks stepped over in place, other forms by skipAttr. */
function skipByPlan(r: ByteReader, plan: Int32Array, u: UnitContext): void {
  const buf = r.buf;
  let pos = r.pos;
  for (let k = 0; k < plan.length; k += 2) {
    pos += plan[k] as number;
    const form = plan[k + 1] as number;
    if (form < 0) break;
    if (LEB_FORMS.has(form)) {
      for (;;) {
        if (pos >= r.end) throw new KtError('KT_E_BAD_DWARF', `${u.what}: truncated at offset 0x${(r.base + pos).toString(16)} (a LEB128 value runs past the end of its unit)`);
        if (((buf[pos++] as number) & 0x80) === 0) break;
      }
    } else if (form === DW_FORM.exprloc) {
      r.pos = pos;
      const n = r.uleb();
      pos = r.pos + n;
    } else {
      r.pos = pos;
      skipAttr(r, form, u);
      pos = r.pos;
    }
  }
  if (pos > r.end) throw new KtError('KT_E_BAD_DWARF', `${u.what}: DIE runs past the end of its unit at 0x${(r.base + r.end).toString(16)}`);
  r.pos = pos;
}

/** Forms whose value is one LEB128 number. */
const LEB_FORMS = new Set<number>([DW_FORM.udata, DW_FORM.sdata, DW_FORM.ref_udata, DW_FORM.strx, DW_FORM.addrx, DW_FORM.rnglistx, DW_FORM.loclistx, DW_FORM.GNU_str_index, DW_FORM.GNU_addr_index]);

/**
 * The common small integer forms read straight into a number (no object, no bigint); -1 when
 * the form is another one, with nothing consumed.
 */
function smallInt(r: ByteReader, form: number): number {
  switch (form) {
    case DW_FORM.data1: case DW_FORM.ref1: return r.u8();
    case DW_FORM.data2: case DW_FORM.ref2: return r.u16();
    case DW_FORM.data4: case DW_FORM.ref4: return r.u32();
    case DW_FORM.udata: case DW_FORM.ref_udata: return r.uleb();
    default: return -1;
  }
}

/** referenceOffset of a value read as a number (smallInt). */
function referenceOffsetNumber(form: number, value: number, u: UnitContext): number {
  if (form === DW_FORM.ref_addr) return value;
  if (value === 0 || value >= u.header.end - u.header.offset) throw new KtError('KT_E_BAD_DWARF', `${u.what}: DIE reference 0x${value.toString(16)} outside its unit`);
  return u.header.offset + value;
}

/** Section offset of a DIE reference. */
export function referenceOffset(form: number, value: bigint, u: UnitContext): number {
  if (form === DW_FORM.ref_addr) return Number(value);
  const rel = Number(value);
  if (rel === 0 || rel >= u.header.end - u.header.offset) throw new KtError('KT_E_BAD_DWARF', `${u.what}: DIE reference 0x${rel.toString(16)} outside its unit`);
  return u.header.offset + rel;
}

/**
 * The functions of a unit sorted for look-up by address, with binutils' rule for picking one:
 * the shortest range containing the address, the later DIE on a tie.
 */
export class FunctionTable {
  private readonly entries: { fn: FunctionInfo; low: bigint; high: bigint }[];
  private readonly watermark: bigint[];

  constructor(funcs: FunctionInfo[]) {
    this.entries = [];
    for (const fn of funcs) {
      if (fn.ranges.length === 0) continue;
      let low = (fn.ranges[0] as [bigint, bigint])[0];
      let high = (fn.ranges[0] as [bigint, bigint])[1];
      for (const [l, h] of fn.ranges) {
        if (l < low) low = l;
        if (h > high) high = h;
      }
      this.entries.push({ fn, low, high });
    }
    this.entries.sort((a, b) => (a.low !== b.low ? (a.low < b.low ? -1 : 1) : a.high !== b.high ? (a.high < b.high ? -1 : 1) : a.fn.order - b.fn.order));
    this.watermark = [];
    let max = 0n;
    for (const e of this.entries) {
      if (e.high > max) max = e.high;
      this.watermark.push(max);
    }
  }

  /** The overall range of each function. */
  spans(): [bigint, bigint][] {
    return this.entries.map((e) => [e.low, e.high]);
  }

  /** The best fit for `address` here, or `best` (found in another table of the unit) when that fits better. */
  bestFit(address: bigint, best?: FunctionInfo): FunctionInfo | undefined {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.watermark[mid] as bigint) <= address) lo = mid + 1;
      else hi = mid;
    }
    let bestLen = best ? lengthAround(best, address) : 0n;
    for (let i = lo; i < this.entries.length; i++) {
      const e = this.entries[i] as { fn: FunctionInfo; low: bigint; high: bigint };
      if (address < e.low) break;
      for (const [l, h] of e.fn.ranges) {
        if (address < l || address >= h) continue;
        const len = h - l;
        if (!best || len < bestLen || (len === bestLen && e.fn.order > best.order)) {
          best = e.fn;
          bestLen = len;
        }
      }
    }
    return best;
  }
}

/** The length of the shortest of a function's ranges that holds the address. */
function lengthAround(fn: FunctionInfo, address: bigint): bigint {
  let len = -1n;
  for (const [l, h] of fn.ranges) if (address >= l && address < h && (len < 0n || h - l < len)) len = h - l;
  return len;
}
