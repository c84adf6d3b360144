import type { LineOrigin, LogLine } from '../log-line.js';
import { cleanText, HAS_GARBAGE } from '../clean-text.js';
import { isoFromEpochMicros } from './wall-time.js';

/** The journal fields a LogLine is made of; both JSON and export records give them as text. */
export const JOURNAL_FIELDS = [
  'MESSAGE',
  '_SOURCE_MONOTONIC_TIMESTAMP',
  '__REALTIME_TIMESTAMP',
  'PRIORITY',
  'SYSLOG_FACILITY',
  'SYSLOG_IDENTIFIER',
  'SYSLOG_PID',
  '_HOSTNAME',
  '_BOOT_ID',
] as const;
export type JournalField = (typeof JOURNAL_FIELDS)[number];
export type JournalRecord = Partial<Record<JournalField, string>>;

/** The latest instant a JS Date holds (8.64e15 ms), in µs: a later stamp is damage, not a time. */
const MAX_EPOCH_MICROS = 8.64e18;

/** A journal number is decimal digits, exact in a double; anything else (`abc`, `1e300`, `-1`, 2^64) is damage: no value. */
function journalInteger(field: string | undefined): number | undefined {
  if (field === undefined || !/^\d{1,16}$/.test(field)) return undefined;
  const n = Number(field);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * One journal entry → its LogLines: `_SOURCE_MONOTONIC_TIMESTAMP` (µs) is the kernel's own
 * stamp, `__REALTIME_TIMESTAMP` the wall clock. A message of several lines gives one LogLine per
 * line. Messages of other idents read `ident[pid]: message`, as dmesg shows lines user space
 * wrote to /dev/kmsg. The journal's own sequence number is not printk's and is not used as `seq`.
 */
export function journalRecordLines(r: JournalRecord, origin: LineOrigin, truncated: boolean, out: LogLine[]): void {
  const message = r.MESSAGE;
  if (message === undefined) return;
  const mono = r._SOURCE_MONOTONIC_TIMESTAMP;
  const real = r.__REALTIME_TIMESTAMP;
  const ident = r.SYSLOG_IDENTIFIER;
  const pid = r.SYSLOG_PID;
  const prefix = ident === undefined || ident === 'kernel' ? '' : `${ident}${pid === undefined ? '' : `[${pid}]`}: `;
  const monoMicros = journalInteger(mono);
  const realMicros = journalInteger(real);
  const ts = monoMicros === undefined ? undefined : monoMicros / 1e6;
  const wallTime = realMicros === undefined || realMicros > MAX_EPOCH_MICROS ? undefined : isoFromEpochMicros(realMicros);
  const level = journalInteger(r.PRIORITY);
  const facility = journalInteger(r.SYSLOG_FACILITY);
  const lines = message.split('\n');
  // A trailing newline is not an extra empty line.
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const piece = lines[i] as string;
    const text = i === 0 ? prefix + piece : piece;
    out.push({
      text: HAS_GARBAGE.test(text) ? cleanText(text) : text,
      ts,
      wallTime,
      level,
      facility,
      host: r._HOSTNAME,
      boot: r._BOOT_ID,
      truncated: truncated || undefined,
      origin,
    });
  }
}
