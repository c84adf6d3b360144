import fs from 'node:fs';
import path from 'node:path';
import type { FileSource } from './byte-source.js';
import { makeDirs } from '../cache-dir.js';

/**
 * A flattened dump's records in file order, as columns (where each record's bytes go in the
 * reassembled file, how many, where they are in the flattened one), and why the stream stopped
 * early, if it did.
 */
export interface FlattenedIndex {
  target: Float64Array;
  size: Float64Array;
  at: Float64Array;
  truncated: string | undefined;
}

const MAGIC = 'KTFLATIX';
const VERSION = 2;
/** Magic, version, count, the file's size, mtime, inode and device, the length of the truncation note, padding. */
const HEADER_BYTES = 8 + 4 + 4 + 4 * 8 + 4 + 4;
const RECORD_BYTES = 3 * 8;

/** The note padded so that the columns after it are 8-byte aligned (read as Float64Array views). */
const padded = (n: number): number => (n + 7) & ~7;

/**
 * The record index of a flattened dump, kept on disk between runs: indexing reads every
 * record's header (one pread each: 2,700 for a small guest's dump, ~10 ms; a million for a big
 * one, seconds), and `vmcore info`, `vmcore dmesg` and the analysis are usually run on the same
 * dump one after the other. Keyed by the file's device, inode, size and mtime; a file that
 * changed, or a cache file that is damaged or foreign, is indexed again (and the cache
 * rewritten), never trusted: every record read back is checked as one read from the dump.
 */
export class FlattenedIndexCache {
  constructor(private readonly dir: string) {}

  load(file: FileSource): FlattenedIndex | undefined {
    let data: Buffer;
    try {
      data = fs.readFileSync(this.fileFor(file));
    } catch {
      return undefined;
    }
    if (data.length < HEADER_BYTES || data.toString('latin1', 0, 8) !== MAGIC || data.readUInt32LE(8) !== VERSION) return undefined;
    const count = data.readUInt32LE(12);
    const id = identity(file);
    for (let i = 0; i < id.length; i++) if (data.readDoubleLE(16 + 8 * i) !== id[i]) return undefined;
    const noteBytes = data.readUInt32LE(48);
    const columns = HEADER_BYTES + padded(noteBytes);
    if (data.length !== columns + count * RECORD_BYTES) return undefined;
    const truncated = noteBytes > 0 ? data.toString('utf8', HEADER_BYTES, HEADER_BYTES + noteBytes) : undefined;
    // One copy into an aligned buffer of our own, then three views: no per-record work.
    const values = new Float64Array(count * 3);
    new Uint8Array(values.buffer).set(data.subarray(columns));
    return { target: values.subarray(0, count), size: values.subarray(count, 2 * count), at: values.subarray(2 * count), truncated };
  }

  /** Best effort: a cache that cannot be written only means indexing again next time. */
  save(file: FileSource, index: FlattenedIndex): void {
    const note = Buffer.from(index.truncated ?? '', 'utf8');
    const count = index.target.length;
    const columns = HEADER_BYTES + padded(note.length);
    const data = Buffer.alloc(columns + count * RECORD_BYTES);
    data.write(MAGIC, 0, 'latin1');
    data.writeUInt32LE(VERSION, 8);
    data.writeUInt32LE(count, 12);
    identity(file).forEach((v, i) => data.writeDoubleLE(v, 16 + 8 * i));
    data.writeUInt32LE(note.length, 48);
    note.copy(data, HEADER_BYTES);
    [index.target, index.size, index.at].forEach((column, k) => data.set(new Uint8Array(column.buffer, column.byteOffset, column.byteLength), columns + k * count * 8));
    const target = this.fileFor(file);
    const temp = `${target}.${process.pid}.tmp`;
    try {
      makeDirs(this.dir);
      // Written whole then renamed: a run beside this one never reads half a file.
      fs.writeFileSync(temp, data);
      fs.renameSync(temp, target);
    } catch {
      try {
        fs.rmSync(temp, { force: true });
      } catch {
        // Nothing was written.
      }
    }
  }

  private fileFor(file: FileSource): string {
    const [size, mtime, ino, dev] = identity(file);
    return path.join(this.dir, `${dev}-${ino}-${size}-${mtime}.bin`);
  }
}

/** What tells this file from another, or from itself rewritten. */
function identity(file: FileSource): number[] {
  const st = file.stat;
  return [st.size, st.mtimeMs, st.ino, st.dev];
}
