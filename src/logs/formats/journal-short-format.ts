import type { LogLine } from '../log-line.js';
import { newSyslogFields, parseSyslogLine, type SyslogFields } from './syslog-line.js';
import { isIndented } from './indent.js';
import { TextFormat } from './text-format.js';
import type { LineScanner, TextWindow } from '../split-lines.js';

const BOOT_SEPARATOR = /^-- Boot ([0-9a-f]{32}) --$/;

/**
 * `journalctl -k` text output in the short, short-precise, short-iso, short-iso-precise,
 * short-full, short-monotonic and short-unix styles.
 *
 * Lines journalctl adds itself start with `-- ` (`-- Boot <id> --`, `-- Reboot --`,
 * `-- Logs begin at …`, `-- No entries --`, catalog text): they are not log lines, but a boot
 * separator sets `boot` on the lines after it (`#2`, `#3`… when it names no id). Lines of every
 * ident are kept, with `host` set; a message that is not the kernel's own reads
 * `ident[pid]: message`, as dmesg shows it. journalctl indents the continuation lines of a
 * multi-line message to the column of the message: they get the fields of their first line.
 */
export class JournalShortFormat extends TextFormat {
  private readonly f: SyslogFields = newSyslogFields();
  private boot: string | undefined;
  private boots = 1;
  private last: LogLine | undefined;
  private contWidth = 0;

  line(s: string, start: number, end: number, lineNo: number, truncated: boolean): void {
    if (start === end) return; // not a record of this format; a flood of them cost ~1 µs each downstream
    const origin = { source: this.source, line: lineNo };
    if (s.startsWith('-- ', start)) {
      const line = s.slice(start, end);
      const m = BOOT_SEPARATOR.exec(line);
      if (m) this.boot = m[1];
      else if (line === '-- Reboot --') this.boot = `#${++this.boots}`;
      this.last = undefined;
      return;
    }
    const last = this.last;
    if (last && isIndented(s, start, end, this.contWidth)) {
      this.out.push({ ...last, text: s.slice(start + this.contWidth, end), truncated: truncated || undefined, origin });
      return;
    }
    const f = this.f;
    if (!parseSyslogLine(s, start, end, f)) {
      this.last = undefined;
      this.out.push({ text: s.slice(start, end), boot: this.boot, truncated: truncated || undefined, origin });
      return;
    }
    const rec: LogLine = {
      text: f.text,
      ts: f.ts,
      wallTime: f.wallTime,
      host: f.host,
      boot: this.boot,
      truncated: truncated || undefined,
      origin,
    };
    this.last = rec;
    this.contWidth = f.textStart - start;
    this.out.push(rec);
  }

  /**
   * Passing over a window: its lines counted, the boot separators in it parsed (they set the
   * boot of the lines after), and its last lines kept for the continuation state.
   */
  override skip(w: TextWindow, scanner: LineScanner, lineFeeds?: number): number {
    if (w.garbage) return super.skip(w, scanner);
    const raw = w.raw;
    const tailStart = raw.length - w.lastLines(TAIL_LINES).raw.length;
    for (let at = raw[0] === DASH && raw[1] === DASH ? 0 : raw.indexOf(SEPARATOR_AFTER_LF); at >= 0 && at < tailStart; at = raw.indexOf(SEPARATOR_AFTER_LF, at + 1)) {
      const from = raw[at] === LF ? at + 1 : at;
      if (from >= tailStart) break;
      const lf = raw.indexOf(LF, from);
      const text = raw.toString('latin1', from, lf < 0 || lf > tailStart ? tailStart : lf);
      const m = BOOT_SEPARATOR.exec(text);
      if (m) this.boot = m[1];
      else if (text === '-- Reboot --') this.boot = `#${++this.boots}`;
    }
    return this.skipKeepingTail(w, scanner, lineFeeds, TAIL_LINES);
  }
}

/** Lines kept of a skipped window: a continuation line's first line is rarely further back. */
const TAIL_LINES = 32;
const LF = 10;
const DASH = 0x2d;
const SEPARATOR_AFTER_LF = Buffer.from('\n-- ');
