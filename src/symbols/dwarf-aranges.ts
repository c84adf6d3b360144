import { KtError } from '../errors.js';
import { ByteReader } from './byte-reader.js';
import type { DwarfSections } from './dwarf-sections.js';

/**
 * Address ranges → unit offset, from .debug_aranges, sorted by start. Addresses are kept as
 * high and low 32-bit halves (the high half of an end may carry into bit 32) in typed arrays:
 * a kernel has 10,000 ranges, read on every cold run, and a bigint per address made reading
 * and sorting them cost 25 ms.
 */
export interface ArangeIndex {
  lowHi: Float64Array;
  lowLo: Float64Array;
  highHi: Float64Array;
  highLo: Float64Array;
  unit: Float64Array;
  /** Running maximum of the ends: finds every range holding an address in O(log n + hits). */
  markHi: Float64Array;
  markLo: Float64Array;
}

const TWO32 = 0x1_0000_0000;

/** Reads .debug_aranges: a few hundred KB for a kernel, and it names the unit of any address. */
export function readAranges(sections: DwarfSections, what: string): ArangeIndex | undefined {
  if (!sections.has('aranges')) return undefined;
  const buf = sections.get('aranges');
  const le = sections.littleEndian;
  const r = new ByteReader(buf, 0, buf.length, le, `${what}: .debug_aranges`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.length);
  // At most one range per 4 bytes: columns sized for the worst case, filled by a DataView loop.
  const max = Math.floor(buf.length / 4);
  const cols = { lowHi: new Float64Array(max), lowLo: new Float64Array(max), highHi: new Float64Array(max), highLo: new Float64Array(max), unit: new Float64Array(max) };
  let n = 0;
  while (r.pos + 4 <= buf.length) {
    const start = r.pos;
    let length = r.u32();
    let offsetSize = 4;
    if (length === 0xffffffff) {
      length = r.uNum(8);
      offsetSize = 8;
    }
    const end = r.pos + length;
    if (end > buf.length) throw new KtError('KT_E_BAD_DWARF', `${what}: .debug_aranges set at 0x${start.toString(16)} runs past the section`);
    r.u16(); // version
    const unit = r.uNum(offsetSize);
    const addrSize = r.u8();
    r.u8(); // segment selector size
    if (addrSize !== 4 && addrSize !== 8 && addrSize !== 2) throw new KtError('KT_E_BAD_DWARF', `${what}: .debug_aranges set at 0x${start.toString(16)} has address size ${addrSize}`);
    const tupleSize = addrSize * 2;
    n = readTuples(view, start + Math.ceil((r.pos - start) / tupleSize) * tupleSize, end, addrSize, le, unit, cols, n);
    r.pos = end;
  }
  const order = Array.from({ length: n }, (_, i) => i);
  const { lowHi, lowLo, unit } = cols;
  order.sort((a, b) => (lowHi[a] as number) - (lowHi[b] as number) || (lowLo[a] as number) - (lowLo[b] as number) || (unit[a] as number) - (unit[b] as number));
  const index: ArangeIndex = {
    lowHi: new Float64Array(n),
    lowLo: new Float64Array(n),
    highHi: new Float64Array(n),
    highLo: new Float64Array(n),
    unit: new Float64Array(n),
    markHi: new Float64Array(n),
    markLo: new Float64Array(n),
  };
  let maxHi = 0;
  let maxLo = 0;
  for (let i = 0; i < n; i++) {
    const row = order[i] as number;
    index.lowHi[i] = lowHi[row] as number;
    index.lowLo[i] = lowLo[row] as number;
    const hi = cols.highHi[row] as number;
    const lo = cols.highLo[row] as number;
    index.highHi[i] = hi;
    index.highLo[i] = lo;
    index.unit[i] = unit[row] as number;
    if (hi > maxHi || (hi === maxHi && lo > maxLo)) {
      maxHi = hi;
      maxLo = lo;
    }
    index.markHi[i] = maxHi;
    index.markLo[i] = maxLo;
  }
  return index;
}

/** Adds the (address, length) tuples of one set, up to its terminating pair, at row `n`; returns the new row count. */
function readTuples(view: DataView, from: number, end: number, addrSize: number, le: boolean, unit: number, cols: Omit<ArangeIndex, 'markHi' | 'markLo'>, n: number): number {
  const half = addrSize === 8 ? 4 : 0;
  for (let p = from; p + 2 * addrSize <= end; p += 2 * addrSize) {
    let lowHi = 0;
    let lowLo: number;
    let lenHi = 0;
    let lenLo: number;
    if (addrSize === 2) {
      lowLo = view.getUint16(p, le);
      lenLo = view.getUint16(p + 2, le);
    } else {
      lowLo = view.getUint32(le ? p : p + half, le);
      lenLo = view.getUint32(le ? p + addrSize : p + addrSize + half, le);
      if (half) {
        lowHi = view.getUint32(le ? p + 4 : p, le);
        lenHi = view.getUint32(le ? p + 12 : p + 8, le);
      }
    }
    if (lowHi === 0 && lowLo === 0 && lenHi === 0 && lenLo === 0) break;
    if (lenHi === 0 && lenLo === 0) continue;
    const sumLo = lowLo + lenLo;
    cols.lowHi[n] = lowHi;
    cols.lowLo[n] = lowLo;
    cols.highHi[n] = lowHi + lenHi + (sumLo >= TWO32 ? 1 : 0);
    cols.highLo[n] = sumLo % TWO32;
    cols.unit[n] = unit;
    n++;
  }
  return n;
}

/** Offsets of the units whose aranges hold `address`, in .debug_info order. */
export function unitsInAranges(index: ArangeIndex, address: bigint): number[] {
  const hi = Number(address >> 32n);
  const lo = Number(address & 0xffffffffn);
  // The first range whose running maximum end is above the address.
  let a = 0;
  let b = index.lowHi.length;
  while (a < b) {
    const mid = (a + b) >> 1;
    const mHi = index.markHi[mid] as number;
    if (mHi < hi || (mHi === hi && (index.markLo[mid] as number) <= lo)) a = mid + 1;
    else b = mid;
  }
  const found = new Set<number>();
  for (let i = a; i < index.lowHi.length; i++) {
    const lHi = index.lowHi[i] as number;
    if (hi < lHi || (hi === lHi && lo < (index.lowLo[i] as number))) break;
    const hHi = index.highHi[i] as number;
    if (hi < hHi || (hi === hHi && lo < (index.highLo[i] as number))) found.add(index.unit[i] as number);
  }
  return [...found].sort((x, y) => x - y);
}
