/**
 * The prefix printk puts before a message: `[   12.345678]` (CONFIG_PRINTK_TIME), optionally
 * followed by the caller id, either in the same run (`[  584.319520][   T31]`, syzkaller's
 * consoles) or after a space (`[    0.000000] [    T1]`, dmesg), or the caller id alone
 * (`[  T123]` when printk.time=0).
 *
 * This runs on every line of a multi-GB console log, so it scans bytes: element reads of a
 * Uint8Array cost a fraction of String#charCodeAt in V8. ASCII text is parsed in its own bytes;
 * other strings go through a small scratch copy of the line's head.
 */
export interface KernelPrefix {
  /** NaN when the prefix has no timestamp (kept a number so V8 stores it unboxed). */
  ts: number;
  /** The caller id is text[callerStart, callerEnd); equal when there is none. */
  callerStart: number;
  callerEnd: number;
}

export function newKernelPrefix(): KernelPrefix {
  return { ts: NaN, callerStart: 0, callerEnd: 0 };
}

/** The caller id found by the last parse of `s`, if any. */
export function callerOf(s: string, pre: KernelPrefix): string | undefined {
  return pre.callerEnd > pre.callerStart ? s.slice(pre.callerStart, pre.callerEnd) : undefined;
}

const SPACE = 32;
const LBRACKET = 91;
const RBRACKET = 93;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
const T = 84;
const C = 67;

/** Exact powers of ten: (int·10ⁿ + frac) / 10ⁿ rounds like Number("int.frac"). */
const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12];

/**
 * Parses the prefix at byte `p` of `b` into `out` and returns where the text starts (after the
 * one space that ends the prefix), or -1 when there is no printk prefix at `p`.
 */
export function parseKernelPrefixBytes(b: Uint8Array, p: number, out: KernelPrefix): number {
  if (b[p] !== LBRACKET) return -1;
  let i = p + 1;
  while (b[i] === SPACE) i++;
  let c = b[i] ?? 0;
  if (c === T || c === C) {
    const end = callerEnd(b, i);
    if (end < 0) return -1;
    out.ts = NaN;
    out.callerStart = i;
    out.callerEnd = end;
    return skipOneSpace(b, end + 1);
  }
  let whole = 0;
  const intStart = i;
  while ((c = b[i] ?? 0) >= ZERO && c <= NINE) {
    whole = whole * 10 + (c - ZERO);
    i++;
  }
  // The fraction is required: `[0]` or `[12345]` at the start of a message is text.
  if (i === intStart || i - intStart > 12 || c !== DOT) return -1;
  i++;
  const fracStart = i;
  let frac = 0;
  while ((c = b[i] ?? 0) >= ZERO && c <= NINE) {
    frac = frac * 10 + (c - ZERO);
    i++;
  }
  const digits = i - fracStart;
  if (digits === 0 || digits > 12 || c !== RBRACKET) return -1;
  const scale = POW10[digits] as number;
  out.ts = (whole * scale + frac) / scale;
  out.callerStart = out.callerEnd = 0;
  i++;
  // Caller id right after (`][  T31]`) or after one space (`] [  T31]`).
  const q = b[i] === LBRACKET ? i : b[i] === SPACE && b[i + 1] === LBRACKET ? i + 1 : -1;
  if (q >= 0) {
    let j = q + 1;
    while (b[j] === SPACE) j++;
    const k = b[j];
    if (k === T || k === C) {
      const end = callerEnd(b, j);
      if (end >= 0) {
        out.callerStart = j;
        out.callerEnd = end;
        return skipOneSpace(b, end + 1);
      }
    }
  }
  return skipOneSpace(b, i);
}

/** Index of the `]` closing a caller id whose letter is at `i`, or -1. */
function callerEnd(b: Uint8Array, i: number): number {
  let j = i + 1;
  let c = b[j] ?? 0;
  if (!(c >= ZERO && c <= NINE)) return -1;
  while ((c = b[j] ?? 0) >= ZERO && c <= NINE) j++;
  return c === RBRACKET ? j : -1;
}

function skipOneSpace(b: Uint8Array, i: number): number {
  return b[i] === SPACE ? i + 1 : i;
}

/** Longest prefix: `<191>` + `[` + 12 digits `.` 12 digits `]` + `[  T4294967295] `. */
const HEAD = 64;
const scratch = new Uint8Array(HEAD + 1);

/** The same parse on string `s` at `p` (indexes in `out` and the result are string indexes). */
export function parseKernelPrefix(s: string, p: number, out: KernelPrefix): number {
  if (s.charCodeAt(p) !== LBRACKET) return -1;
  const n = Math.min(HEAD, s.length - p);
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(p + i);
    scratch[i] = c < 256 ? c : 0;
  }
  scratch[n] = 0;
  const r = parseKernelPrefixBytes(scratch, 0, out);
  if (r < 0) return -1;
  if (out.callerEnd > out.callerStart) {
    out.callerStart += p;
    out.callerEnd += p;
  }
  return r + p;
}
