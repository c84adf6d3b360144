import fs from 'node:fs';
import path from 'node:path';
import type { FileSource } from './byte-source.js';

/** One record of a flattened dump: where its bytes go in the reassembled file, how many, where they are in the flattened one. */
export interface FlattenedRecord {
  target: number;
  size: number;
  at: number;
}

/** A flattened dump's records in file order, and why the stream stopped early, if it did. */
export interface FlattenedIndex {
  records: FlattenedRecord[];
  truncated: string | undefined;
}

const MAGIC = 'KTFLATIX';
const VERSION = 1;
/** Magic, version, count, the file's size, mtime, inode and device, the length of the truncation note. */
const HEADER_BYTES = 8 + 4 + 4 + 4 * 8 + 4;
const RECORD_BYTES = 3 * 8;

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
    if (data.length !== HEADER_BYTES + noteBytes + count * RECORD_BYTES) return undefined;
    const truncated = noteBytes > 0 ? data.toString('utf8', HEADER_BYTES, HEADER_BYTES + noteBytes) : undefined;
    const records: FlattenedRecord[] = [];
    for (let i = 0, at = HEADER_BYTES + noteBytes; i < count; i++, at += RECORD_BYTES) {
      records.push({ target: data.readDoubleLE(at), size: data.readDoubleLE(at + 8), at: data.readDoubleLE(at + 16) });
    }
    return { records, truncated };
  }

  /** Best effort: a cache that cannot be written only means indexing again next time. */
  save(file: FileSource, index: FlattenedIndex): void {
    const note = Buffer.from(index.truncated ?? '', 'utf8');
    const data = Buffer.alloc(HEADER_BYTES + note.length + index.records.length * RECORD_BYTES);
    data.write(MAGIC, 0, 'latin1');
    data.writeUInt32LE(VERSION, 8);
    data.writeUInt32LE(index.records.length, 12);
    identity(file).forEach((v, i) => data.writeDoubleLE(v, 16 + 8 * i));
    data.writeUInt32LE(note.length, 48);
    note.copy(data, HEADER_BYTES);
    let at = HEADER_BYTES + note.length;
    for (const r of index.records) {
      data.writeDoubleLE(r.target, at);
      data.writeDoubleLE(r.size, at + 8);
      data.writeDoubleLE(r.at, at + 16);
      at += RECORD_BYTES;
    }
    const target = this.fileFor(file);
    const temp = `${target}.${process.pid}.tmp`;
    try {
      fs.mkdirSync(this.dir, { recursive: true });
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
