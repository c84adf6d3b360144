import { KtError } from '../errors.js';
import { KernelRegion } from './kernel-region.js';
import type { ProgressSink } from './progress.js';
import type { VmcoreInfo } from './vmcoreinfo.js';
import type { KernelMemory } from './x86-64-kernel-memory.js';

/** One printk record as the ring holds it. */
export interface PrintkRecord {
  seq: bigint;
  /** local_clock() at the time of printing, in nanoseconds. */
  tsNsec: bigint;
  /** The text bytes (no prefix, no trailing newline); empty for a data-less record. */
  text: Buffer;
  /** PRINTK_CALLER: bit 31 set = CPU number, clear = task id; absent from log_buf records without CONFIG_PRINTK_CALLER. */
  callerId?: number;
  /** From the bitfield byte after `facility` (not exported by VMCOREINFO; its place is fixed since 5.10). */
  level: number;
  facility: number;
}

export interface PrintkLog {
  records: PrintkRecord[];
  /** Why some records could not be read, when some could not. */
  partial?: string;
}

const DESC_ID_MASK = (1n << 62n) - 1n;
/** The ID bits of a state word's high half (its top two bits are the state). */
const ID_HIGH_MASK = 0x3fffffff;
const STATE_COMMITTED = 1;
const STATE_FINALIZED = 2;
const EMPTY = Buffer.alloc(0);
/**
 * Bounds on what a dump may claim, so that a corrupt one cannot make the reader walk billions of
 * descriptors: 512 MiB of text and 16 Mi descriptors (log_buf_len=512M; real rings are 128 KiB
 * to a few MiB).
 */
const MAX_SIZE_BITS = 29;
const MAX_COUNT_BITS = 24;
const MAX_STRUCT = 4096;

/**
 * Reads the lockless printk ring buffer (Linux 5.10 and later) through VMCOREINFO's offsets:
 * descriptors from tail_id to head_id inclusive, committed or finalized ones only, text from
 * the data ring (a block that wraps starts again at 0, after its ID word), text_len clipped to
 * the block as kexec-tools and makedumpfile do.
 */
