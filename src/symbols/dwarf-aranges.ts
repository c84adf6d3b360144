import { KtError } from '../errors.js';
import { ByteReader } from './byte-reader.js';
import type { DwarfSections } from './dwarf-sections.js';

/** Address ranges → unit offset, from .debug_aranges, sorted by start. */
export interface ArangeIndex {
  low: bigint[];
  high: bigint[];
  unit: number[];
  /** Running maximum of `high`: finds every range holding an address in O(log n + hits). */
  watermark: bigint[];
}

/** Reads .debug_aranges: a few hundred KB for a kernel, and it names the unit of any address. */
export function readAranges(sections: DwarfSections, what: string): ArangeIndex | undefined {
  if (!sections.has('aranges')) return undefined;
  const buf = sections.get('aranges');
  const r = new ByteReader(buf, 0, buf.length, sections.littleEndian, `${what}: .debug_aranges`);
  const rows: { low: bigint; high: bigint; unit: number }[] = [];
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
    r.pos = start + Math.ceil((r.pos - start) / tupleSize) * tupleSize;
    while (r.pos + tupleSize <= end) {
      const low = r.uBig(addrSize);
      const len = r.uBig(addrSize);
      if (low === 0n && len === 0n) break;
      if (len !== 0n) rows.push({ low, high: low + len, unit });
    }
    r.pos = end;
  }
  rows.sort((a, b) => (a.low < b.low ? -1 : a.low > b.low ? 1 : a.unit - b.unit));
  const index: ArangeIndex = { low: [], high: [], unit: [], watermark: [] };
  let max = 0n;
  for (const row of rows) {
    index.low.push(row.low);
    index.high.push(row.high);
    index.unit.push(row.unit);
    if (row.high > max) max = row.high;
    index.watermark.push(max);
  }
  return index;
}

/** Offsets of the units whose aranges hold `address`, in .debug_info order. */
export function unitsInAranges(index: ArangeIndex, address: bigint): number[] {
  let lo = 0;
  let hi = index.low.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((index.watermark[mid] as bigint) <= address) lo = mid + 1;
    else hi = mid;
  }
  const found = new Set<number>();
  for (let i = lo; i < index.low.length; i++) {
    if (address < (index.low[i] as bigint)) break;
    if (address < (index.high[i] as bigint)) found.add(index.unit[i] as number);
  }
  return [...found].sort((a, b) => a - b);
}
