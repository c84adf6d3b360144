import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';
import { KtError } from '../errors.js';
import { ZstdFrameWalker } from './zstd-frames.js';

/** Filled in when a stream stops early: what could be read is kept, and this says why it ended. */
export interface StreamEnd {
  partial?: string;
}

const OUT_CHUNK_BYTES = 1 << 20;
/**
 * zlib discards the output of a write that ends in an error (corrupt data, trailing garbage),
 * so compressed input goes in in small writes: an error loses at most one write's output.
 */
const GZIP_WRITE_BYTES = 16 << 10;
const ZSTD_PUSH_BYTES = 16 << 10;

async function* slices(chunks: AsyncIterable<Buffer>, size: number, fed: { bytes: number }): AsyncGenerator<Buffer> {
  for await (const c of chunks) {
    for (let i = 0; i < c.length; i += size) {
      const part = c.subarray(i, i + size);
      fed.bytes += part.length;
      yield part;
    }
  }
}

/** gunzip as a stream; concatenated members are one stream (zlib handles that). */
export async function* gunzipChunks(raw: AsyncIterable<Buffer>, end: StreamEnd, path: string): AsyncGenerator<Buffer> {
  const fed = { bytes: 0 };
  const src = Readable.from(slices(raw, GZIP_WRITE_BYTES, fed), { objectMode: false });
  const gz = createGunzip({ chunkSize: OUT_CHUNK_BYTES });
  // Not gz's async iterator: on an error it drops output already decoded, which is exactly
  // what a truncated file needs kept. Collect 'data' ourselves, pausing when enough is queued.
  const queue: Buffer[] = [];
  let failed: Error | undefined;
  let done = false;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    wake?.();
    wake = undefined;
  };
  gz.on('data', (b: Buffer) => {
    queue.push(b);
    if (queue.length >= 4) gz.pause();
    notify();
  });
  gz.on('end', () => {
    done = true;
    notify();
  });
  gz.on('error', (e) => {
    failed = e;
    notify();
  });
  src.on('error', (e) => {
    failed = e;
    notify();
  });
  src.pipe(gz);
  let produced = 0;
  try {
    for (;;) {
      const b = queue.shift();
      if (b) {
        produced += b.length;
        yield b;
        continue;
      }
      if (failed || done) break;
      gz.resume();
      await new Promise<void>((resolve) => (wake = resolve));
    }
    if (failed) {
      if (failed instanceof KtError) throw failed;
      const e = failed as NodeJS.ErrnoException;
      const why =
        e.code === 'Z_BUF_ERROR'
          ? 'truncated'
          : /incorrect header check/.test(e.message) && produced > 0
            ? 'followed by data that is not gzip (ignored)'
            : `corrupt (${e.message})`;
      stopped(end, path, 'gzip', why, fed.bytes, produced);
    }
  } finally {
    src.destroy();
    gz.destroy();
  }
}

/** zstd through fzstd's streaming decoder; its memory is bounded by the frame's window size. */
export async function* unzstdChunks(raw: AsyncIterable<Buffer>, end: StreamEnd, path: string): AsyncGenerator<Buffer> {
  const out: Buffer[] = [];
  // fzstd may hand out views of its window buffer, which it overwrites later: copy.
  const dec = new Decompress((data) => {
    if (data.length > 0) out.push(Buffer.from(data));
  });
  let consumed = 0;
  let produced = 0;
  let failure: string | undefined;
  const frames = new ZstdFrameWalker();
  const push = (chunk: Uint8Array, final: boolean): void => {
    // Headers first: the decoder would allocate whatever window a header declares.
    const refused = frames.feed(chunk);
    if (refused !== undefined) {
      failure = refused;
      // The frames before the refused one are decoded.
      chunk = chunk.subarray(0, Math.max(0, frames.frameStart - consumed));
      final = false;
    }
    try {
      dec.push(chunk, final);
    } catch (e) {
      if (e instanceof KtError) throw e;
      failure = (e as { code?: number }).code === 5 ? 'truncated' : `corrupt (${(e as Error).message})`;
    }
  };
  // Small pushes: one push's output is held whole, and log text compresses 50-100x.
  const chunks = slices(raw, ZSTD_PUSH_BYTES, { bytes: 0 })[Symbol.asyncIterator]();
  for (;;) {
    const r = await chunks.next();
    push(r.done ? new Uint8Array(0) : r.value, r.done === true);
    if (!r.done) consumed += r.value.length;
    // Blocks decoded before a bad one are good: hand them out first.
    for (const b of out) {
      produced += b.length;
      yield b;
    }
    out.length = 0;
    if (failure !== undefined) {
      await chunks.return?.(undefined);
      return stopped(end, path, 'zstd', failure, consumed, produced);
    }
    if (r.done) return;
  }
}

function stopped(end: StreamEnd, path: string, kind: string, why: string, inOffset: number, produced: number): void {
  if (produced === 0) {
    throw new KtError('KT_E_BAD_COMPRESSION', `${path}: ${kind} data ${why} at compressed byte ${inOffset}; nothing could be decompressed`);
  }
  end.partial = `${kind} data ${why} near compressed byte ${inOffset}; kept the first ${produced} decompressed bytes`;
}
