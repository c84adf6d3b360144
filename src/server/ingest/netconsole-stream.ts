import { consoleLine, parseExtended, type NetconsoleRecord } from './netconsole-records.js';

/** Extended records held while an earlier one is missing: past this many, the gap is taken as lost. */
const REORDER_WINDOW = 64;
/** A plain stream's unfinished line is cut here. */
const MAX_PARTIAL_LINE = 64 << 10;
const MAX_OPEN_FRAGMENTS = 64;

/**
 * One sending host's netconsole stream, put back in order: fragments reassembled, records
 * released in sequence order (a late one within the window still finds its place), gaps in the
 * sequence counted as lost lines. Emits console lines.
 */
export class NetconsoleStream {
  lost = 0;
  release: string | undefined;
  private nextSeq: number | undefined;
  private readonly held = new Map<number, NetconsoleRecord>();
  private readonly fragments = new Map<number, { total: number; parts: Map<number, string>; have: number; first: NetconsoleRecord }>();
  private partial = '';

  constructor(private readonly emit: (line: string) => void) {}

  datagram(text: string): void {
    const rec = parseExtended(text);
    if (!rec) return this.plain(text);
    if (rec.release) this.release = rec.release;
    if (rec.fragment) return this.fragment(rec);
    this.ordered(rec);
  }

  private plain(text: string): void {
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop() ?? '';
    if (this.partial.length > MAX_PARTIAL_LINE) {
      parts.push(this.partial.slice(0, MAX_PARTIAL_LINE));
      this.partial = '';
    }
    for (const p of parts) this.emit(p.replace(/\r$/, ''));
  }

  private fragment(rec: NetconsoleRecord): void {
    const { offset, total } = rec.fragment!;
    let f = this.fragments.get(rec.seq);
    if (!f) {
      if (this.nextSeq !== undefined && rec.seq < this.nextSeq) return;
      if (this.fragments.size >= MAX_OPEN_FRAGMENTS) this.completeFragments(true);
      f = { total, parts: new Map(), have: 0, first: rec };
      this.fragments.set(rec.seq, f);
    }
    if (f.parts.has(offset) || f.total !== total) return;
    f.parts.set(offset, rec.text);
    f.have += Buffer.byteLength(rec.text);
    if (f.have >= f.total) {
      this.fragments.delete(rec.seq);
      this.ordered({ ...f.first, text: this.joined(f.parts), fragment: undefined } as NetconsoleRecord);
    }
  }

  private joined(parts: Map<number, string>): string {
    return [...parts.entries()]
      .sort(([a], [b]) => a - b)
      .map(([, t]) => t)
      .join('');
  }

  private ordered(rec: NetconsoleRecord): void {
    if ((this.nextSeq !== undefined && rec.seq < this.nextSeq) || this.held.has(rec.seq)) return;
    this.held.set(rec.seq, rec);
    this.release_(false);
  }

  /** Emits held records in order; with `force` (or past the window) a gap is skipped and counted lost. */
  private release_(force: boolean): void {
    // The stream's start is not known until a window's worth arrived (or it went quiet): the first datagram may not be the first record.
    if (this.nextSeq === undefined) {
      if (this.held.size === 0 || (!force && this.held.size <= REORDER_WINDOW)) return;
      this.nextSeq = Math.min(...this.held.keys());
    }
    for (;;) {
      const rec = this.held.get(this.nextSeq!);
      if (rec) {
        this.held.delete(rec.seq);
        this.nextSeq = rec.seq + 1;
        this.emit(consoleLine(rec));
        continue;
      }
      if (this.held.size === 0 || (!force && this.held.size <= REORDER_WINDOW)) return;
      const next = Math.min(...this.held.keys());
      this.lost += next - this.nextSeq!;
      this.nextSeq = next;
    }
  }

  private completeFragments(oldestOnly: boolean): void {
    const seqs = [...this.fragments.keys()].sort((a, b) => a - b);
    for (const seq of oldestOnly ? seqs.slice(0, 1) : seqs) {
      const f = this.fragments.get(seq)!;
      this.fragments.delete(seq);
      this.ordered({ ...f.first, text: this.joined(f.parts), fragment: undefined } as NetconsoleRecord);
    }
  }

  /** After a quiet period: what is held goes out, gaps counted, an unfinished plain line ended. */
  flush(): void {
    this.completeFragments(false);
    this.release_(true);
    if (this.partial) {
      this.emit(this.partial);
      this.partial = '';
    }
  }
}
