import { JOURNAL_FIELDS, journalRecordLines, type JournalRecord } from './journal-record.js';
import { TextFormat } from './text-format.js';

/**
 * `journalctl -o json`: one object per line. A value is a string, an array of byte values
 * (binary or non-UTF-8 data), null (too large, left out by journalctl), or an array of those
 * when the field occurs several times (the first is used).
 */
export class JournalJsonFormat extends TextFormat {
  line(s: string, start: number, end: number, lineNo: number, truncated: boolean): void {
    const origin = { source: this.source, line: lineNo };
    const raw = s.slice(start, end);
    if (raw.trim() === '') return;
    let obj: unknown;
    try {
      obj = JSON.parse(raw);
    } catch {
      obj = undefined;
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
      // Not a journal entry (a cut line, a stray message): keep it as text rather than lose it.
      this.out.push({ text: raw, truncated: truncated || undefined, origin });
      return;
    }
    const entry = obj as Record<string, unknown>;
    const record: JournalRecord = {};
    for (const key of JOURNAL_FIELDS) {
      const v = fieldText(entry[key]);
      if (v !== undefined) record[key] = v;
    }
    journalRecordLines(record, origin, truncated, this.out);
  }
}

function fieldText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (!Array.isArray(v) || v.length === 0) return undefined;
  if (v.every((b) => typeof b === 'number')) return Buffer.from(v as number[]).toString('utf8');
  return fieldText(v[0]);
}
