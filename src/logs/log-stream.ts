import type { LogLine } from './log-line.js';
import type { ConcreteFormat } from './sniff-format.js';
import { LineScanner, splitLines, TextWindow } from './split-lines.js';
import type { StreamEnd } from './decompress.js';
import { ConsoleFormat } from './formats/console-format.js';
import { DmesgHumanFormat } from './formats/dmesg-human-format.js';
import { JournalExportFormat } from './formats/journal-export-format.js';
import { JournalJsonFormat } from './formats/journal-json-format.js';
import { JournalShortFormat } from './formats/journal-short-format.js';
import { KmsgFormat } from './formats/kmsg-format.js';
import { SyslogFormat } from './formats/syslog-format.js';
import type { TextFormat } from './formats/text-format.js';
import { VmcoreDmesgFormat } from './formats/vmcore-dmesg-format.js';

/**
 * About 64 KiB of input whose LogLines are made only if asked for. A consumer that can tell
 * from the raw text that nothing in it matters (no report starts there) moves on without
 * calling `lines()`: the window is then only counted, which is several times cheaper.
 */
export interface LogWindow {
  /**
   * The window's text: whole lines separated by LF, as decoded (CRs and terminal escape codes
   * not yet removed). For journal export input, the export records as Latin-1.
   */
  readonly text: string;
  /**
   * The raw text may not show every line's message literally (control characters or escape codes
   * inside words): only `lines()` tells what it holds.
   */
  readonly opaque: boolean;
  /**
   * The window's undecoded bytes (text formats; undefined for journal export), valid until the
   * next window is taken: a consumer can test them without the cost of `text`.
   */
  readonly bytes: Buffer | undefined;
  /**
   * Set by a consumer that passes over the window and has counted its LFs (in `bytes`), having
   * found only printable ASCII, tab, CR and LF there: the reader does not check them again.
   */
  lineFeeds: number | undefined;
  /** The window's LogLines (made on the first call, then the same array). */
  lines(): LogLine[];
  /**
   * The LogLines of the lines in bytes [start, end) of `bytes` (start a line start, end just
   * after an LF or the end), for a consumer that reads only parts of a window: ranges in
   * increasing order, never with `lines()`. Lines before, between and after the ranges are passed
   * over as a skipped window's are (counted; the parser's state taken from the last lines before).
   */
  linesIn(start: number, end: number): LogLine[];
}

export interface StreamStats {
  /** LogLines read (for lines passed over unread, whole windows or parts: physical lines). */
  lines: number;
  partial?: string;
}

class LazyWindow implements LogWindow {
  private made: LogLine[] | undefined;
  private decoded: string | undefined;
  /** Set once the stream moved on: the parser state and the read buffer are no longer this window's. */
  expired = false;
  lineFeeds: number | undefined;
  /** Bytes up to here were read or passed over by `linesIn`. */
  readUpTo = 0;
  constructor(
    /** Journal export: the chunk as read, or '' at the end. */
    private readonly source: TextWindow | Buffer | string,
    private readonly make: () => LogLine[],
    private readonly makeRange?: (start: number, end: number) => LogLine[],
  ) {}
  get text(): string {
    if (typeof this.source === 'string') return this.source;
    if (this.decoded === undefined && this.expired) throw new Error('LogWindow.text read after taking the next window');
    return (this.decoded ??= this.source instanceof TextWindow ? this.source.text : this.source.toString('latin1'));
  }
  get opaque(): boolean {
    return this.source instanceof TextWindow && this.source.garbage;
  }
  get bytes(): Buffer | undefined {
    return this.source instanceof TextWindow && !this.expired ? this.source.raw : undefined;
  }
  lines(): LogLine[] {
    if (this.made === undefined && (this.expired || this.readUpTo > 0)) {
      throw new Error(`LogWindow.lines() called ${this.expired ? 'after taking the next window' : 'after linesIn()'}`);
    }
    return (this.made ??= this.make());
  }
  linesIn(start: number, end: number): LogLine[] {
    if (this.expired || this.made !== undefined || start < this.readUpTo || end < start || !this.makeRange) {
      throw new Error('LogWindow.linesIn() called out of order, after lines() or after taking the next window');
    }
    this.readUpTo = end;
    return start === end ? [] : this.makeRange(start, end);
  }
  get wasRead(): boolean {
    return this.made !== undefined || this.readUpTo > 0;
  }
}

