import { KtError } from '../errors.js';
import { cleanText } from './clean-text.js';
import type { InputFormat } from './log-line.js';

export type ConcreteFormat = Exclude<InputFormat, 'auto'>;

/** How much decompressed input the sniffer looks at. */
export const SNIFF_BYTES = 64 * 1024;
/** Lines examined for the vote. */
const SNIFF_LINES = 2000;
/** Above this share of non-text characters the input is binary. */
const BINARY_SHARE = 0.25;

const EXPORT_FIRST = /^_{0,2}[A-Z][A-Z0-9_]*=/;
const EXPORT_FIELD = /\n(?:MESSAGE|__REALTIME_TIMESTAMP|_BOOT_ID)[=\n]/;
const KMSG = /^\d{1,3},\d+,\d+,[^;]*;/;
const CONSOLE = /^(?:<\d{1,3}>)?\[ *(?:\d+\.\d+|[TC]\d+)\]/;
const DMESG_HUMAN = [
  /^\[\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\]/, // dmesg -T
  /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d,\d+[+-]\d\d:\d\d /, // dmesg --time-format iso
  /^[a-z]+[0-7]? *:(?:emerg|alert|crit|err|warn|notice|info|debug) *: /, // dmesg -x
];
/** Only a journalctl writes these. */
const JOURNAL = [
  /^-- (?:Boot [0-9a-f]{32}|Reboot|Logs begin at|Journal begins at|No entries)/,
  /^\[ *\d+\.\d+\] \S+ kernel: /, // short-monotonic
  /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?[+-]\d{4} \S+ /, // short-iso: offset without colon
  /^[A-Z][a-z]{2} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? \S+ \S+ /, // short-full
  /^\d{9,11}\.\d{6} \S+ /, // short-unix
];
/** Only a syslog daemon (or its wire format) writes these. */
const SYSLOG = [
  /^<\d{1,3}>(?!\[)/, // PRI: RFC 5424, RFC 3164 on the wire (`<4>[` is dmesg -r)
  /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d) \S+ /, // rsyslog high precision
  /^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ kernel: \[ *\d+\.\d+\]/, // imklog keeps [ ts]
];
/** Either: `Nov 23 00:10:45 host ident: text` (journalctl -o short or a plain syslog file). */
const SHORT = /^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d(?:\.\d+)? \S+ \S+/;

/**
 * Decides the format from the first SNIFF_BYTES of decompressed input, and refuses binary data.
 * vmcore-dmesg output looks exactly like dmesg: it is sniffed as `console` (same LogLines,
 * except that bare lines are not taken as continuations); say `vmcore-dmesg` to get that.
 */
export function sniffFormat(sample: Buffer, source: string): ConcreteFormat {
  refuseBinary(sample, source);
  const text = sample.toString('utf8');
  const firstLine = text.slice(0, text.indexOf('\n') >>> 0).trim();
  if (EXPORT_FIRST.test(firstLine) && (EXPORT_FIELD.test(text) || /^(?:MESSAGE|__CURSOR)=/.test(firstLine))) {
    return 'journal-export';
  }
  if (firstLine.startsWith('{') && /"(?:MESSAGE|__CURSOR|__REALTIME_TIMESTAMP)"/.test(firstLine)) return 'journal-json';
  const votes = { console: 0, human: 0, journal: 0, syslog: 0, short: 0, kmsg: 0, indented: 0 };
  let seen = 0;
  for (const raw of text.split('\n')) {
    if (seen >= SNIFF_LINES) break;
    const line = cleanText(withoutTrailingCrs(raw));
    if (line.trim() === '') continue;
    seen++;
    if (/^ {16}/.test(line)) votes.indented++;
    if (KMSG.test(line)) votes.kmsg++;
    else if (JOURNAL.some((re) => re.test(line))) votes.journal++;
    else if (SYSLOG.some((re) => re.test(line))) votes.syslog++;
    else if (DMESG_HUMAN.some((re) => re.test(line))) votes.human++;
    else if (CONSOLE.test(line)) votes.console++;
    else if (SHORT.test(line)) votes.short++;
  }
  const best = Math.max(votes.console, votes.human, votes.journal + votes.syslog + votes.short, votes.kmsg);
  if (best === 0) return 'console';
  if (votes.kmsg === best) return 'kmsg';
  if (votes.journal + votes.syslog + votes.short === best) {
    if (votes.syslog > votes.journal) return 'syslog';
    if (votes.journal > 0) return 'journal-short';
    // Plain `Mmm dd hh:mm:ss host ident:` lines: journalctl if it indented continuation lines.
    return votes.indented > 0 ? 'journal-short' : 'syslog';
  }
  if (votes.human === best) return 'dmesg-human';
  return 'console';
}

/** Executables, dumps, random bytes: one clear error instead of pages of nonsense. */
function refuseBinary(sample: Buffer, source: string): void {
  const what = knownBinary(sample);
  if (what) throw new KtError('KT_E_BINARY_INPUT', `${source}: ${what}, not a kernel log`);
  if (sample.length === 0) return;
  const text = sample.toString('utf8');
  let bad = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0xfffd || (c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 27 && c !== 12) || c === 127) bad++;
  }
  if (bad / text.length > BINARY_SHARE) {
    const pct = Math.round((100 * bad) / text.length);
    throw new KtError(
      'KT_E_BINARY_INPUT',
      `${source}: binary data (${pct}% of the first ${sample.length} bytes are not text), not a kernel log`,
    );
  }
}

function knownBinary(b: Buffer): string | undefined {
  const head = b.toString('latin1', 0, 8);
  if (head.startsWith('\x7fELF')) return 'an ELF file (a vmcore or a program?)';
  if (head === 'LPKSHHRH') return 'a binary systemd journal file (read it with journalctl --file=FILE -o export)';
  if (head.startsWith('KDUMP   ') || head.startsWith('makedump')) return 'a kdump-compressed vmcore';
  return undefined;
}

/** `s` without the CRs it ends with; `/\r+$/` tries every start in a run of CRs not at the end (quadratic). */
function withoutTrailingCrs(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 13) end--;
  return end === s.length ? s : s.slice(0, end);
}
