import { isAscii } from 'node:buffer';
import { cleanText, HAS_GARBAGE } from './clean-text.js';

/** Longer physical lines keep their first MAX_LINE_BYTES and are marked truncated. */
export const MAX_LINE_BYTES = 64 * 1024;

/**
 * Bytes are decoded and handed on in windows of about this size. Line texts are slices of
 * their window's string and V8 keeps the whole window alive while any slice is: small windows
 * bound what a consumer that keeps a few lines (a report) holds on to.
 */
const WINDOW_BYTES = 64 * 1024;

const LF = 10;
const CR = 13;
const ESC = 0x1b;
const BS = 8;
const BEL = 7;

/**
 * Whole lines of input, decoded into one flat string only when asked for: lines are parsed in
 * place (charCodeAt on a flat string is several times faster than on per-line slices, and no
 * per-line copy is made), and a window passed over unread is never decoded at all.
 */
export class TextWindow {
  private decoded: string | undefined;
  private ascii: boolean | undefined;
  private crs: boolean | undefined;
  private controls: boolean | undefined;

  constructor(
    /**
     * The window's bytes: lines separated by LF, no LF at the end. A view of the reader's buffer,
     * valid until the next window is taken.
     */
    readonly raw: Buffer,
    /** The first line is the head of a line longer than MAX_LINE_BYTES. */
    readonly cutFirst: boolean,
  ) {}

  /** Lines separated by LF, no LF at the end; may hold CRs and terminal garbage. */
  get text(): string {
    if (this.decoded === undefined) {
      // Latin-1 decoding is several times faster than UTF-8 in V8; for ASCII they agree.
      this.decoded = this.raw.length === 0 ? '' : this.raw.toString(this.isAscii ? 'latin1' : 'utf8');
    }
    return this.decoded;
  }

  get hasCr(): boolean {
    return (this.crs ??= this.raw.indexOf(CR) >= 0);
  }

  get garbage(): boolean {
    // A full control-character scan is slow in V8's regexps; in pure ASCII text look for the
    // controls serial consoles actually carry. Line noise is rarely pure ASCII.
    this.controls ??= this.isAscii
      ? this.raw.indexOf(ESC) >= 0 || this.raw.indexOf(0) >= 0 || this.raw.indexOf(BS) >= 0 || this.raw.indexOf(BEL) >= 0
      : HAS_GARBAGE.test(this.text);
    return this.controls;
  }

  /** The window's bytes when its text is ASCII (then text index = byte index). */
  get bytes(): Buffer | undefined {
    return this.isAscii ? this.raw : undefined;
  }

  private get isAscii(): boolean {
    return (this.ascii ??= isAscii(this.raw));
  }

  /** A byte scan found only printable ASCII, tab, CR and LF: nothing to check again. */
  knownPlain(): void {
    this.ascii = true;
    this.controls = false;
  }

  /** The window of the lines in bytes [start, end) (start a line start, end after an LF or the end). */
  slice(start: number, end: number): TextWindow {
    const raw = this.raw;
    return new TextWindow(raw.subarray(start, end < raw.length && raw[end - 1] === LF ? end - 1 : end), this.cutFirst && start === 0);
  }

  /** The window of the last `n` lines of this one (this one when it has no more). */
  lastLines(n: number): TextWindow {
    const raw = this.raw;
    let pos = raw.length;
    for (let k = 0; k < n; k++) {
      // (Buffer's lastIndexOf reads a negative offset from the end: pos 0 has no line before it.)
      const nl = pos > 0 ? raw.lastIndexOf(LF, pos - 1) : -1;
      if (nl < 0) return this;
      pos = nl;
    }
    return new TextWindow(raw.subarray(pos + 1), false);
  }
}

/**
 * Splits decompressed bytes into windows of whole lines. Memory stays bounded whatever the
 * input: a line longer than MAX_LINE_BYTES keeps its head only.
 */
export async function* splitLines(chunks: AsyncIterable<Buffer>): AsyncGenerator<TextWindow> {
  let pending: Buffer[] = []; // head of an unfinished line
  let pendingBytes = 0;
  let pendingCut = false;
  const addPending = (part: Buffer): void => {
    const room = MAX_LINE_BYTES - pendingBytes;
    if (part.length > room) {
      pendingCut = true;
      part = part.subarray(0, room);
    }
    if (part.length > 0) {
      // A copy: the chunk's buffer is recycled by the reader while a long line goes on.
      pending.push(Buffer.from(part));
      pendingBytes += part.length;
    }
  };
  const takePending = (): TextWindow => {
    const bytes = pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending, pendingBytes);
    const w = new TextWindow(bytes, pendingCut);
    pending = [];
    pendingBytes = 0;
    pendingCut = false;
    return w;
  };

  /** No LF in `rest`: it continues the pending line, unless it is a CR-only capture. */
  const noLf = (rest: Buffer): TextWindow[] => {
    const cr = rest.lastIndexOf(CR);
    if (cr < 0 || pendingBytes + rest.length <= MAX_LINE_BYTES) {
      addPending(rest);
      return [];
    }
    // Over a line's worth of bytes without an LF but with CRs: a CR-only capture, whose CRs
    // end lines. (Deciding only past MAX_LINE_BYTES keeps a CRLF split across chunks intact.)
    const stretch = crToLf(Buffer.concat([...pending, rest.subarray(0, cr + 1)]));
    pending = [];
    pendingBytes = 0;
    pendingCut = false;
    addPending(rest.subarray(cr + 1));
    return [...windows(stretch, 0)];
  };

  for await (const buf of chunks) {
    let pos = 0;
    if (pendingBytes > 0 || pendingCut) {
      const nl = buf.indexOf(LF);
      if (nl < 0) {
        yield* noLf(buf);
        continue;
      }
      addPending(buf.subarray(0, nl));
      yield takePending();
      pos = nl + 1;
    }
    const last = buf.lastIndexOf(LF);
    if (last >= pos) {
      yield* windows(buf.subarray(0, last + 1), pos);
      pos = last + 1;
    }
    if (pos < buf.length) yield* noLf(buf.subarray(pos));
  }
  if (pendingBytes > 0 || pendingCut) yield takePending();
}

