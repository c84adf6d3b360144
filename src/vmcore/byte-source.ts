import { closeSync, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { KtError } from '../errors.js';

/**
 * Bytes addressed by offset: a dump file, or the file a flattened dump would reassemble into.
 * Reads are synchronous and positioned: a dump is never read whole, and a page walk needs its
 * answer before it can ask the next question.
 */
export interface ByteSource {
  readonly name: string;
  readonly size: number;
  /** Up to `length` bytes at `offset`; shorter only at the end of the source. */
  read(offset: number, length: number): Buffer;
  /** Fills `into` from `offset`, returning how many bytes were read: a scan over thousands of small headers reuses one buffer. */
  readInto(into: Buffer, offset: number): number;
}

/** `length` bytes at `offset`, or KT_E_BAD_DUMP naming `what` when the source ends first. */
export function readExact(src: ByteSource, offset: number, length: number, what: string): Buffer {
  if (!Number.isSafeInteger(offset) || offset < 0 || offset + length > src.size) {
    throw new KtError(
      'KT_E_BAD_DUMP',
      `${src.name}: ${what} at offset ${offset} (${length} bytes) lies outside the file (${src.size} bytes); truncated or corrupt dump`,
    );
  }
  const buf = src.read(offset, length);
  if (buf.length < length) {
    throw new KtError('KT_E_BAD_DUMP', `${src.name}: ${what} at offset ${offset}: file ends after ${buf.length} of ${length} bytes`);
  }
  return buf;
}

/** A regular file read with pread. `onRead` sees every read (the fixture cutter records them). */
export class FileSource implements ByteSource {
  readonly size: number;
  private fd: number | undefined;
  onRead: ((offset: number, length: number) => void) | undefined;

  /** The file as opened (its size, and what tells it from another for the dump-index cache). */
  readonly stat: Stats;

  constructor(readonly name: string, fd: number) {
    this.fd = fd;
    this.stat = fstatSync(fd);
    this.size = this.stat.size;
  }

  static open(path: string): FileSource {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new KtError('KT_E_NO_SUCH_FILE', `${path}: no such file`);
      if (code === 'EACCES' || code === 'EPERM') throw new KtError('KT_E_UNREADABLE', `${path}: permission denied`);
      throw new KtError('KT_E_UNREADABLE', `${path}: cannot be read (${code ?? String(e)})`);
    }
    const file = new FileSource(path, fd);
    if (file.stat.isDirectory()) {
      file.close();
      throw new KtError('KT_E_UNREADABLE', `${path}: is a directory, not a dump`);
    }
    return file;
  }

  read(offset: number, length: number): Buffer {
    const buf = Buffer.allocUnsafe(Math.max(0, Math.min(length, this.size - offset)));
    const got = this.readInto(buf, offset);
    return got === buf.length ? buf : buf.subarray(0, got);
  }

  readInto(into: Buffer, offset: number): number {
    if (this.fd === undefined) throw new Error(`${this.name}: read after close`);
    const want = Math.max(0, Math.min(into.length, this.size - offset));
    let got = 0;
    while (got < want) {
      const n = readSync(this.fd, into, got, want - got, offset + got);
      if (n === 0) break;
      got += n;
    }
    this.onRead?.(offset, got);
    return got;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/**
 * A little-endian 64-bit offset or size as a number (two 32-bit reads: no BigInt on the hot
 * path), or KT_E_BAD_DUMP naming `what` when it is beyond 2^53.
 */
export function u64Number(buf: Buffer, at: number, name: string, what: string): number {
  const hi = buf.readUInt32LE(at + 4);
  if (hi >= 0x200000) throw new KtError('KT_E_BAD_DUMP', `${name}: ${what} 0x${buf.readBigUInt64LE(at).toString(16)} is out of range`);
  return hi * 0x100000000 + buf.readUInt32LE(at);
}
