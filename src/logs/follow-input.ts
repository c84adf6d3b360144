import { closeSync, createReadStream, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { KtError } from '../errors.js';
import { fsError } from './open-input.js';

/** How often a followed file is checked for new bytes, rotation or truncation. */
const POLL_MS = 250;
const CHUNK_BYTES = 64 * 1024;

/**
 * The bytes of a file as it grows, like `tail -F` from its first byte: when the file is
 * replaced (rotation: another inode at the path) or truncated, reading starts again at the new
 * file's beginning; a file that is missing for a while is waited for. Ends when `signal` aborts.
 * `-` is standard input, read until it closes (a pipe from `journalctl -kf`).
 */
export async function* followChunks(path: string, signal: AbortSignal): AsyncGenerator<Buffer> {
  if (path === '-') {
    yield* streamUntil(process.stdin, signal);
    return;
  }
  const st = statOrUndefined(path);
  if (st && (st.isFIFO() || st.isCharacterDevice() || st.isSocket())) {
    // A named pipe or a device has no size to poll: read it as the stream it is, until it closes.
    yield* streamUntil(createReadStream(path), signal);
    return;
  }
  let fd = openFollowed(path);
  let position = 0;
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  try {
    while (!signal.aborted) {
      const n = fd === undefined ? 0 : readSync(fd, buffer, 0, CHUNK_BYTES, position);
      if (n > 0) {
        position += n;
        yield Buffer.from(buffer.subarray(0, n));
        continue;
      }
      // At the end: wait, then see whether the path now names another file or a shorter one.
      await sleep(POLL_MS, undefined, { signal }).catch(() => undefined);
      const now = statOrUndefined(path);
      const open = fd === undefined ? undefined : fstatSync(fd);
      if (!now) continue;
      if (!open || now.ino !== open.ino || now.dev !== open.dev || now.size < position) {
        if (fd !== undefined && open && now.ino === open.ino && now.dev === open.dev) position = 0; // truncated in place
        else {
          if (fd !== undefined) closeSync(fd);
          fd = openFollowed(path);
          position = 0;
        }
      }
    }
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function openFollowed(path: string): number | undefined {
  try {
    const fd = openSync(path, 'r');
    if (fstatSync(fd).isDirectory()) {
      closeSync(fd);
      throw new KtError('KT_E_UNREADABLE', `${path}: is a directory, not a log file`);
    }
    return fd;
  } catch (e) {
    if (e instanceof KtError) throw e;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // not there yet, or between rotation steps
    throw fsError(e, path);
  }
}

function statOrUndefined(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

async function* streamUntil(stream: NodeJS.ReadableStream & { destroy(): void }, signal: AbortSignal): AsyncGenerator<Buffer> {
  const onAbort = () => stream.destroy();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const chunk of stream) yield typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
  } catch (e) {
    if (!signal.aborted) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new KtError('KT_E_UNREADABLE', `input cannot be read (${code ?? (e as Error).message})`);
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
