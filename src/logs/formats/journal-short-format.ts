import type { LogLine } from '../log-line.js';
import { newSyslogFields, parseSyslogLine, type SyslogFields } from './syslog-line.js';
import { isIndented } from './indent.js';
import { TextFormat } from './text-format.js';

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
}
