import { callerOf, newKernelPrefix, parseKernelPrefix, parseKernelPrefixBytes, type KernelPrefix } from './kernel-prefix.js';
import { isIndented } from './indent.js';
import { LineScanner, TextWindow } from '../split-lines.js';
import { TextFormat } from './text-format.js';

const SPACE = 32;
const LT = 60;
const GT = 62;
const LBRACKET = 91;
const REPLACEMENT = 0xfffd;

/**
 * Raw serial console captures and plain `dmesg` / `dmesg -r` output: `[ ts]`, caller ids and a
 * `<N>` level prefix are optional on every line; lines without them (user space writing to the
 * console, `** replaying previous printk message **`) are kept as they are.
 *
 * dmesg prints the continuation lines of a multi-line message indented to the width of the
 * prefix; such a line inherits the fields of its first line. With `unprefixedContinue` (vmcore
 * logs, where every record has a prefix) any line without one continues the previous record.
 */
/** The last lines of a skipped window copied without allocating, when they are no longer than this. */
const SKIPPED_TAIL_BYTES = 16 * 1024;

export class ConsoleFormat extends TextFormat {
  private readonly prefix: KernelPrefix = newKernelPrefix();
  private readonly scratch: KernelPrefix = newKernelPrefix();
  /** Prefix width and fields of the last prefixed line, for continuation lines. */
  private contWidth = 0;
  private contTs: number | undefined;
  private contCaller: string | undefined;
  private contLevel: number | undefined;
  private contFacility: number | undefined;
  /** The last lines of the window skipped last, not parsed yet (see `skip`). */
  private skippedTail: TextWindow | undefined;
  private tailBuffer: Buffer | undefined;

  constructor(
    source: string,
    private readonly unprefixedContinue = false,
  ) {
    super(source);
  }

  line(s: string, start: number, end: number, lineNo: number, truncated: boolean, bytes: Uint8Array | undefined): void {
    // A loop, not recursion: one line may hold thousands of prefixes (see `emit`).
    let next = this.segment(s, start, end, lineNo, truncated, bytes);
    while (next >= 0) next = this.segment(s, next, end, lineNo, truncated, undefined);
  }

  /** One kernel line starting at `start`; returns where the next one starts on the same physical line, or -1. */
  private segment(s: string, start: number, end: number, lineNo: number, truncated: boolean, bytes: Uint8Array | undefined): number {
    const origin = { source: this.source, line: lineNo };
    let c = s.charCodeAt(start);
    if (c === REPLACEMENT) {
      // Line noise before the prefix (a serial port waking up).
      while (start < end && s.charCodeAt(start) === REPLACEMENT) start++;
      c = s.charCodeAt(start);
    }
    if (c === LBRACKET || c === LT) {
      let level: number | undefined;
      let facility: number | undefined;
      let p = start;
      if (c === LT) {
        const close = levelPrefixEnd(s, start);
        if (close > 0) {
          const prio = Number(s.slice(start + 1, close));
          level = prio & 7;
          facility = prio >> 3;
          p = close + 1;
        }
      }
      const pre = this.prefix;
      const textStart = bytes ? parseKernelPrefixBytes(bytes, p, pre) : parseKernelPrefix(s, p, pre);
      if (textStart >= 0 || p > start) {
        const from = Math.min(textStart >= 0 ? textStart : p, end);
        const ts = textStart >= 0 && pre.ts === pre.ts ? pre.ts : undefined; // NaN: no timestamp
        const caller = textStart >= 0 ? callerOf(s, pre) : undefined;
        this.contWidth = from - start;
        this.contTs = ts;
        this.contCaller = caller;
        this.contLevel = level;
        this.contFacility = facility;
        return this.emit(s, from, end, ts, caller, level, facility, origin, truncated);
      }
    } else if (this.contWidth > 0) {
      const indented = c === SPACE && isIndented(s, start, end, this.contWidth);
      if (indented || this.unprefixedContinue) {
        const from = indented ? start + this.contWidth : start;
        return this.emit(s, from, end, this.contTs, this.contCaller, this.contLevel, this.contFacility, origin, truncated);
      }
    }
    if (!this.unprefixedContinue) this.contWidth = 0;
    return this.emit(s, start, end, undefined, undefined, undefined, undefined, origin, truncated);
  }

