import { KtError } from '../errors.js';
import { ByteReader } from './byte-reader.js';
import { DW_RLE } from './dwarf-constants.js';
import { indexedAddress, type UnitContext } from './dwarf-unit.js';

/** Address ranges [low, high) of a unit or function. */
export type Ranges = [bigint, bigint][];

/**
 * Adds a range the way binutils does (`arange_add`): empty ranges are dropped and a range that
 * touches an existing one extends it. Keeping this rule matters: binutils picks the function
 * with the *shortest* range around an address, and merged ranges are longer.
 */
export function addRange(ranges: Ranges, low: bigint, high: bigint): void {
  if (low === high) return;
  for (const r of ranges) {
    if (low === r[1]) {
      r[1] = high;
      return;
    }
    if (high === r[0]) {
      r[0] = low;
      return;
    }
  }
  ranges.push([low, high]);
}

/** Reads the range list of DW_AT_ranges (`value` is a section offset, or an index for DW_FORM_rnglistx). */
export function readRangeList(u: UnitContext, value: bigint, isIndex: boolean, base: bigint, into: Ranges): void {
  if (u.header.version <= 4) readDebugRanges(u, Number(value), base, into);
  else {
    let offset = Number(value);
    if (isIndex) {
      const table = u.sections.get('rnglists');
      const r = new ByteReader(table, u.rnglistsBase + offset * u.header.offsetSize, table.length, u.sections.littleEndian, `${u.what}: .debug_rnglists offsets`);
      offset = u.rnglistsBase + r.uNum(u.header.offsetSize);
    }
    readRngLists(u, offset, base, into);
  }
}

function readDebugRanges(u: UnitContext, offset: number, base: bigint, into: Ranges): void {
  const buf = u.sections.get('ranges');
  const size = u.header.addrSize;
  const all = (1n << BigInt(size * 8)) - 1n;
  const r = new ByteReader(buf, offset, buf.length, u.sections.littleEndian, `${u.what}: .debug_ranges`);
  for (let n = 0; ; n++) {
    if (n > 10_000_000) throw new KtError('KT_E_BAD_DWARF', `${u.what}: range list at 0x${offset.toString(16)} does not end`);
    const low = r.uBig(size);
    const high = r.uBig(size);
    if (low === 0n && high === 0n) return;
    if (low === all) base = high;
    else addRange(into, base + low, base + high);
  }
}

function readRngLists(u: UnitContext, offset: number, base: bigint, into: Ranges): void {
  const buf = u.sections.get('rnglists');
  const size = u.header.addrSize;
  const r = new ByteReader(buf, offset, buf.length, u.sections.littleEndian, `${u.what}: .debug_rnglists`);
  for (;;) {
    const kind = r.u8();
    switch (kind) {
      case DW_RLE.end_of_list:
        return;
      case DW_RLE.base_address:
        base = r.uBig(size);
        break;
      case DW_RLE.base_addressx:
        base = indexedAddress(u, r.uleb());
        break;
      case DW_RLE.start_length: {
        const low = r.uBig(size);
        addRange(into, low, low + r.ulebBig());
        break;
      }
      case DW_RLE.offset_pair: {
        const a = r.ulebBig();
        const b = r.ulebBig();
        addRange(into, base + a, base + b);
        break;
      }
      case DW_RLE.start_end: {
        const low = r.uBig(size);
        addRange(into, low, r.uBig(size));
        break;
      }
      case DW_RLE.startx_endx: {
        const low = indexedAddress(u, r.uleb());
        addRange(into, low, indexedAddress(u, r.uleb()));
        break;
      }
      case DW_RLE.startx_length: {
        const low = indexedAddress(u, r.uleb());
        addRange(into, low, low + r.ulebBig());
        break;
      }
      default:
        throw new KtError('KT_E_BAD_DWARF', `${u.what}: unknown range list entry ${kind} at .debug_rnglists+0x${(r.pos - 1).toString(16)}`);
    }
  }
}
