import { KtError } from '../errors.js';
import { countBelow } from '../sorted.js';
import { readExact, type ByteSource } from './byte-source.js';
import type { FlattenedIndex } from './flattened-index-cache.js';
import type { ProgressSink } from './progress.js';

const SIGNATURE = 'makedumpfile';
const HEADER_BYTES = 4096;
const RECORD_HEADER = 16;
/** A record that large is no part of a dump a machine wrote. */
const MAX_RECORD = 1 << 30;
/** The index costs ~100 bytes a record: beyond this many, reassembling first is cheaper. */
const MAX_RECORDS = 1 << 20;

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
  /** The records sorted by target (then file order: a later record wins where two overlap), as columns. */
  private readonly target: Float64Array;
  private readonly recordSize: Float64Array;
  private readonly at: Float64Array;
  private readonly order: Uint32Array;
  /** Prefix maximum of target + size in that order, to find every record that overlaps a read. */
  private readonly maxEnd: Float64Array;

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
    const n = index.target.length;
    this.records = n;
    const byTarget = Array.from({ length: n }, (_, i) => i).sort((a, b) => (index.target[a] as number) - (index.target[b] as number) || a - b);
    this.order = Uint32Array.from(byTarget);
    this.target = new Float64Array(n);
    this.recordSize = new Float64Array(n);
    this.at = new Float64Array(n);
    this.maxEnd = new Float64Array(n);
    let max = 0;
    byTarget.forEach((k, i) => {
      this.target[i] = index.target[k] as number;
      this.recordSize[i] = index.size[k] as number;
      this.at[i] = index.at[k] as number;
      max = Math.max(max, (this.target[i] as number) + (this.recordSize[i] as number));
      this.maxEnd[i] = max;
    });
    this.size = max;
  }

  /** Every record header, one read each, in file order. */
  private indexRecords(progress: ProgressSink | undefined): FlattenedIndex {
    const file = this.file;
    const targets: number[] = [];
    const sizes: number[] = [];
    const ats: number[] = [];
    let pos = HEADER_BYTES;
    let truncated: string | undefined = `the record stream ends at byte ${file.size} without its end marker`;
    const h = Buffer.alloc(RECORD_HEADER);
    while (pos + RECORD_HEADER <= file.size) {
      if ((targets.length & 1023) === 0) progress?.('indexing flattened dump', pos, file.size);
      if (file.readInto(h, pos) < RECORD_HEADER) break;
      const target = s64BigEndian(h, 0);
      let size = s64BigEndian(h, 8);
      if (target === -1) {
        truncated = undefined;
        break;
      }
      if (target < 0 || size < 0 || size > MAX_RECORD || target > Number.MAX_SAFE_INTEGER - MAX_RECORD) {
        throw new KtError('KT_E_BAD_DUMP', `${file.name}: flattened record at byte ${pos} has offset ${target} and size ${size}`);
      }
      if (targets.length >= MAX_RECORDS) {
        throw new KtError('KT_E_BAD_DUMP', `${file.name}: more than ${MAX_RECORDS} flattened records; reassemble it first (makedumpfile -R)`);
      }
      const at = pos + RECORD_HEADER;
      const cut = at + size > file.size;
      if (cut) {
        truncated = `the record at byte ${pos} is cut short`;
        size = file.size - at;
      }
      targets.push(target);
      sizes.push(size);
      ats.push(at);
      if (cut) break;
      pos = at + size;
    }
    return { target: Float64Array.from(targets), size: Float64Array.from(sizes), at: Float64Array.from(ats), truncated };
  }

  /** A stored index as indexing this file could have made it: records in the file, one after another, of sane sizes. */
  private plausible(index: FlattenedIndex): boolean {
    const n = index.target.length;
    if (n > MAX_RECORDS || index.size.length !== n || index.at.length !== n) return false;
    let next = HEADER_BYTES + RECORD_HEADER;
    for (let i = 0; i < n; i++) {
      const target = index.target[i] as number;
      const size = index.size[i] as number;
      const at = index.at[i] as number;
      if (!Number.isSafeInteger(target) || !Number.isSafeInteger(size) || at !== next) return false;
      if (target < 0 || size < 0 || size > MAX_RECORD || target > Number.MAX_SAFE_INTEGER - MAX_RECORD || at + size > this.file.size) return false;
      next = at + size + RECORD_HEADER;
    }
    return true;
  }

  read(offset: number, length: number): Buffer {
    const want = Math.max(0, Math.min(length, this.size - offset));
    const end = offset + want;
    // Last record starting before `end`, then back while earlier ones may still reach `offset`.
    const hits: number[] = [];
    for (let i = countBelow(this.target, end) - 1; i >= 0 && (this.maxEnd[i] as number) > offset; i--) {
      if ((this.target[i] as number) + (this.recordSize[i] as number) > offset) hits.push(i);
    }
    // The usual read lies in one record: served from it with no copy.
    if (hits.length === 1) {
      const i = hits[0] as number;
      const target = this.target[i] as number;
      if (target <= offset && target + (this.recordSize[i] as number) >= end) {
        return readExact(this.file, (this.at[i] as number) + (offset - target), want, 'flattened record data');
      }
    }
    const out = Buffer.alloc(want);
    hits.sort((a, b) => (this.order[a] as number) - (this.order[b] as number));
    for (const i of hits) {
      const target = this.target[i] as number;
      const from = Math.max(offset, target);
      const to = Math.min(end, target + (this.recordSize[i] as number));
      readExact(this.file, (this.at[i] as number) + (from - target), to - from, 'flattened record data').copy(out, from - offset);
    }
    return out;
  }

  readInto(into: Buffer, offset: number): number {
    return this.read(offset, into.length).copy(into);
  }
}