  /**
   * Console output of two sources can share one physical line (`syzkaller login: [  709.68] INFO:
   * …`, `** 93 printk messages dropped ** [ 322.96] BUG: …`, a continuation line run into the next
   * message): a kernel line starts at every timestamped prefix, wherever it is. Returns where
   * the next one starts, or -1.
   */
  private emit(
    s: string,
    from: number,
    end: number,
    ts: number | undefined,
    caller: string | undefined,
    level: number | undefined,
    facility: number | undefined,
    origin: { source: string; line: number },
    truncated: boolean,
  ): number {
    const cut = midLinePrefix(s, from, end, this.scratch);
    if (cut < 0) {
      this.push(s.slice(from, end), ts, caller, level, facility, origin, truncated);
      return -1;
    }
    if (s.slice(from, cut).trim() !== '') this.push(s.slice(from, cut), ts, caller, level, facility, origin, truncated);
    return cut;
  }

  /**
   * Skipping a window: count its lines, and take the continuation state from its last lines
   * (what a continuation line at the start of the next window would inherit). Those lines are
   * parsed only if lines are read next (`resume`): most skipped windows are followed by more.
   */
  override skip(w: TextWindow, scanner: LineScanner, lineFeeds?: number): number {
    if (w.garbage) return super.skip(w, scanner);
    const n = scanner.skip(w, lineFeeds);
    const tail = this.stateSetting(w);
    // A copy: the read buffer is reused for later input. Into a buffer of this format's own
    // when it fits: only the last skipped tail is ever parsed, and its lines are not kept.
    const raw = tail.raw;
    let copy: Buffer;
    if (raw.length <= SKIPPED_TAIL_BYTES) {
      this.tailBuffer ??= Buffer.allocUnsafe(SKIPPED_TAIL_BYTES);
      copy = this.tailBuffer.subarray(0, raw.copy(this.tailBuffer));
    } else copy = Buffer.from(raw);
    this.skippedTail = new TextWindow(copy, tail.cutFirst);
    return n;
  }

  override resume(): void {
    const tail = this.skippedTail;
    if (tail === undefined) return;
    this.skippedTail = undefined;
    const saved = this.out;
    this.out = [];
    this.contWidth = 0;
    new LineScanner().scan(tail, this);
    this.out = saved;
  }

  /**
   * The last lines of a window that decide the continuation state: the last line alone when it
   * is a plain line with a kernel prefix (it sets every field, whatever came before), else the
   * last 32. Parsing 32 lines on every resume cost more than the check.
   */
  private stateSetting(w: TextWindow): TextWindow {
    const last = w.lastLines(1);
    if (last !== w && last.raw[0] === LBRACKET && !last.garbage && !last.hasCr && parseKernelPrefixBytes(last.raw, 0, this.scratch) >= 0) return last;
    return w.lastLines(32);
  }

  private push(
    text: string,
    ts: number | undefined,
    caller: string | undefined,
    level: number | undefined,
    facility: number | undefined,
    origin: { source: string; line: number },
    truncated: boolean,
  ): void {
    // Two object shapes: the usual line is small (less to allocate and collect per line), the
    // rest carry every field.
    if (caller === undefined && level === undefined && !truncated) this.out.push({ text, ts, origin });
    else this.out.push({ text, ts, caller, level, facility, truncated: truncated || undefined, origin });
  }
}

/**
 * Index of a timestamped printk prefix (`[  12.345678]`) after `from` in the line, or -1. Only a
 * prefix with a timestamp counts: `[T123]`-like text inside a message is not a new line.
 */
function midLinePrefix(s: string, from: number, end: number, scratch: KernelPrefix): number {
  let i = s.indexOf('[', from);
  while (i >= 0 && i < end) {
    const next = s.charCodeAt(i + 1);
    if ((next === SPACE || (next >= 48 && next <= 57)) && parseKernelPrefix(s, i, scratch) >= 0 && scratch.ts === scratch.ts) return i;
    i = s.indexOf('[', i + 1);
  }
  return -1;
}

/** `<N>` with 1–3 digits at `start`: the index of `>`, else -1. */
function levelPrefixEnd(s: string, start: number): number {
  let i = start + 1;
  let c: number;
  while ((c = s.charCodeAt(i)) >= 48 && c <= 57 && i < start + 4) i++;
  return i > start + 1 && c === GT ? i : -1;
}
