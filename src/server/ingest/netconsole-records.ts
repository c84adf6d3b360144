/**
 * netconsole datagrams as kernel messages. Plain netconsole sends console text, a line split
 * across datagrams as it pleases; extended netconsole (`+` in the target) sends one record per
 * message: `[release,]level,seq,usec,flags[,ncfrag=OFF/LEN];text`, long ones in fragments, with
 * dictionary lines (` KEY=value`) after the text.
 */
export interface NetconsoleRecord {
  level: number;
  seq: number;
  /** Microseconds since boot. */
  usec: number;
  text: string;
  release?: string;
  fragment?: { offset: number; total: number };
}

const EXTENDED = /^(?:([^,;\s]+),)?(\d{1,2}),(\d{1,20}),(\d{1,20}),([^,;]*)((?:,[a-z]+=[^,;]*)*);/;

/** The extended header, or undefined for plain console text. */
export function parseExtended(datagram: string): NetconsoleRecord | undefined {
  const m = EXTENDED.exec(datagram);
  if (!m) return undefined;
  let body = datagram.slice(m[0].length);
  const rec: NetconsoleRecord = { level: Number(m[2]) & 7, seq: Number(m[3]), usec: Number(m[4]), text: '' };
  if (!Number.isSafeInteger(rec.seq) || !Number.isSafeInteger(rec.usec)) return undefined;
  if (m[1] !== undefined) rec.release = m[1];
  const frag = /,ncfrag=(\d{1,9})\/(\d{1,9})/.exec(m[6] ?? '');
  if (frag) {
    const offset = Number(frag[1]);
    const total = Number(frag[2]);
    if (offset >= total || total > 1 << 20) return undefined;
    rec.fragment = { offset, total };
  } else {
    // Dictionary lines follow the text of a whole record; a fragment's text is raw bytes of the message.
    const nl = body.indexOf('\n');
    if (nl >= 0) body = body.slice(0, nl);
  }
  rec.text = body;
  return rec;
}

/** The message of a record as a console line: `[   12.345678] text`, as `analyze` reads it. */
export function consoleLine(rec: NetconsoleRecord): string {
  const secs = (rec.usec / 1e6).toFixed(6);
  return `[${secs.padStart(12)}] ${rec.text}`;
}
