import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import type { LogLine } from '../logs/log-line.js';
import { sniffFormat, type ConcreteFormat } from '../logs/sniff-format.js';
import { lineReader } from '../pipeline/index.js';
import { LineSplitter } from './line-splitter.js';
import { newStats, type LineSource, type SourceCursor, type SourceStats } from './source.js';

const CHUNK = 64 * 1024;
const MAX_LINE = 64 * 1024;
/** Bytes read per poll at most: a huge backlog is read over several turns. */
const BYTES_PER_TURN = 4 << 20;

export interface FileSourceOptions {
  path: string;
  /** Read what the file already holds (else start at its end), unless `resume` says where. */
  fromStart: boolean;
  /** Where the last run stopped: the same file (inode) resumes there. */
  resume?: SourceCursor;
  format?: Exclude<ConcreteFormat, 'journal-export'>;
  pollMs?: number;
}

/**
 * Follows a growing text file like `tail -F`: a new inode at the path (rotation) is read from
 * its start after the old one's last bytes; a file that shrank (truncation) is read again from
 * its start. Format sniffed on the first bytes unless given.
 */
export class FileSource implements LineSource {
  readonly name: string;
  readonly stats: SourceStats = newStats();
  private fd: number | undefined;
  private ino = 0;
  /** Offset of the next byte to read, and of the end of the last complete line. */
  private offset = 0;
  private lineEnd = 0;
  private timer: NodeJS.Timeout | undefined;
  private splitter: LineSplitter;
  private parse: ((rawLine: Buffer) => LogLine[]) | undefined;
  private lineNo = 0;
  private batch: LogLine[] = [];
  private emit: ((lines: LogLine[], cursor: SourceCursor) => void) | undefined;
  private readonly buf = Buffer.allocUnsafe(CHUNK);
  rotations = 0;
  truncations = 0;

  constructor(private readonly opts: FileSourceOptions) {
    this.name = `file:${opts.path}`;
    this.splitter = this.newSplitter();
  }

  start(emit: (lines: LogLine[], cursor: SourceCursor) => void): void {
    this.emit = emit;
    this.openFile(this.opts.fromStart ? 'start' : 'end');
    this.poll();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  poll(): void {
    this.timer = undefined;
    if (!this.emit) return;
    if (this.fd === undefined) this.openFile('start');
    if (this.fd !== undefined) {
      if (fstatSync(this.fd).size < this.offset) {
        this.truncations++;
        this.restartAt(0);
      }
      this.readAvailable();
      const now = statOrUndefined(this.opts.path);
      if (now && now.ino !== this.ino) {
        this.readAvailable();
        this.rotations++;
        closeSync(this.fd);
        this.fd = undefined;
        this.openFile('start');
        this.readAvailable();
      }
    }
    this.flushBatch();
    this.timer = setTimeout(() => this.poll(), this.opts.pollMs ?? 250);
    this.timer.unref?.();
  }

  private openFile(at: 'start' | 'end'): void {
    let fd: number;
    try {
      fd = openSync(this.opts.path, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch {
      return; // Not there (yet): tried again at the next poll.
    }
    const st = fstatSync(fd);
    this.fd = fd;
    const resume = this.opts.resume;
    if (resume && resume['ino'] === st.ino && Number(resume['offset']) <= st.size) {
      this.ino = st.ino;
      this.restartAt(Number(resume['offset']));
      this.opts.resume = undefined;
      return;
    }
    this.ino = st.ino;
    this.restartAt(at === 'end' ? st.size : 0);
  }

  private restartAt(offset: number): void {
    this.offset = offset;
    this.lineEnd = offset;
    this.splitter.reset();
  }

  private readAvailable(): void {
    if (this.fd === undefined) return;
    for (let total = 0; total < BYTES_PER_TURN; ) {
      const got = readSync(this.fd, this.buf, 0, CHUNK, this.offset);
      if (got === 0) break;
      this.offset += got;
      total += got;
      this.splitter.push(this.buf.subarray(0, got));
      this.lineEnd = this.offset - this.splitter.pending;
    }
  }

  private newSplitter(): LineSplitter {
    return new LineSplitter(MAX_LINE, (line, truncated) => {
      if (truncated) this.stats.oversized++;
      if (!this.parse) this.parse = lineReader(this.opts.format ?? sniffLine(line, this.opts.path), this.opts.path);
      const lineNo = ++this.lineNo;
      const lines = this.parse(line);
      for (const l of lines) l.origin = { source: this.opts.path, line: lineNo };
      this.stats.lines += lines.length;
      for (const l of lines) this.batch.push(l);
    });
  }

  private flushBatch(): void {
    if (this.batch.length === 0 || !this.emit) return;
    const lines = this.batch;
    this.batch = [];
    this.emit(lines, { ino: this.ino, offset: this.lineEnd });
  }
}

/** A line's format; binary junk and the journal's export format (not line based) read as console text. */
function sniffLine(line: Buffer, path: string): Exclude<ConcreteFormat, 'journal-export'> {
  try {
    const f = sniffFormat(line, path);
    return f === 'journal-export' ? 'console' : f;
  } catch {
    return 'console';
  }
}

function statOrUndefined(path: string): { ino: number } | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
