import type { LogLine } from '../log-line.js';
import { MAX_LINE_BYTES } from '../split-lines.js';
import { JOURNAL_FIELDS, journalRecordLines, type JournalField, type JournalRecord } from './journal-record.js';

const LF = 10;
const EQUALS = 61;
const WANTED: ReadonlySet<string> = new Set(JOURNAL_FIELDS);
/** A binary value longer than this is streamed past instead of waiting for all of it. */
const BUFFER_LIMIT = 4 << 20;

/**
 * `journalctl -o export`, parsed as bytes since binary values hold any byte: entries separated
 * by an empty line, each field `NAME=value\n`, or `NAME\n` + 64-bit little-endian length +
 * the bytes + `\n`. Only the fields a LogLine needs are decoded; a value longer than
 * MAX_LINE_BYTES keeps its head and marks the entry truncated; huge values are skipped in a
 * stream, never held whole. `origin.line` is the entry's 1-based number.
 */
export class JournalExportFormat {
  private rest: Buffer | undefined;
  private record: JournalRecord = {};
  private recordNo = 0;
  private fields = 0;
  private truncated = false;
  /** Bytes of an oversized value (plus its LF) still to pass, and the head kept of it. */
  private skip = 0;
  private skipField: JournalField | undefined;
  private skipHead: Buffer[] = [];
  private skipHeadBytes = 0;
  /** Inside an oversized `NAME=value` line: drop bytes up to the next LF. */
  private dropToLf = false;

  constructor(private readonly source: string) {}

  push(chunk: Buffer, out: LogLine[]): void {
    const buf = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    this.rest = undefined;
    let pos = 0;
    if (this.skip > 0) {
      const n = Math.min(this.skip, buf.length);
      this.keepHead(buf.subarray(0, Math.min(n, this.skip - 1)));
      this.skip -= n;
      pos = n;
      if (this.skip > 0) return;
      this.finishSkipped();
    }
    if (this.dropToLf) {
      const nl = buf.indexOf(LF);
      if (nl < 0) return;
      this.dropToLf = false;
      pos = nl + 1;
    }
    while (pos < buf.length) {
      if (buf[pos] === LF) {
        this.emit(out);
        pos++;
        continue;
      }
      const nl = buf.indexOf(LF, pos);
      if (nl < 0) {
        if (buf.length - pos > BUFFER_LIMIT) {
          this.textField(buf, pos, buf.length);
          this.dropToLf = true;
          return;
        }
        break;
      }
      const eq = buf.indexOf(EQUALS, pos);
      if (eq >= 0 && eq < nl) {
        this.textField(buf, pos, nl);
        pos = nl + 1;
        continue;
      }
      // Binary field: NAME LF, u64le length, data, LF.
      if (buf.length < nl + 9) break;
      const len = Number(buf.readBigUInt64LE(nl + 1));
      const data = nl + 9;
      const name = buf.toString('latin1', pos, nl);
      const field = WANTED.has(name) ? (name as JournalField) : undefined;
      if (buf.length >= data + len + 1) {
        if (field) this.setField(field, buf, data, data + len);
        this.fields++;
        pos = data + len + 1;
        continue;
      }
      if (len + 1 + (data - pos) <= BUFFER_LIMIT) break; // wait for the rest
      this.skipField = field;
      this.keepHead(buf.subarray(data));
      this.skip = data + len + 1 - buf.length;
      return;
    }
    if (pos < buf.length) this.rest = Buffer.from(buf.subarray(pos));
  }

  /** The input ended: an entry not followed by an empty line still counts. */
  end(out: LogLine[]): void {
    if (this.skip > 0) this.finishSkipped();
    this.emit(out);
  }

  private textField(buf: Buffer, start: number, end: number): void {
    const eq = buf.indexOf(EQUALS, start);
    this.fields++;
    if (eq < 0 || eq >= end) return;
    const name = buf.toString('latin1', start, eq);
    if (WANTED.has(name)) this.setField(name as JournalField, buf, eq + 1, end);
  }

  private setField(field: JournalField, buf: Buffer, start: number, end: number): void {
    if (end - start > MAX_LINE_BYTES) {
      end = start + MAX_LINE_BYTES;
      if (field === 'MESSAGE') this.truncated = true;
    }
    this.record[field] = buf.toString('utf8', start, end);
  }

  private keepHead(part: Buffer): void {
    if (!this.skipField || this.skipHeadBytes >= MAX_LINE_BYTES) return;
    const take = part.subarray(0, MAX_LINE_BYTES - this.skipHeadBytes);
    this.skipHead.push(Buffer.from(take));
    this.skipHeadBytes += take.length;
  }

  private finishSkipped(): void {
    if (this.skipField) {
      const head = Buffer.concat(this.skipHead);
      this.setField(this.skipField, head, 0, head.length);
      if (this.skipField === 'MESSAGE') this.truncated = true;
    }
    this.fields++;
    this.skip = 0;
    this.skipField = undefined;
    this.skipHead = [];
    this.skipHeadBytes = 0;
  }

  private emit(out: LogLine[]): void {
    if (this.fields === 0) return;
    this.recordNo++;
    journalRecordLines(this.record, { source: this.source, line: this.recordNo }, this.truncated, out);
    this.record = {};
    this.fields = 0;
    this.truncated = false;
  }
}
