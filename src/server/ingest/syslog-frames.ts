import { newSyslogFields, parseSyslogLine } from '../../logs/formats/syslog-line.js';

/** Longest syslog message taken (RFC 5425 asks receivers for at least 8 KiB). */
export const MAX_SYSLOG_FRAME = 64 << 10;

export interface SyslogMessage {
  host?: string;
  facility?: number;
  /** The message is the kernel's (facility kern, or the ident `kernel`). */
  kernel: boolean;
  text: string;
}

/** One RFC 5424 or RFC 3164 message; undefined when it is not syslog. */
export function parseSyslogMessage(frame: string): SyslogMessage | undefined {
  // Not a /[\r\n]+$/ regex: that is quadratic on a frame of many line breaks.
  let end = frame.length;
  while (end > 0 && (frame.charCodeAt(end - 1) === 10 || frame.charCodeAt(end - 1) === 13)) end--;
  const line = frame.slice(0, end);
  if (!line.startsWith('<')) return undefined;
  const f = newSyslogFields();
  if (!parseSyslogLine(line, 0, line.length, f)) return undefined;
  const msg: SyslogMessage = { kernel: f.kernel || f.facility === 0, text: f.text };
  if (f.host) msg.host = f.host;
  if (f.facility !== undefined) msg.facility = f.facility;
  return msg;
}

/**
 * Splits a TCP syslog byte stream into frames: octet counting (`LEN SP MSG`, RFC 6587 3.4.1)
 * when a frame starts with a digit, else LF-terminated (3.4.2). Frames over the limit are
 * skipped and counted.
 */
export class SyslogTcpFramer {
  private buf: Buffer = Buffer.alloc(0);
  private skipping = 0;
  oversized = 0;

  constructor(private readonly onFrame: (frame: string) => void) {}

  push(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    for (;;) {
      if (this.skipping > 0) {
        const n = Math.min(this.skipping, this.buf.length);
        this.skipping -= n;
        this.buf = this.buf.subarray(n);
        if (this.skipping > 0) return;
      }
      if (this.buf.length === 0) return;
      const c = this.buf[0]!;
      if (c >= 0x30 && c <= 0x39) {
        const sp = this.buf.indexOf(0x20);
        if (sp < 0) {
          if (this.buf.length <= 10 || !this.lfFrame()) return;
          continue;
        }
        const len = Number(this.buf.subarray(0, sp).toString('latin1'));
        if (!/^\d{1,9}$/.test(this.buf.subarray(0, sp).toString('latin1'))) {
          if (!this.lfFrame()) return;
          continue;
        }
        if (len > MAX_SYSLOG_FRAME) {
          this.oversized++;
          this.buf = this.buf.subarray(sp + 1);
          this.skipping = len;
          continue;
        }
        if (this.buf.length < sp + 1 + len) return;
        this.onFrame(this.buf.subarray(sp + 1, sp + 1 + len).toString('utf8'));
        this.buf = this.buf.subarray(sp + 1 + len);
        continue;
      }
      if (!this.lfFrame()) return;
    }
  }

  /** One LF-terminated frame off the front; false when none is complete yet. */
  private lfFrame(): boolean {
    const nl = this.buf.indexOf(0x0a);
    if (nl < 0) {
      if (this.buf.length > MAX_SYSLOG_FRAME) {
        this.oversized++;
        this.buf = Buffer.alloc(0);
      }
      return false;
    }
    if (nl > MAX_SYSLOG_FRAME) this.oversized++;
    else this.onFrame(this.buf.subarray(0, nl).toString('utf8'));
    this.buf = this.buf.subarray(nl + 1);
    return true;
  }

  /** The connection ended: a last unterminated frame still counts. */
  end(): void {
    if (this.buf.length > 0 && this.buf.length <= MAX_SYSLOG_FRAME && this.skipping === 0) this.onFrame(this.buf.toString('utf8'));
    this.buf = Buffer.alloc(0);
  }
}
