/** Wall-clock stamps of the various formats, rewritten as ISO 8601 strings. */

export const MONTHS: Readonly<Record<string, string>> = {
  Jan: '01',
  Feb: '02',
  Mar: '03',
  Apr: '04',
  May: '05',
  Jun: '06',
  Jul: '07',
  Aug: '08',
  Sep: '09',
  Oct: '10',
  Nov: '11',
  Dec: '12',
};

/** Microseconds since the epoch (journal `__REALTIME_TIMESTAMP`) as UTC with 6 decimals. */
export function isoFromEpochMicros(us: number): string {
  const secs = Math.floor(us / 1e6);
  const micros = us - secs * 1e6;
  return `${new Date(secs * 1000).toISOString().slice(0, 19)}.${String(micros).padStart(6, '0')}Z`;
}

/** `+0000` → `+00:00`, `,123` → `.123`: one spelling for every source. */
export function normalizeIso(stamp: string): string {
  let s = stamp.replace(',', '.');
  const m = /([+-])(\d\d)(\d\d)$/.exec(s);
  if (m) s = `${s.slice(0, m.index)}${m[1]}${m[2]}:${m[3]}`;
  return s;
}

/**
 * A syslog / journalctl short stamp has no year: it becomes ISO 8601's reduced form `--MM-DD`
 * (`--11-23T00:10:45`), which says exactly what is known.
 */
export function isoFromMonthDay(month: string, day: string, time: string): string | undefined {
  const mm = MONTHS[month];
  if (mm === undefined) return undefined;
  return `--${mm}-${day.trim().padStart(2, '0')}T${time}`;
}

/** `Mon Nov 23 00:10:45 2026` (dmesg -T, local time) → `2026-11-23T00:10:45`. */
export function isoFromCtime(stamp: string): string | undefined {
  const m = /^\w{3} (\w{3}) +(\d{1,2}) (\d\d:\d\d:\d\d) (\d{4})$/.exec(stamp);
  if (!m) return undefined;
  const mm = MONTHS[m[1] as string];
  return mm === undefined ? undefined : `${m[4]}-${mm}-${(m[2] as string).padStart(2, '0')}T${m[3]}`;
}
