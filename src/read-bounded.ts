import fs from 'node:fs';
import { KtError, type ErrorCode } from './errors.js';

/**
 * Inputs read whole (a rules file, a System.map, a trace to symbolize) are read up to a limit:
 * `/dev/zero`, a FIFO or a runaway file must end in an error, not in gigabytes of memory.
 */
export interface BoundedRead {
  /** Most bytes accepted; one more is KT_E_TOO_LARGE. */
  limit: number;
  /** What the input is, for the message (`known-issues file`). */
  what: string;
  /** The code for a missing or unreadable file, when the caller's kind of input has its own. */
  code?: ErrorCode;
}

const CHUNK_BYTES = 1 << 20;

export function readBoundedFile(path: string, opts: BoundedRead): Buffer {
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch (e) {
    throw readError(e, path, opts);
  }
  try {
    if (fs.fstatSync(fd).isDirectory()) throw new KtError(opts.code ?? 'KT_E_UNREADABLE', `${path}: is a directory, not a ${opts.what}`);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(CHUNK_BYTES);
      let n: number;
      try {
        n = fs.readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        throw readError(e, path, opts);
      }
      if (n === 0) break;
      total += n;
      if (total > opts.limit) throw tooLarge(path, opts);
      chunks.push(buf.subarray(0, n));
    }
    return Buffer.concat(chunks, total);
  } finally {
    fs.closeSync(fd);
  }
}

/** The same for a stream (standard input). */
export async function readBoundedStream(stream: NodeJS.ReadableStream, name: string, opts: BoundedRead): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const c of stream) {
      const b = typeof c === 'string' ? Buffer.from(c) : (c as Buffer);
      total += b.length;
      if (total > opts.limit) throw tooLarge(name, opts);
      chunks.push(b);
    }
  } catch (e) {
    if (e instanceof KtError) throw e;
    throw readError(e, name, opts);
  } finally {
    if (total > opts.limit && 'destroy' in stream) (stream as NodeJS.ReadStream).destroy();
  }
  return Buffer.concat(chunks, total);
}

function tooLarge(path: string, opts: BoundedRead): KtError {
  return new KtError('KT_E_TOO_LARGE', `${path}: more than ${opts.limit >> 20} MiB, too large for a ${opts.what}`);
}

function readError(e: unknown, path: string, opts: BoundedRead): KtError {
  const code = (e as NodeJS.ErrnoException).code;
  if (opts.code) return new KtError(opts.code, `${path}: cannot read the ${opts.what} (${code ?? (e as Error).message})`);
  if (code === 'ENOENT') return new KtError('KT_E_NO_SUCH_FILE', `${path}: no such file`);
  if (code === 'EISDIR') return new KtError('KT_E_UNREADABLE', `${path}: is a directory, not a ${opts.what}`);
  if (code === 'EACCES' || code === 'EPERM') return new KtError('KT_E_UNREADABLE', `${path}: permission denied`);
  return new KtError('KT_E_UNREADABLE', `${path}: cannot be read (${code ?? (e as Error).message})`);
}
