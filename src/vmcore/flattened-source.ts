import { KtError } from '../errors.js';
import { readExact, type ByteSource } from './byte-source.js';
import type { FlattenedIndex, FlattenedRecord } from './flattened-index-cache.js';
import type { ProgressSink } from './progress.js';

const SIGNATURE = 'makedumpfile';
const HEADER_BYTES = 4096;
const RECORD_HEADER = 16;
/** A record that large is no part of a dump a machine wrote. */
const MAX_RECORD = 1 << 30;
/** The index costs ~100 bytes a record: beyond this many, reassembling first is cheaper. */
const MAX_RECORDS = 1 << 20;

/** A record in the index: file order decides which of two overlapping records wins (the later). */
interface Rec extends FlattenedRecord {
  order: number;
}

/** Where a record index may be kept between runs (FlattenedIndexCache, bound to one file). */
export interface IndexStore {
  load(): FlattenedIndex | undefined;
  save(index: FlattenedIndex): void;
}

/**
 * A big-endian signed 64-bit field as a number: exact up to 2^53, which is all a sane record
 * holds; larger values stay large and negative ones negative, so the range checks reject them.
 * (BigInt reads cost a few ms over the thousands of records of a dump.)
 */
function s64BigEndian(buf: Buffer, at: number): number {
  return buf.readInt32BE(at) * 0x100000000 + buf.readUInt32BE(at + 4);
}

/**
 * makedumpfile's flattened format (`-F`, and QEMU's `kdump-*` dump-guest-memory output) seen
 * as the file `makedumpfile -R` would rebuild, without rebuilding it: the records
 * (`{be64 offset, be64 size}` + data) are indexed once, reads are served from them, and bytes
 * no record wrote read as zeros.
 */
export class FlattenedSource implements ByteSource {
  readonly size: number;
  readonly name: string;
  readonly records: number;
  /** Set when the record stream stops before its end marker (a cut-short file). */
  readonly truncated: string | undefined;
  private readonly byTarget: Rec[];
  /** byTarget[i..] … prefix maximum of target+size, to find every record that overlaps a read. */
  private readonly maxEnd: number[];

  constructor(private readonly file: ByteSource, progress?: ProgressSink, store?: IndexStore) {
    this.name = file.name;
    const head = readExact(file, 0, 32, 'flattened header');
    if (head.toString('latin1', 0, SIGNATURE.length) !== SIGNATURE) {
      throw new KtError('KT_E_DUMP_UNSUPPORTED', `${file.name}: not a makedumpfile flattened file`);
    }
    const type = head.readBigInt64BE(16);
    if (type !== 1n) throw new KtError('KT_E_DUMP_UNSUPPORTED', `${file.name}: flattened header type ${type}, expected 1`);
    const stored = store?.load();
    let index = stored && this.plausible(stored) ? stored : undefined;
    if (!index) {
      index = this.indexRecords(progress);
      store?.save(index);
    }
    this.truncated = index.truncated;
    this.records = index.records.length;
    this.byTarget = index.records.map((r, order): Rec => ({ ...r, order })).sort((a, b) => a.target - b.target || a.order - b.order);
    this.maxEnd = [];
    let max = 0;
    for (const r of this.byTarget) {
      max = Math.max(max, r.target + r.size);
      this.maxEnd.push(max);
    }
    this.size = max;
  }

  /** Every record header, one read each, in file order. */
  private indexRecords(progress: ProgressSink | undefined): FlattenedIndex {
    const file = this.file;
    const records: FlattenedRecord[] = [];
    let pos = HEADER_BYTES;
    let truncated: string | undefined = `the record stream ends at byte ${file.size} without its end marker`;
    const h = Buffer.alloc(RECORD_HEADER);
    while (pos + RECORD_HEADER <= file.size) {
      if ((records.length & 1023) === 0) progress?.('indexing flattened dump', pos, file.size);
      if (file.readInto(h, pos) < RECORD_HEADER) break;
      const target = s64BigEndian(h, 0);
      const size = s64BigEndian(h, 8);
      if (target === -1) {
        truncated = undefined;
        break;
      }
      if (target < 0 || size < 0 || size > MAX_RECORD || target > Number.MAX_SAFE_INTEGER - MAX_RECORD) {
        throw new KtError('KT_E_BAD_DUMP', `${file.name}: flattened record at byte ${pos} has offset ${target} and size ${size}`);
      }
      if (records.length >= MAX_RECORDS) {
        throw new KtError('KT_E_BAD_DUMP', `${file.name}: more than ${MAX_RECORDS} flattened records; reassemble it first (makedumpfile -R)`);
      }
      const record: FlattenedRecord = { target, size, at: pos + RECORD_HEADER };
      if (record.at + record.size > file.size) {
        truncated = `the record at byte ${pos} is cut short`;
        record.size = file.size - record.at;
        records.push(record);
        break;
      }
      records.push(record);
      pos = record.at + record.size;
    }
    return { records, truncated };
  }

  /** A stored index as indexing this file could have made it: records in the file, in order, of sane sizes. */
  private plausible(index: FlattenedIndex): boolean {
    if (index.records.length > MAX_RECORDS) return false;
    let next = HEADER_BYTES + RECORD_HEADER;
    for (const r of index.records) {
      const whole = [r.target, r.size, r.at].every(Number.isSafeInteger);
      if (!whole || r.at !== next || r.target < 0 || r.size < 0 || r.size > MAX_RECORD || r.target > Number.MAX_SAFE_INTEGER - MAX_RECORD || r.at + r.size > this.file.size) return false;
      next = r.at + r.size + RECORD_HEADER;
    }
    return true;
  }

  read(offset: number, length: number): Buffer {
    const want = Math.max(0, Math.min(length, this.size - offset));
    const out = Buffer.alloc(want);
    const end = offset + want;
    // Last record starting before `end`, then back while earlier ones may still reach `offset`.
    let lo = 0;
    let hi = this.byTarget.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.byTarget[mid] as Rec).target < end) lo = mid + 1;
      else hi = mid;
    }
    const hits: Rec[] = [];
    for (let i = lo - 1; i >= 0 && (this.maxEnd[i] as number) > offset; i--) {
      const r = this.byTarget[i] as Rec;
      if (r.target + r.size > offset) hits.push(r);
    }
    hits.sort((a, b) => a.order - b.order);
    for (const r of hits) {
      const from = Math.max(offset, r.target);
      const to = Math.min(end, r.target + r.size);
      readExact(this.file, r.at + (from - r.target), to - from, 'flattened record data').copy(out, from - offset);
    }
    return out;
  }

  readInto(into: Buffer, offset: number): number {
    return this.read(offset, into.length).copy(into);
  }
}
