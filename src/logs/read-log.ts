import { KtError } from '../errors.js';
import { INPUT_FORMATS, type InputFormat, type LogLine } from './log-line.js';
import { openInput, type Compression } from './open-input.js';
import { sniffFormat, SNIFF_BYTES, type ConcreteFormat } from './sniff-format.js';
import type { StreamEnd } from './decompress.js';
import { readHead } from './read-head.js';
import { batchesOf, linesOf, logWindows, type LogWindow } from './log-stream.js';

export interface LogInput {
  /** A file path, or `-` for stdin. */
  path: string;
  /** Default `auto`: sniffed from the first 64 KiB after decompression. */
  format?: InputFormat;
  /** Where to read a file's bytes (READ_POOL buffers of READ_CHUNK_BYTES), when the consumer can use them there without a copy; the log's until it is consumed. */
  readBuffers?: Buffer[];
}

export interface LogStats {
  /** LogLines read so far (for lines passed over unread, whole windows or parts: physical lines); final once the stream is drained. */
  lines: number;
  /** Why the stream ended before the end of the input (a truncated or corrupt compressed file). */
  partial?: string;
}

/**
 * One opened input, as three views of the same single-pass stream: iterate one of them, once.
 * - `lines`: one LogLine at a time (an await per line).
 * - `batches`: the LogLines of about 64 KiB of input at a time; one await per batch.
 * - `windows`: the same 64 KiB with their raw text, LogLines made only on `lines()`; a window
 *   not asked for is only counted, which is what lets a consumer skim a huge log.
 *
 * An optional LogLine field may be absent or present with the value `undefined`: test values,
 * not `in`.
 */
export interface OpenedLog {
  source: string;
  format: ConcreteFormat;
  /** For a log read out of a crash dump: the dump's container and page compression. */
  dump?: string;
  compression: Compression;
  lines: AsyncIterable<LogLine>;
  batches: AsyncIterable<LogLine[]>;
  windows: AsyncIterable<LogWindow>;
  stats: LogStats;
}

/**
 * Opens a kernel log of any supported format, compressed or not, for streaming. Throws KtError:
 * KT_E_NO_SUCH_FILE, KT_E_UNREADABLE (a directory, no permission), KT_E_BINARY_INPUT,
 * KT_E_BAD_COMPRESSION (nothing could be decompressed, or xz/bzip2/lz4), KT_E_USAGE (unknown
 * format). Memory stays bounded by the read size whatever the input's size.
 */
export async function openLog(input: LogInput): Promise<OpenedLog> {
  const wanted = input.format ?? 'auto';
  if (!(INPUT_FORMATS as readonly string[]).includes(wanted)) {
    throw new KtError('KT_E_USAGE', `unknown input format '${wanted}' (one of ${INPUT_FORMATS.join(', ')})`);
  }
  const bytes = await openInput(input.path, input.readBuffers);
  let head: Awaited<ReturnType<typeof readHead>>;
  let sniffed: ConcreteFormat;
  try {
    head = await readHead(bytes.chunks, SNIFF_BYTES);
    sniffed = sniffFormat(head.head, bytes.source);
  } catch (e) {
    await bytes.close();
    throw e;
  }
  const format = wanted === 'auto' ? sniffed : wanted;
  return openedLog(bytes.source, format, bytes.compression, head.chunks, bytes.end);
}

/** Wraps a decompressed byte stream already known to be `format`. */
export function openedLog(
  source: string,
  format: ConcreteFormat,
  compression: Compression,
  chunks: AsyncIterable<Buffer>,
  end: StreamEnd,
): OpenedLog {
  const stats: LogStats = { lines: 0 };
  const windows = logWindows(source, format, chunks, stats, end);
  const batches = batchesOf(windows);
  return { source, format, compression, lines: linesOf(batches), batches, windows, stats };
}

export type { LogWindow } from './log-stream.js';
