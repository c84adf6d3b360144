import { closeSync, constants, openSync, readSync } from 'node:fs';
import type { LogLine } from '../logs/log-line.js';
import { KmsgFormat } from '../logs/formats/kmsg-format.js';
import { LineSplitter } from './line-splitter.js';
import { newStats, type LineSource, type SourceCursor, type SourceStats } from './source.js';

/**
 * A record device: `read` returns bytes read (0 at the end of a FIFO's writer), throws EAGAIN
 * when nothing is ready and EPIPE when the kernel overwrote records not yet read (the next read
 * then starts at the oldest record still there). /dev/kmsg opened non-blocking, or a FIFO in
 * tests; a test may wrap one to inject EPIPE.
 */
export interface RecordDevice {
  read(buf: Buffer): number;
  close(): void;
}

export function openRecordDevice(path: string): RecordDevice {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  return {
    read: (buf) => readSync(fd, buf, 0, buf.length, null),
    close: () => closeSync(fd),
  };
}

const RECORD_HEAD = /^(\d{1,3}),(\d+),(\d+),[^;]*;/;
/** A /dev/kmsg record is at most ~8 KiB (CONSOLE_EXT_LOG_MAX); a read needs room for one. */
const READ_BYTES = 16 * 1024;
const MAX_RECORD = 64 * 1024;
/** Records read per turn of the event loop before letting others run. */
const RECORDS_PER_TURN = 2000;

export interface KmsgOptions {
  path: string;
  /** `start`: every record the buffer holds; `now`: from records stamped after `nowUptime`; a number: after this seq. */
  from: 'start' | 'now' | number;
  /** Seconds since boot at start (for `from: 'now'`) . */
  nowUptime?: number;
  /** Wall-clock ms of boot (for the lag), from /proc/uptime. */
  bootWallMs?: number;
  pollMs?: number;
  /** Opens the device (tests wrap it). */
  open?: (path: string) => RecordDevice;
}

/**
 * Follows /dev/kmsg: one record per read on the device (bytes split at LF for a FIFO), device
 * metadata lines (` KEY=value`) skipped, malformed records refused and counted, a sequence gap
 * or an EPIPE counted as lost records. Non-blocking reads polled every `pollMs`: nothing waits
 * in the thread pool and stopping is immediate.
 */
export class KmsgSource implements LineSource {
  readonly name: string;
  readonly stats: SourceStats = newStats();
  private device: RecordDevice | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly splitter: LineSplitter;
  /** The kmsg parser `analyze` reads records with, called a record at a time (the pipeline's lineReader costs twice as much a line here). */
  private readonly format = new KmsgFormat('kmsg');
  private expectedSeq: number | undefined;
  private lastSeq: number | undefined;
  private lastUsec = 0;
  private batch: LogLine[] = [];
  private emit: ((lines: LogLine[], cursor: SourceCursor) => void) | undefined;
  private readonly buf = Buffer.allocUnsafe(READ_BYTES);
  /** EPIPE seen: the next record's gap is the loss, not counted again. */
  private overrun = false;
  epipes = 0;

  constructor(private readonly opts: KmsgOptions) {
    this.name = `kmsg:${opts.path}`;
    this.splitter = new LineSplitter(MAX_RECORD, (line, truncated) => this.record(line, truncated));
  }

  start(emit: (lines: LogLine[], cursor: SourceCursor) => void): void {
    this.emit = emit;
    this.device = (this.opts.open ?? openRecordDevice)(this.opts.path);
    this.poll();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.device?.close();
    this.device = undefined;
  }

  /** Reads what is ready, hands it on, and comes back. */
  poll(): void {
    this.timer = undefined;
    const device = this.device;
    if (!device) return;
    let again = false;
    for (let n = 0; n < RECORDS_PER_TURN; n++) {
      let got: number;
      try {
        got = device.read(this.buf);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EPIPE') {
          this.epipes++;
          this.overrun = true;
          continue;
        }
        if (code === 'EAGAIN' || code === 'EWOULDBLOCK') break;
        if (code === 'EINVAL') {
          // A record bigger than the buffer: skip it, counted.
          this.stats.oversized++;
          continue;
        }
        throw e;
      }
      if (got === 0) break;
      this.splitter.push(this.buf.subarray(0, got));
      if (n === RECORDS_PER_TURN - 1) again = true;
    }
    this.flushBatch();
    if (this.device) {
      this.timer = setTimeout(() => this.poll(), again ? 0 : (this.opts.pollMs ?? 100));
      this.timer.unref?.();
    }
  }

  record(bytes: Buffer, truncated: boolean): void {
    if (bytes.length === 0 || bytes[0] === 32) return; // device metadata of the previous record
    if (truncated) {
      // No real record is this long (the kernel caps one at ~8 KiB): junk, refused whole.
      this.stats.oversized++;
      return;
    }
    const text = bytes.toString('utf8');
    const head = RECORD_HEAD.exec(text);
    if (!head) {
      this.stats.malformed++;
      return;
    }
    const seq = Number(head[2]);
    const usec = Number(head[3]);
    if (this.expectedSeq !== undefined && seq > this.expectedSeq) this.stats.lost += seq - this.expectedSeq;
    else if (this.overrun && this.expectedSeq === undefined) this.stats.lost++;
    this.overrun = false;
    if (this.expectedSeq === undefined || seq >= this.expectedSeq) this.expectedSeq = seq + 1;
    const from = this.opts.from;
    if (typeof from === 'number' ? seq <= from : from === 'now' && usec / 1e6 < (this.opts.nowUptime ?? 0)) return;
    this.lastSeq = seq;
    // Appends to the batch; origin is `kmsg` and the record's seq.
    const before = this.batch.length;
    this.format.out = this.batch;
    this.format.line(text, 0, text.length, seq, false);
    this.stats.lines += this.batch.length - before;
    this.lastUsec = usec;
  }

  private flushBatch(): void {
    if (this.batch.length === 0 || !this.emit) return;
    const lines = this.batch;
    this.batch = [];
    if (this.opts.bootWallMs !== undefined) this.stats.lagSeconds = Math.max(0, (Date.now() - this.opts.bootWallMs) / 1000 - this.lastUsec / 1e6);
    this.emit(lines, { seq: this.lastSeq ?? -1 });
  }
}
