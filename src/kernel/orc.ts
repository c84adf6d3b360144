import type { KernelReader } from './kernel-reader.js';

/** One ORC row, normalised over the 6.1, 6.3 and 6.4+ bit layouts. */
export interface OrcEntry {
  spOffset: number;
  bpOffset: number;
  spReg: number;
  bpReg: number;
  type: 'undefined' | 'end' | 'call' | 'regs' | 'regs-partial';
  /** The next frame's ip is exact (an interrupt or signal frame), not a return address. */
  signal: boolean;
}

/** ORC register numbers (arch/x86/include/asm/orc_types.h, before 7.1). */
export const ORC_REG = { UNDEFINED: 0, PREV_SP: 1, DX: 2, DI: 3, BP: 4, SP: 5, R10: 6, R13: 7, BP_INDIRECT: 8, SP_INDIRECT: 9 } as const;

/** The bit layout of the third word of an entry, by kernel version. */
export type OrcLayout = 'v6.1' | 'v6.3' | 'v6.4';

const ENTRY_BYTES = 6;

/** One ORC table (vmlinux's or a module's): `ip[i]` is `&ip[i] + s32`, sorted by the kernel. */
export interface OrcTable {
  ipTable: bigint;
  entries: bigint;
  count: number;
}

/** Finds the ORC entry for an address in a table read from kernel memory, page by page. */
export function findOrc(mem: KernelReader, table: OrcTable, layout: OrcLayout, ip: bigint): OrcEntry | undefined {
  const ipAt = (i: number): bigint => table.ipTable + BigInt(i * 4) + BigInt(mem.s32(table.ipTable + BigInt(i * 4)));
  let lo = 0;
  let hi = table.count - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (ipAt(mid) <= ip) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (found < 0) return undefined;
  return decodeOrc(mem.read(table.entries + BigInt(found * ENTRY_BYTES), ENTRY_BYTES), layout);
}

export function decodeOrc(b: Buffer, layout: OrcLayout): OrcEntry {
  const bits = b.readUInt16LE(4);
  const spReg = bits & 0xf;
  const bpReg = (bits >> 4) & 0xf;
  const base = { spOffset: b.readInt16LE(0), bpOffset: b.readInt16LE(2), spReg, bpReg };
  if (layout === 'v6.4') {
    const t = (bits >> 8) & 0x7;
    const signal = ((bits >> 11) & 1) === 1;
    const type = (['undefined', 'end', 'call', 'regs', 'regs-partial'] as const)[t] ?? 'undefined';
    return { ...base, type, signal: signal || type === 'regs' || type === 'regs-partial' };
  }
  const t = (bits >> 8) & 0x3;
  const end = ((bits >> (layout === 'v6.3' ? 11 : 10)) & 1) === 1;
  if (spReg === ORC_REG.UNDEFINED) return { ...base, type: end ? 'end' : 'undefined', signal: false };
  const type = (['call', 'regs', 'regs-partial'] as const)[t] ?? 'undefined';
  const signal = layout === 'v6.3' ? ((bits >> 10) & 1) === 1 : false;
  return { ...base, type, signal: signal || type === 'regs' || type === 'regs-partial' };
}