export function readPrintkRingbuffer(mem: KernelMemory, info: VmcoreInfo, source: string, progress?: ProgressSink): PrintkLog {
  const structSize = (name: string): number => {
    const n = info.size(name);
    if (n === 0 || n > MAX_STRUCT) throw new KtError('KT_E_BAD_DUMP', `${source}: VMCOREINFO SIZE(${name})=${n} is not a printk structure's size`);
    return n;
  };
  const prbPointer = info.symbol('prb');
  const prb = mem.u64(prbPointer);
  const rb = mem.read(prb, structSize('printk_ringbuffer'));
  const counter = info.offset('atomic_long_t.counter');
  const descRing = info.offset('printk_ringbuffer.desc_ring');
  const dataRing = info.offset('printk_ringbuffer.text_data_ring');
  const field = (at: number, width: 4 | 8, what: string): bigint => {
    if (at < 0 || at + width > rb.length) throw new KtError('KT_E_BAD_DUMP', `${source}: printk_ringbuffer.${what} lies outside the structure`);
    return width === 4 ? BigInt(rb.readUInt32LE(at)) : rb.readBigUInt64LE(at);
  };
  const countBits = Number(field(descRing + info.offset('prb_desc_ring.count_bits'), 4, 'count_bits'));
  const sizeBits = Number(field(dataRing + info.offset('prb_data_ring.size_bits'), 4, 'size_bits'));
  if (countBits > MAX_COUNT_BITS || sizeBits > MAX_SIZE_BITS || sizeBits < 3) {
    throw new KtError('KT_E_BAD_DUMP', `${source}: printk ring of 2^${countBits} descriptors and 2^${sizeBits} text bytes is not a kernel's`);
  }
  const count = 2 ** countBits;
  const dataSize = 2 ** sizeBits;
  const descSize = structSize('prb_desc');
  const infoSize = structSize('printk_info');
  const descs = new KernelRegion(mem, field(descRing + info.offset('prb_desc_ring.descs'), 8, 'descs'), count * descSize);
  const infos = new KernelRegion(mem, field(descRing + info.offset('prb_desc_ring.infos'), 8, 'infos'), count * infoSize);
  const text = new KernelRegion(mem, field(dataRing + info.offset('prb_data_ring.data'), 8, 'data'), dataSize);
  const tailId = field(descRing + info.offset('prb_desc_ring.tail_id') + counter, 8, 'tail_id');
  const headId = field(descRing + info.offset('prb_desc_ring.head_id') + counter, 8, 'head_id');

  const stateVar = info.offset('prb_desc.state_var') + counter;
  const lpos = info.offset('prb_desc.text_blk_lpos');
  const lposBegin = lpos + info.offset('prb_data_blk_lpos.begin');
  const lposNext = lpos + info.offset('prb_data_blk_lpos.next');
  const seqAt = info.offset('printk_info.seq');
  const tsAt = info.offset('printk_info.ts_nsec');
  const lenAt = info.offset('printk_info.text_len');
  const callerAt = info.has('OFFSET(printk_info.caller_id)') ? info.offset('printk_info.caller_id') : -1;
  const inside = (at: number, width: number, size: number, what: string): void => {
    if (at + width > size) throw new KtError('KT_E_BAD_DUMP', `${source}: VMCOREINFO puts ${what} outside its structure (${at} + ${width} > ${size})`);
  };
  inside(stateVar, 8, descSize, 'prb_desc.state_var');
  inside(Math.max(lposBegin, lposNext), 8, descSize, 'prb_desc.text_blk_lpos');
  inside(Math.max(seqAt, tsAt), 8, infoSize, 'printk_info.seq/ts_nsec');
  inside(lenAt, 4, infoSize, 'printk_info.text_len');
  inside(callerAt, 4, infoSize, 'printk_info.caller_id');

  let span = (headId - tailId) & DESC_ID_MASK;
  let partial: string | undefined;
  if (span >= BigInt(count)) {
    partial = `tail_id ${tailId} and head_id ${headId} are ${span} descriptors apart in a ring of ${count}; only the last ${count} were read`;
    span = BigInt(count - 1);
  }
  const records: PrintkRecord[] = [];
  // IDs are 62-bit: kept as two 32-bit halves so the loop needs no BigInt. The ring sizes are
  // powers of two below 2^32, so `% size` is a mask of the low half.
  const first = (headId - span) & DESC_ID_MASK;
  let idLo = Number(first & 0xffffffffn);
  let idHi = Number(first >> 32n);
  const slotMask = count - 1;
  const dataMask = dataSize - 1;
  const total = Number(span) + 1;
  for (let n = 0; n < total; n++) {
    if ((n & 4095) === 0) progress?.('reading the kernel log', n, total);
    const slot = idLo & slotMask;
    const descAt = slot * descSize;
    const desc = descs.bytes(descAt, descSize);
    const svLo = desc.readUInt32LE(stateVar);
    const svHi = desc.readUInt32LE(stateVar + 4);
    const state = svHi >>> 30;
    const current = svLo === idLo && (svHi & ID_HIGH_MASK) === idHi;
    idLo = (idLo + 1) >>> 0;
    if (idLo === 0) idHi = (idHi + 1) & ID_HIGH_MASK;
    if (!current || (state !== STATE_COMMITTED && state !== STATE_FINALIZED)) continue;
    const rec = infos.bytes(slot * infoSize, infoSize);
    let begin = desc.readUInt32LE(lposBegin) & dataMask;
    const next = desc.readUInt32LE(lposNext) & dataMask;
    let body: Buffer = EMPTY;
    if (begin !== next) {
      if (begin > next) begin = 0;
      begin += 8; // the block's ID word
      const len = Math.max(0, Math.min(rec.readUInt16LE(lenAt), next - begin));
      body = text.bytes(begin, len);
    }
    const bits = rec[lenAt + 3] ?? 0;
    records.push({
      seq: rec.readBigUInt64LE(seqAt),
      tsNsec: rec.readBigUInt64LE(tsAt),
      text: body,
      callerId: callerAt >= 0 ? rec.readUInt32LE(callerAt) : 0,
      level: bits >> 5,
      facility: rec[lenAt + 2] ?? 0,
    });
  }
  return partial === undefined ? { records } : { records, partial };
}
