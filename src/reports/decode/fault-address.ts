import type { FaultAddress, Registers } from '../crash-report.js';
import { hexToBigInt, stripHexPrefix } from './hex.js';
import { KASAN_SHADOW_OFFSETS, POISON_FIELD_SLACK, POISON_VALUES, type PoisonRow } from './poison-values.js';

export interface FaultAddressContext {
  arch?: Registers['arch'];
  /** Below this an address is a NULL pointer plus a field offset (the first page is never mapped). */
  pageSize?: number;
  /** KASAN's `null-ptr-deref in range [start-end]` / `wild-memory-access in range`, when printed. */
  kasanRange?: { start: string; end: string; kind: string };
}

const hex = (v: bigint): string => v.toString(16);

function poisonOf(value: bigint, width: 32 | 64): { row: PoisonRow; offset: bigint } | undefined {
  let best: { row: PoisonRow; offset: bigint } | undefined;
  for (const row of POISON_VALUES) {
    if (row.bits !== width) continue;
    if (row.match === 'exact') {
      // The nearest value below wins: 0x122 is LIST_POISON2, not LIST_POISON1 + 0x22.
      const base = BigInt(`0x${row.value}`);
      const offset = value - base;
      if (offset >= 0n && offset < BigInt(POISON_FIELD_SLACK) && (!best || offset < best.offset)) best = { row, offset };
    } else {
      // Every byte but the lowest is the poison byte: the lowest may carry a field offset.
      const text = value.toString(16).padStart(width / 4, '0');
      if (!best && text.slice(0, -2) === row.value.repeat(width / 8 - 1)) return { row, offset: 0n };
    }
  }
  return best;
}

/** x86-64 and arm64 (48-bit VA): bits 63..47 must all equal bit 47. */
function isCanonical48(v: bigint): boolean {
  const top = v >> 47n;
  return top === 0n || top === (1n << 17n) - 1n;
}

/** A non-canonical address that is KASAN's shadow of a pointer: the pointer range it stands for. */
function kasanShadowTarget(v: bigint, arch: Registers['arch'] | undefined): { start: bigint; end: bigint } | undefined {
  for (const row of KASAN_SHADOW_OFFSETS) {
    if (arch !== undefined && arch !== 'unknown' && row.arch !== arch) continue;
    const off = BigInt(`0x${row.offset}`);
    if (v < off) continue;
    const start = (v - off) << 3n;
    if (start < 1n << 32n) return { start, end: start + 7n };
  }
  return undefined;
}

/**
 * What a faulting data address tells: a NULL pointer plus the offset of the field accessed, a
 * poison value (use after free / list_del), a non-canonical x86-64 address (often KASAN's shadow of
 * a NULL pointer), or a plain user- or kernel-space address.
 */
export function classifyFaultAddress(address: string, ctx: FaultAddressContext = {}): FaultAddress {
  const text = stripHexPrefix(address.trim());
  const v = hexToBigInt(text);
  if (v === undefined) return { address: text, meaning: 'unknown', explanation: `'${address}' is not a hex address` };
  const pageSize = BigInt(ctx.pageSize ?? 4096);
  const width: 32 | 64 = text.length <= 8 && ctx.arch !== 'x86_64' && ctx.arch !== 'arm64' ? 32 : 64;

  if (ctx.kasanRange) {
    const start = hexToBigInt(ctx.kasanRange.start);
    if (start !== undefined && ctx.kasanRange.kind === 'null-ptr-deref' && start < pageSize) {
      return {
        address: text,
        meaning: 'null-pointer',
        nullOffset: Number(start),
        explanation: `KASAN: the access was to [0x${ctx.kasanRange.start}-0x${ctx.kasanRange.end}], a NULL pointer plus offset 0x${hex(start)}; the faulting address is KASAN's shadow of it`,
      };
    }
  }
  const poison = poisonOf(v, width);
  if (poison && (v >= pageSize || poison.offset === 0n)) {
    const plus = poison.offset > 0n ? ` + 0x${hex(poison.offset)}` : '';
    return {
      address: text,
      meaning: 'poison',
      poison: poison.row.name,
      explanation: `${poison.row.name}${plus}: ${poison.row.explanation}`,
    };
  }
  if (v < pageSize) {
    const zsp = v === 16n ? ' (exactly ZERO_SIZE_PTR: the result of a zero-byte kmalloc)' : '';
    return {
      address: text,
      meaning: 'null-pointer',
      nullOffset: Number(v),
      explanation: `NULL pointer dereference: the field at offset 0x${hex(v)} of a NULL struct pointer${zsp}`,
    };
  }
  if (width === 64 && (ctx.arch === undefined || ctx.arch === 'x86_64' || ctx.arch === 'arm64' || ctx.arch === 'unknown' || ctx.arch === 'riscv')) {
    if (!isCanonical48(v) && !(ctx.arch === 'riscv')) {
      const shadow = kasanShadowTarget(v, ctx.arch);
      if (shadow && shadow.start < pageSize) {
        return {
          address: text,
          meaning: 'null-pointer',
          nullOffset: Number(shadow.start),
          explanation: `non-canonical address: KASAN's shadow of [0x${hex(shadow.start)}-0x${hex(shadow.end)}], a NULL pointer plus offset 0x${hex(shadow.start)}`,
        };
      }
      const region = ctx.arch === 'arm64' ? 'between the user and kernel address ranges' : 'non-canonical (bits 63..47 differ)';
      const via = shadow ? `; as a KASAN shadow address it stands for [0x${hex(shadow.start)}-0x${hex(shadow.end)}]` : '';
      return { address: text, meaning: 'non-canonical', explanation: `address ${region}: a corrupted or uninitialised pointer${via}` };
    }
  }
  const topBit = width === 64 ? 1n << 63n : 1n << 31n;
  if (width === 32) {
    if (v >= 0xc0000000n) return { address: text, meaning: 'kernel-space', explanation: 'kernel-space address (above the usual 3G/1G split)' };
    return { address: text, meaning: 'unknown', explanation: 'user or kernel space depending on the 32-bit VM split' };
  }
  if (v & topBit) return { address: text, meaning: 'kernel-space', explanation: 'kernel-space address: a bad kernel pointer (freed, unmapped or out of bounds)' };
  return { address: text, meaning: 'user-space', explanation: 'user-space address touched by the kernel: a bad user pointer or a pointer that was never a kernel address' };
}