/** Whole lines (buf ends with LF), in windows of about WINDOW_BYTES each ending at an LF. */
function* windows(buf: Buffer, pos: number): Generator<TextWindow> {
  while (pos < buf.length) {
    let end = pos + WINDOW_BYTES >= buf.length ? buf.length - 1 : pos + WINDOW_BYTES;
    if (buf[end] !== LF) end = buf.lastIndexOf(LF, end);
    if (end < pos) end = buf.indexOf(LF, pos); // one line longer than a window
    yield new TextWindow(buf.subarray(pos, end), false);
    pos = end + 1;
  }
}

function crToLf(buf: Buffer): Buffer {
  const copy = Buffer.from(buf);
  for (let i = copy.indexOf(CR); i >= 0; i = copy.indexOf(CR, i + 1)) copy[i] = LF;
  return copy;
}

/**
 * Receives each line as `s.slice(start, end)` without making that slice; `bytes`, when given,
 * holds the same characters at the same indexes (ASCII text), for byte-level parsing.
 */
export interface LineVisitor {
  line(s: string, start: number, end: number, lineNo: number, truncated: boolean, bytes: Uint8Array | undefined): void;
}

/**
 * Walks the lines of successive windows of one input, numbering them: LF ends a line, CRs
 * before it are dropped, a lone CR (a console redrawing its line) also ends one, and its pieces
 * share the physical line number, as grep -n counts.
 */
export class LineScanner {
  /** Physical number of the next line. */
  private next = 1;
  /**
   * Where the next CR of the current window is (Infinity: none; -1: not searched yet), so that
   * a window with few CRs is searched once, not once per line.
   */
  private crPos = -1;

  /** Hands every line of `w` (from character `from`, a line start) to `v`. */
  scan(w: TextWindow, v: LineVisitor, from = 0): void {
    this.crPos = -1;
    const t = w.text;
    const bytes = w.bytes;
    if (!w.hasCr && !w.garbage && !w.cutFirst && t.length <= MAX_LINE_BYTES) {
      // The common case: plain LF-separated lines.
      let pos = from;
      let no = this.next;
      for (;;) {
        const nl = t.indexOf('\n', pos);
        if (nl < 0) {
          v.line(t, pos, t.length, no, false, bytes);
          break;
        }
        v.line(t, pos, nl, no++, false, bytes);
        pos = nl + 1;
      }
      this.next = no + 1;
      return;
    }
    let pos = from;
    let first = from === 0;
    for (;;) {
      const nl = t.indexOf('\n', pos);
      const end = nl < 0 ? t.length : nl;
      this.physicalLine(w, t, pos, end, first && w.cutFirst, v);
      first = false;
      this.next++;
      if (nl < 0) break;
      pos = nl + 1;
    }
  }

  /**
   * Numbers the lines of `w` without visiting them; returns how many physical lines it has.
   * `lineFeeds`: its LFs, when a byte scan has counted them already.
   */
  skip(w: TextWindow, lineFeeds?: number): number {
    let n = 1;
    if (lineFeeds !== undefined) n += lineFeeds;
    else for (let i = w.raw.indexOf(LF); i >= 0; i = w.raw.indexOf(LF, i + 1)) n++;
    this.next += n;
    return n;
  }

  private physicalLine(w: TextWindow, t: string, start: number, end: number, cut: boolean, v: LineVisitor): void {
    if (end - start > MAX_LINE_BYTES) {
      end = start + MAX_LINE_BYTES;
      cut = true;
    }
    if (w.garbage) {
      const s = t.slice(start, end);
      if (HAS_GARBAGE.test(s)) {
        const clean = cleanText(s);
        return this.withCarriageReturns(clean, 0, clean.length, cut, w.hasCr, undefined, v, false);
      }
    }
    this.withCarriageReturns(t, start, end, cut, w.hasCr, w.bytes, v, true);
  }

  private withCarriageReturns(
    t: string,
    start: number,
    end: number,
    cut: boolean,
    hasCr: boolean,
    bytes: Uint8Array | undefined,
    v: LineVisitor,
    inWindow: boolean,
  ): void {
    if (hasCr) {
      while (end > start && t.charCodeAt(end - 1) === CR) end--;
      let cr = inWindow ? this.nextCr(t, start) : indexOrInfinity(t, start);
      if (cr < end) {
        // Lone CRs inside the line: each piece is a line; a run of CRs is one break.
        let from = start;
        while (cr < end) {
          if (cr > from) v.line(t, from, cr, this.next, cut, bytes);
          from = cr + 1;
          cr = inWindow ? this.nextCr(t, from) : indexOrInfinity(t, from);
        }
        if (end > from) v.line(t, from, end, this.next, cut, bytes);
        return;
      }
    }
    v.line(t, start, end, this.next, cut, bytes);
  }

  private nextCr(t: string, from: number): number {
    if (this.crPos < from) this.crPos = indexOrInfinity(t, from);
    return this.crPos;
  }
}

function indexOrInfinity(t: string, from: number): number {
  const i = t.indexOf('\r', from);
  return i < 0 ? Infinity : i;
}
