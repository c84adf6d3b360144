import type { LogLine } from '../log-line.js';
import { LineScanner, TextWindow, type LineVisitor } from '../split-lines.js';

/**
 * A line-based format: sees every physical line of one input in order (as `s.slice(start, end)`)
 * and appends the LogLines it makes to `out`. One instance reads one input, so it may keep state
 * across lines (continuation lines, the current boot).
 */
export abstract class TextFormat implements LineVisitor {
  /** Where LogLines go; the reader swaps in a fresh array for every batch. */
  out: LogLine[] = [];
  constructor(protected readonly source: string) {}
  abstract line(
    s: string,
    start: number,
    end: number,
    lineNo: number,
    truncated: boolean,
    bytes: Uint8Array | undefined,
  ): void;

  /**
   * Passes over a window nobody wants the LogLines of, keeping numbering and state right;
   * returns how many LogLines it held (or physical lines, when only those were counted).
   * This default parses it all; formats override it with something cheaper, which may take the
   * window's LF count from `lineFeeds` when a byte scan knows it.
   */
  skip(w: TextWindow, scanner: LineScanner, _lineFeeds?: number): number {
    this.resume();
    const saved = this.out;
    const scratch: LogLine[] = [];
    this.out = scratch;
    scanner.scan(w, this);
    this.out = saved;
    return scratch.length;
  }

  /** Lines are about to be read after skipped ones: bring state a skip left for later up to date. */
  resume(): void {
    const tail = this.keptTail;
    if (tail === undefined) return;
    this.keptTail = undefined;
    const saved = this.out;
    this.out = [];
    new LineScanner().scan(tail, this);
    this.out = saved;
  }

  /** The last lines of the last window passed over, parsed (for their state only) when reading resumes. */
  private keptTail: TextWindow | undefined;

  /**
   * A cheap `skip` for formats whose state across lines comes from the last few lines alone
   * (a continuation line inherits its first line's fields): the window's lines are counted, and
   * its last `tailLines` kept (a copy: the read buffer is reused) to be parsed if lines are read
   * next. Returns the window's physical lines.
   */
  protected skipKeepingTail(w: TextWindow, scanner: LineScanner, lineFeeds: number | undefined, tailLines: number): number {
    if (w.garbage) return TextFormat.prototype.skip.call(this, w, scanner);
    const n = scanner.skip(w, lineFeeds);
    if (tailLines > 0) {
      const tail = w.lastLines(tailLines);
      this.keptTail = new TextWindow(Buffer.from(tail.raw), tail.cutFirst && tail === w);
    }
    return n;
  }
}
