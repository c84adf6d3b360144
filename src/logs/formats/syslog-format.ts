import type { LogLine } from '../log-line.js';
import { callerOf, newKernelPrefix, parseKernelPrefix, type KernelPrefix } from './kernel-prefix.js';
import { newSyslogFields, parseSyslogLine, type SyslogFields } from './syslog-line.js';
import { TextFormat } from './text-format.js';
import type { LineScanner, TextWindow } from '../split-lines.js';

/**
 * Syslog files: RFC 3164 (`Nov 23 00:10:45 host kernel: [   12.3] text`, with or without the
 * kernel's `[ ts]`, with or without a `<PRI>`), rsyslog's high-precision
 * `2026-11-23T00:10:45.123456+00:00 host kernel: text` and RFC 5424. Every line carries its
 * `host`: a file where several hosts are interleaved yields lines the report finder keeps apart.
 * Lines of other idents are kept as `ident[pid]: message`; lines that are not syslog at all
 * (a truncated first line, a pasted note) are kept as plain text.
 */
export class SyslogFormat extends TextFormat {
  private readonly f: SyslogFields = newSyslogFields();
  private readonly prefix: KernelPrefix = newKernelPrefix();

  line(s: string, start: number, end: number, lineNo: number, truncated: boolean): void {
    if (start === end) return; // not a record of this format; a flood of them cost ~1 µs each downstream
    const origin = { source: this.source, line: lineNo };
    const f = this.f;
    if (!parseSyslogLine(s, start, end, f)) {
      this.out.push({ text: s.slice(start, end), truncated: truncated || undefined, origin });
      return;
    }
    const rec: LogLine = {
      text: f.text,
      ts: f.ts,
      caller: undefined,
      wallTime: f.wallTime,
      level: f.level,
      facility: f.facility,
      host: f.host,
      truncated: truncated || undefined,
      origin,
    };
    if (f.kernel) this.kernelTimestamp(rec);
    this.out.push(rec);
  }

  /** imklog keeps the kernel's `[ ts]` in the message; a relayed RFC 3164 message may add a space before it. */
  private kernelTimestamp(rec: LogLine): void {
    const t = rec.text;
    const p = t.charCodeAt(0) === 32 && t.charCodeAt(1) === 91 ? 1 : 0;
    const pre = this.prefix;
    const start = parseKernelPrefix(t, p, pre);
    if (start < 0) return;
    rec.text = t.slice(start);
    rec.ts = Number.isNaN(pre.ts) ? undefined : pre.ts;
    rec.caller = callerOf(t, pre);
  }

  /** Passing over a window: no state crosses lines, so its lines are only counted. */
  override skip(w: TextWindow, scanner: LineScanner, lineFeeds?: number): number {
    return this.skipKeepingTail(w, scanner, lineFeeds, 0);
  }
}
