import type { LogLine } from '../log-line.js';
import { callerOf, newKernelPrefix, parseKernelPrefix, type KernelPrefix } from './kernel-prefix.js';
import { isoFromCtime, normalizeIso } from './wall-time.js';
import { isIndented } from './indent.js';
import { TextFormat } from './text-format.js';

const FACILITIES = [
  'kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news',
  'uucp', 'cron', 'authpriv', 'ftp', 'res0', 'res1', 'res2', 'res3',
  'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7',
];
const LEVELS = ['emerg', 'alert', 'crit', 'err', 'warn', 'notice', 'info', 'debug'];

/** `dmesg -x`: `kern  :warn  : ` */
const DECODED_PRIO = /([a-z]+[0-7]?) *:([a-z]+) *: /y;
/** `dmesg -T`: `[Mon Nov 23 00:10:45 2026] ` */
const CTIME = /\[(\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4})\] ?/y;
/** `dmesg --time-format iso`: `2026-11-23T00:10:45,123456+00:00 ` */
const ISO = /(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d,\d+[+-]\d\d:\d\d) ?/y;

/**
 * Human-oriented dmesg output: `dmesg -T`, `dmesg --time-format iso` and `dmesg -x` (alone or
 * combined with the others). The stamps become `wallTime` (dmesg -T prints local time without a
 * zone, so its ISO form has none either); `-x` gives facility and level. Continuation lines of
 * a multi-line message are indented to the prefix width and inherit the first line's fields.
 */
export class DmesgHumanFormat extends TextFormat {
  private readonly prefix: KernelPrefix = newKernelPrefix();
  private last: LogLine | undefined;
  private contWidth = 0;

  line(s: string, start: number, end: number, lineNo: number, truncated: boolean): void {
    if (start === end) return; // not a record of this format; a flood of them cost ~1 µs each downstream
    const origin = { source: this.source, line: lineNo };
    let pos = start;
    let level: number | undefined;
    let facility: number | undefined;
    let wallTime: string | undefined;
    let ts: number | undefined;
    let caller: string | undefined;
    DECODED_PRIO.lastIndex = pos;
    let m = DECODED_PRIO.exec(s);
    if (m) {
      const fac = FACILITIES.indexOf(m[1] as string);
      const lev = LEVELS.indexOf(m[2] as string);
      if (fac >= 0 && lev >= 0) {
        facility = fac;
        level = lev;
        pos = DECODED_PRIO.lastIndex;
      }
    }
    CTIME.lastIndex = pos;
    ISO.lastIndex = pos;
    if ((m = CTIME.exec(s))) {
      wallTime = isoFromCtime((m[1] as string).replace(/ +/g, ' '));
      pos = CTIME.lastIndex;
    } else if ((m = ISO.exec(s))) {
      wallTime = normalizeIso(m[1] as string);
      pos = ISO.lastIndex;
    } else {
      const p = parseKernelPrefix(s, pos, this.prefix);
      if (p >= 0) {
        ts = Number.isNaN(this.prefix.ts) ? undefined : this.prefix.ts;
        caller = callerOf(s, this.prefix);
        pos = p;
      }
    }
    if (pos === start) {
      const last = this.last;
      if (last && isIndented(s, start, end, this.contWidth)) {
        this.out.push({ ...last, text: s.slice(start + this.contWidth, end), truncated: truncated || undefined, origin });
        return;
      }
      this.last = undefined;
      this.out.push({ text: s.slice(start, end), truncated: truncated || undefined, origin });
      return;
    }
    const rec: LogLine = {
      text: s.slice(Math.min(pos, end), end),
      ts,
      caller,
      wallTime,
      level,
      facility,
      truncated: truncated || undefined,
      origin,
    };
    this.last = rec;
    this.contWidth = pos - start;
    this.out.push(rec);
  }
}