/** The windows of one input, in order; call `lines()` on a window before taking the next. */
export async function* logWindows(
  source: string,
  format: ConcreteFormat,
  chunks: AsyncIterable<Buffer>,
  stats: StreamStats,
  end: StreamEnd,
): AsyncGenerator<LogWindow> {
  if (format === 'journal-export') {
    // Records cross chunk boundaries: every chunk is parsed, read or not.
    const parser = new JournalExportFormat(source);
    for await (const chunk of chunks) {
      const out: LogLine[] = [];
      parser.push(chunk, out);
      stats.lines += out.length;
      const window = new LazyWindow(chunk, () => out);
      yield window;
      window.expired = true;
    }
    const out: LogLine[] = [];
    parser.end(out);
    stats.lines += out.length;
    if (out.length > 0) yield new LazyWindow('', () => out);
  } else {
    const parser = textFormat(format, source);
    const scanner = new LineScanner();
    const read = (w: TextWindow): LogLine[] => {
      const out: LogLine[] = [];
      parser.resume();
      parser.out = out;
      scanner.scan(w, parser);
      stats.lines += out.length;
      return out;
    };
    for await (const w of splitLines(chunks)) {
      let passedTo = 0;
      const window = new LazyWindow(
        w,
        () => read(w),
        (start, end) => {
          if (start > passedTo) stats.lines += parser.skip(w.slice(passedTo, start), scanner);
          passedTo = end;
          return read(w.slice(start, end));
        },
      );
      yield window;
      if (!window.wasRead) {
        if (window.lineFeeds !== undefined) w.knownPlain();
        stats.lines += parser.skip(w, scanner, window.lineFeeds);
      } else if (window.readUpTo > 0 && passedTo < w.raw.length) {
        // Read in ranges: the lines after the last one are passed over.
        stats.lines += parser.skip(w.slice(passedTo, w.raw.length), scanner);
      }
      window.expired = true;
    }
  }
  if (end.partial !== undefined) stats.partial = end.partial;
}

/** The LogLines of every window, one array per window (empty ones left out). */
export async function* batchesOf(windows: AsyncIterable<LogWindow>): AsyncGenerator<LogLine[]> {
  for await (const w of windows) {
    const lines = w.lines();
    if (lines.length > 0) yield lines;
  }
}

/**
 * One LogLine at a time. Hand-made rather than an async generator: `yield*` over each batch
 * costs an async generator resumption per line, several times this iterator's cost.
 */
export function linesOf(batches: AsyncIterable<LogLine[]>): AsyncIterable<LogLine> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<LogLine> {
      const it = batches[Symbol.asyncIterator]();
      let batch: LogLine[] = [];
      let i = 0;
      const next = (): Promise<IteratorResult<LogLine>> => {
        if (i < batch.length) return Promise.resolve({ value: batch[i++] as LogLine, done: false });
        return it.next().then((r) => {
          if (r.done) return { value: undefined, done: true };
          batch = r.value;
          i = 0;
          return next();
        });
      };
      return { next, return: async () => (await it.return?.(), { value: undefined, done: true }) };
    },
  };
}

/** The parser of one line-based format, for one input. */
export function textFormat(format: Exclude<ConcreteFormat, 'journal-export'>, source: string): TextFormat {
  switch (format) {
    case 'console':
      return new ConsoleFormat(source);
    case 'vmcore-dmesg':
      return new VmcoreDmesgFormat(source);
    case 'dmesg-human':
      return new DmesgHumanFormat(source);
    case 'journal-short':
      return new JournalShortFormat(source);
    case 'journal-json':
      return new JournalJsonFormat(source);
    case 'syslog':
      return new SyslogFormat(source);
    case 'kmsg':
      return new KmsgFormat(source);
  }
}
