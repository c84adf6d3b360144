import { fstatSync, readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { KtError } from '../errors.js';
import { gunzipChunks, unzstdChunks, type StreamEnd } from './decompress.js';
import { readHead } from './read-head.js';

/** Raw reads are this big: few syscalls and few JS↔C++ crossings per GB. */
export const READ_CHUNK_BYTES = 1 << 20;

export type Compression = 'none' | 'gzip' | 'zstd';

/** One input as a single-pass stream of decompressed bytes. */
export interface ByteInput {
  /** The name the user gave (`-` for stdin). */
  source: string;
  compression: Compression;
  chunks: AsyncIterable<Buffer>;
  /** Why the stream stopped before the end of the input; known once `chunks` is drained. */
  end: StreamEnd;
  /** Closes the input when it will not be drained (an error after opening it). */
  close(): Promise<void>;
}

/**
 * Opens a file (or stdin for `-`) and undoes gzip/zstd, recognised by magic bytes, not by name.
 * `readBuffers` (READ_POOL buffers of READ_CHUNK_BYTES) are where a file is read, when the
 * consumer wants its bytes where it can use them without a copy (the byte scan's WebAssembly
 * memory); they are the stream's until it is consumed.
 */
export async function openInput(path: string, readBuffers?: Buffer[]): Promise<ByteInput> {
  const end: StreamEnd = {};
  const raw = untilReadError(path === '-' ? stdinChunks() : fileChunks(await openFile(path), path, readBuffers), end, path);
  const close = async (): Promise<void> => {
    await raw.return(undefined);
  };
  let head: Awaited<ReturnType<typeof readHead>>;
  let compression: Compression;
  try {
    head = await readHead(raw, 10);
    compression = compressionOf(head.head, path);
  } catch (e) {
    await close();
    throw e;
  }
  const chunks =
    compression === 'gzip'
      ? gunzipChunks(copies(head.chunks), end, path)
      : compression === 'zstd'
        ? unzstdChunks(copies(head.chunks), end, path)
        : head.chunks;
  return { source: path, compression, chunks, end, close };
}

async function openFile(path: string): Promise<FileHandle> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw fsError(e, path);
  }
  const st = await fh.stat();
  if (st.isDirectory()) {
    await fh.close();
    throw new KtError('KT_E_UNREADABLE', `${path}: is a directory, not a log file`);
  }
  return fh;
}

/**
 * A read error after some bytes (a connection reset on stdin, an I/O error, a file cut short
 * while read) ends the stream there: what was read is analysed and the input marked partial.
 * An error before any byte is the input's error.
 */
async function* untilReadError(chunks: AsyncIterable<Buffer>, end: StreamEnd, path: string): AsyncGenerator<Buffer> {
  let bytes = 0;
  const it = chunks[Symbol.asyncIterator]();
  try {
    for (;;) {
      let r: IteratorResult<Buffer>;
      try {
        r = await it.next();
      } catch (e) {
        const err = e instanceof KtError ? e : fsError(e, path);
        if (bytes === 0) throw err;
        end.partial = `reading stopped after ${bytes} bytes: ${err.message}`;
        return;
      }
      if (r.done) return;
      bytes += r.value.length;
      yield r.value;
    }
  } finally {
    // Left early (the consumer stopped, or an error): the file is closed all the same.
    await it.return?.(undefined);
  }
}

/** An error of the file system as the user reads it. */
export function fsError(e: unknown, path: string): KtError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new KtError('KT_E_NO_SUCH_FILE', `${path}: no such file`);
  if (code === 'EISDIR') return new KtError('KT_E_UNREADABLE', `${path}: is a directory, not a log file`);
  if (code === 'EACCES' || code === 'EPERM') return new KtError('KT_E_UNREADABLE', `${path}: permission denied`);
  return new KtError('KT_E_UNREADABLE', `${path}: cannot be read (${code ?? String(e)})`);
}

/**
 * Read buffers are recycled: a fresh 1 MiB buffer per read costs an mmap and 256 page faults.
 * A chunk stays untouched while the next READ_POOL - 1 chunks are handed out, which covers what
 * the line splitter keeps (the tail of the previous chunk). Consumers that keep chunks longer
 * (decompressors) get copies.
 */
export const READ_POOL = 4;

/**
 * A regular file's chunks, read synchronously: a thread-pool read needs a free core to run on,
 * and while `analyze` decodes in a worker thread both cores are busy (each read then waited
 * for one). The kernel's read-ahead still overlaps the disk with the parsing.
 */
async function* fileChunks(fh: FileHandle, path: string, readBuffers?: Buffer[]): AsyncGenerator<Buffer> {
  const lent = readBuffers?.length === READ_POOL && readBuffers.every((b) => b.length === READ_CHUNK_BYTES);
  const pool = lent ? readBuffers : Array.from({ length: READ_POOL }, () => Buffer.allocUnsafe(READ_CHUNK_BYTES));
  let turn = 0;
  // A regular file shorter at its end than when opened was cut while being read.
  const st = await fh.stat();
  const sizeAtOpen = st.isFile() ? st.size : 0;
  let total = 0;
  try {
    for (;;) {
      const buf = pool[turn++ % READ_POOL] as Buffer;
      let bytesRead: number;
      try {
        bytesRead = readSync(fh.fd, buf, 0, buf.length, null);
      } catch (e) {
        throw fsError(e, path);
      }
      if (bytesRead === 0) {
        if (total < sizeAtOpen) throw new KtError('KT_E_UNREADABLE', `${path}: the file was truncated while being read (${sizeAtOpen} bytes when opened)`);
        return;
      }
      total += bytesRead;
      yield bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}

/** Decompressors hold on to input chunks across reads: give them their own. */
async function* copies(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  for await (const c of chunks) yield Buffer.from(c);
}

async function* stdinChunks(): AsyncGenerator<Buffer> {
  if (fstatSync(0).isDirectory()) throw new KtError('KT_E_UNREADABLE', '-: standard input is a directory, not a log');
  for await (const chunk of process.stdin) yield typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
}

function compressionOf(b: Buffer, path: string): Compression {
  if (b[0] === 0x1f && b[1] === 0x8b) return 'gzip';
  if (b[0] === 0x28 && b[1] === 0xb5 && b[2] === 0x2f && b[3] === 0xfd) return 'zstd';
  const unsupported = unsupportedCompression(b);
  if (unsupported) {
    throw new KtError(
      'KT_E_BAD_COMPRESSION',
      `${path}: ${unsupported.name}-compressed input is not supported; decompress it first (${unsupported.tool} -dc ${path} | ktriage -)`,
    );
  }
  return 'none';
}

function unsupportedCompression(b: Buffer): { name: string; tool: string } | undefined {
  if (b.length >= 6 && b[0] === 0xfd && b.toString('latin1', 1, 6) === '7zXZ\0') return { name: 'xz', tool: 'xz' };
  if (b.length >= 4 && b.readUInt32LE(0) === 0x184d2204) return { name: 'lz4', tool: 'lz4' };
  // "BZh" + block size digit + the block (or end-of-stream) magic: a text file never starts so.
  const bzBlock = b.length >= 10 ? b.readUIntBE(4, 6) : 0;
  if (b.toString('latin1', 0, 3) === 'BZh' && (bzBlock === 0x314159265359 || bzBlock === 0x177245385090)) {
    return { name: 'bzip2', tool: 'bzip2' };
  }
  return undefined;
}
