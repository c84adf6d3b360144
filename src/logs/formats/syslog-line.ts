import { isoFromEpochMicros, isoFromMonthDay, normalizeIso } from './wall-time.js';

/**
 * The header shared by syslog files and `journalctl -o short*` output:
 * `[<PRI>] STAMP [HOST] IDENT[PID]: MESSAGE`, or RFC 5424's
 * `<PRI>1 STAMP HOST APP PROCID MSGID SD MESSAGE`.
 */
export interface SyslogFields {
  wallTime: string | undefined;
  /** From `journalctl -o short-monotonic` only. */
  ts: number | undefined;
  host: string | undefined;
  level: number | undefined;
  facility: number | undefined;
  /** The ident is `kernel`: `text` is the kernel's message alone. */
  kernel: boolean;
  /** The message; for other idents `ident[pid]: message`, as the kernel log shows such lines. */
  text: string;
  /** Where the message proper starts in the line (journalctl indents continuation lines so). */
  textStart: number;
}

const PRI = /<(\d{1,3})>/y;
const RFC5424 = /1 (\S+) (\S+) (\S+) (\S+) (\S+) /y;
const MONTH_DAY = /([A-Z][a-z]{2}) ([ \d]?\d) (\d\d:\d\d:\d\d(?:\.\d+)?) /y;
const ISO = /(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?) /y;
const MONOTONIC = /\[ *(\d+\.\d+)\] /y;
const FULL = /[A-Z][a-z]{2} (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?) ([A-Za-z][\w+-]*) /y;
const UNIX = /(\d{9,11})\.(\d{6}) /y;
const HOST = /(\S+) /y;
const IDENT = /([^\s:[\]]+)(?:\[(\d+)\])?: ?/y;

function at(re: RegExp, s: string, pos: number): RegExpExecArray | null {
  re.lastIndex = pos;
  return re.exec(s);
}

/** Parses s[start, end) into `out`; false when it is not such a line. */
/** Fresh fields for a parser to reuse line after line. */
export function newSyslogFields(): SyslogFields {
  return { wallTime: undefined, ts: undefined, host: undefined, level: undefined, facility: undefined, kernel: false, text: '', textStart: 0 };
}

export function parseSyslogLine(s: string, start: number, end: number, out: SyslogFields): boolean {
  let pos = start;
  out.level = undefined;
  out.facility = undefined;
  out.ts = undefined;
  out.wallTime = undefined;
  let m = at(PRI, s, pos);
  if (m) {
    const prio = Number(m[1]);
    out.level = prio & 7;
    out.facility = prio >> 3;
    pos = PRI.lastIndex;
    const v1 = at(RFC5424, s, pos);
    if (v1) return rfc5424(s, RFC5424.lastIndex, end, v1, out);
    if (s.charCodeAt(pos) === 32) pos++;
  }
  if ((m = at(MONTH_DAY, s, pos))) {
    out.wallTime = isoFromMonthDay(m[1] as string, m[2] as string, m[3] as string);
    pos = MONTH_DAY.lastIndex;
  } else if ((m = at(ISO, s, pos))) {
    out.wallTime = normalizeIso(m[1] as string);
    pos = ISO.lastIndex;
  } else if ((m = at(MONOTONIC, s, pos))) {
    out.ts = Number(m[1]);
    pos = MONOTONIC.lastIndex;
  } else if ((m = at(FULL, s, pos))) {
    const zone = m[3] === 'UTC' ? 'Z' : '';
    out.wallTime = `${m[1]}T${m[2]}${zone}`;
    pos = FULL.lastIndex;
  } else if ((m = at(UNIX, s, pos))) {
    out.wallTime = isoFromEpochMicros(Number(m[1]) * 1e6 + Number(m[2]));
    pos = UNIX.lastIndex;
  } else return false;
  if (pos > end) return false;
  // `HOST IDENT: msg`, or `IDENT: msg` (journalctl --no-hostname).
  let ident = at(IDENT, s, pos);
  if (ident && ident.index === pos && s.charCodeAt(pos + (ident[1] as string).length) !== 32) {
    out.host = undefined;
  } else {
    const h = at(HOST, s, pos);
    if (!h || HOST.lastIndex > end) return false;
    out.host = h[1];
    pos = HOST.lastIndex;
    ident = at(IDENT, s, pos);
  }
  if (!ident || IDENT.lastIndex > end) {
    // No ident: everything after the host is the message.
    out.kernel = false;
    out.textStart = pos;
    out.text = s.slice(pos, end);
    return true;
  }
  out.kernel = ident[1] === 'kernel';
  out.textStart = IDENT.lastIndex;
  out.text = s.slice(out.kernel ? IDENT.lastIndex : pos, end);
  return true;
}

function rfc5424(s: string, pos: number, end: number, m: RegExpExecArray, out: SyslogFields): boolean {
  const [, stamp, host, app, procid] = m as unknown as [string, string, string, string, string];
  out.wallTime = stamp === '-' ? undefined : normalizeIso(stamp);
  out.host = host === '-' ? undefined : host;
  pos = skipStructuredData(s, pos, end);
  if (pos < 0) return false;
  if (s.charCodeAt(pos) === 32) pos++;
  if (s.charCodeAt(pos) === 0xfeff) pos++; // BOM marks a UTF-8 MSG
  out.kernel = app === 'kernel';
  out.textStart = pos;
  const msg = s.slice(pos, end);
  out.text = out.kernel || app === '-' ? msg : `${app}${procid === '-' ? '' : `[${procid}]`}: ${msg}`;
  return true;
}

/** Skips `-` or one or more `[id k="v" …]` elements; -1 when malformed. */
function skipStructuredData(s: string, pos: number, end: number): number {
  if (s.charCodeAt(pos) === 45) return pos + 1;
  if (s.charCodeAt(pos) !== 91) return -1;
  let inQuote = false;
  while (pos < end) {
    const c = s.charCodeAt(pos);
    if (c === 92) pos++; // backslash escapes the next character
    else if (c === 34) inQuote = !inQuote;
    else if (c === 93 && !inQuote && s.charCodeAt(pos + 1) !== 91) return pos + 1;
    pos++;
  }
  return -1;
}
