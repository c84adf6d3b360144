import type { LogLine } from '../log-line.js';
import { LineScanner, type LineVisitor, type TextWindow } from '../split-lines.js';

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
  resume(): void {}
}
