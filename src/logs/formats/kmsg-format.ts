import type { LogLine } from '../log-line.js';
import { cleanText, HAS_GARBAGE } from '../clean-text.js';
import { TextFormat } from './text-format.js';
import type { LineScanner, TextWindow } from '../split-lines.js';

const RECORD = /(\d+),(\d+),(\d+),([^,;]*)((?:,[^;]*)?);/y;
const CALLER = /(?:^|,)caller=([TC]\d+)/;

/**
 * /dev/kmsg records: `prio,seq,usec,flags[,caller=T1…];text`, text with non-printable bytes
 * escaped as `\xNN`. The ` KEY=value` lines after a record (SUBSYSTEM=, DEVICE=) are device
 * metadata, not log lines, and are skipped. A text holding newlines (escaped `\x0a`) becomes one
 * LogLine per line, all with the record's seq, ts and level.
 */
export class KmsgFormat extends TextFormat {
  line(s: string, start: number, end: number, lineNo: number, truncated: boolean): void {
    if (start === end) return; // not a record of this format; a flood of them cost ~1 µs each downstream
    if (s.charCodeAt(start) === 32) return; // KEY=value metadata of the previous record
    const origin = { source: this.source, line: lineNo };
    RECORD.lastIndex = start;
    const m = RECORD.exec(s);
    if (!m || RECORD.lastIndex > end) {
      this.out.push({ text: s.slice(start, end), truncated: truncated || undefined, origin });
      return;
    }
    const prio = Number(m[1]);
    const seq = Number(m[2]);
    const ts = Number(m[3]) / 1e6;
    const caller = m[5] ? CALLER.exec(m[5])?.[1] : undefined;
    const raw = s.slice(RECORD.lastIndex, end);
    const text = raw.indexOf('\\x') >= 0 ? unescapeKmsg(raw) : raw;
    for (const piece of text.split('\n')) {
      const rec: LogLine = {
        text: HAS_GARBAGE.test(piece) ? cleanText(piece) : piece,
        ts,
        seq,
        level: prio & 7,
        facility: prio >> 3,
        caller,
        truncated: truncated || undefined,
        origin,
      };
      this.out.push(rec);
    }
  }

  /** Passing over a window: no state crosses lines, so its lines are only counted. */
  override skip(w: TextWindow, scanner: LineScanner, lineFeeds?: number): number {
    return this.skipKeepingTail(w, scanner, lineFeeds, 0);
  }
}

/** `\xNN` → byte NN; the bytes are UTF-8 (the kernel escapes every byte ≥ 0x80 too). */
export function unescapeKmsg(s: string): string {
  const bytes = Buffer.allocUnsafe(Buffer.byteLength(s));
  let n = 0;
  for (let i = 0; i < s.length; ) {
    if (s.charCodeAt(i) === 92 && s.charCodeAt(i + 1) === 120) {
      const hex = s.slice(i + 2, i + 4);
      if (/^[0-9a-fA-F]{2}$/.test(hex)) {
        bytes[n++] = parseInt(hex, 16);
        i += 4;
        continue;
      }
    }
    const ch = String.fromCodePoint(s.codePointAt(i) as number);
    n += bytes.write(ch, n);
    i += ch.length;
  }
  return bytes.toString('utf8', 0, n);
}
