/**
 * What bytes a regular expression's match can hold, read from its source: the bytes each of its
 * first positions can take, and a piece of plain text every match contains. A byte-level scanner
 * uses them to pass over text no match can be in. Every answer errs on the side of "may match":
 * a construct not understood (a backreference, a property escape) reads as "any bytes from here
 * on", and zero-width assertions (`^`, `$`, `\b`, lookarounds) are dropped, which only widens.
 */

/** 256 bits: may this byte be here? (Eight words, so that unions and tests stay cheap at start-up.) */
export type ByteSet = Uint32Array;

export function noBytes(): ByteSet {
  return new Uint32Array(8);
}

export function hasByte(set: ByteSet, b: number): boolean {
  return (((set[b >> 5] as number) >>> (b & 31)) & 1) === 1;
}

export function addByte(set: ByteSet, b: number): void {
  set[b >> 5] = (set[b >> 5] as number) | (1 << (b & 31));
}

export function addBytes(into: ByteSet, from: ByteSet): void {
  for (let i = 0; i < 8; i++) into[i] = (into[i] as number) | (from[i] as number);
}

/** Every byte of `b` is in `a`. */
export function coversBytes(a: ByteSet, b: ByteSet): boolean {
  for (let i = 0; i < 8; i++) if (((b[i] as number) & ~(a[i] as number)) !== 0) return false;
  return true;
}

export function isAllBytes(set: ByteSet): boolean {
  return set.every((w) => w === 0xffffffff);
}

type Node =
  | { t: 'set'; bytes: ByteSet }
  | { t: 'group'; alternatives: Node[][] }
  | { t: 'repeat'; node: Node; min: number; max: number }
  /** Not understood: any bytes from here on. */
  | { t: 'unknown' };

export function allBytes(): ByteSet {
  return new Uint32Array(8).fill(0xffffffff);
}

function bytesOf(chars: Iterable<number>): ByteSet {
  const set = noBytes();
  for (const c of chars) addByte(set, c);
  return set;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

const DIGIT = range(48, 57);
const WORD = [...DIGIT, ...range(65, 90), ...range(97, 122), 95];
/** `\s` within Latin-1: tab to CR, space, NBSP (U+00A0 and up only matter to non-ASCII text). */
const SPACE = [9, 10, 11, 12, 13, 32, 0xa0];

function complement(set: ByteSet): ByteSet {
  return set.map((w) => ~w >>> 0);
}

/** A class escape (`\d`, `\W`, ...) as bytes, or undefined for another escape. */
function classEscape(e: string): ByteSet | undefined {
  switch (e) {
    case 'd': return bytesOf(DIGIT);
    case 'D': return complement(bytesOf(DIGIT));
    case 'w': return bytesOf(WORD);
    case 'W': return complement(bytesOf(WORD));
    case 's': return bytesOf(SPACE);
    case 'S': return complement(bytesOf(SPACE));
    default: return undefined;
  }
}

const CONTROL_ESCAPES: Record<string, number> = { n: 10, r: 13, t: 9, f: 12, v: 11, '0': 0 };

class SourceParser {
  private i = 0;
  constructor(
    private readonly s: string,
    private readonly foldCase: boolean,
  ) {}

  parse(): Node[][] {
    const alternatives = this.alternatives();
    return this.i < this.s.length ? [[{ t: 'unknown' }]] : alternatives;
  }

  /** Alternatives up to a `)` (not consumed) or the end. */
  private alternatives(): Node[][] {
    const out: Node[][] = [[]];
    while (this.i < this.s.length) {
      const c = this.s[this.i] as string;
      if (c === ')') break;
      if (c === '|') {
        this.i++;
        out.push([]);
        continue;
      }
      const seq = out[out.length - 1] as Node[];
      const atom = this.atom();
      if (atom === 'zero-width') {
        this.skipQuantifier();
        continue;
      }
      const q = this.quantifier();
      seq.push(q ? { t: 'repeat', node: atom, min: q.min, max: q.max } : atom);
    }
    return out;
  }

  private atom(): Node | 'zero-width' {
    const s = this.s;
    const c = s[this.i++] as string;
    if (c === '^' || c === '$') return 'zero-width';
    if (c === '.') return { t: 'set', bytes: allBytes() };
    if (c === '(') {
      let lookaround = false;
      if (s.startsWith('?:', this.i)) this.i += 2;
      else if (s.startsWith('?=', this.i) || s.startsWith('?!', this.i)) (this.i += 2), (lookaround = true);
      else if (s.startsWith('?<=', this.i) || s.startsWith('?<!', this.i)) (this.i += 3), (lookaround = true);
      else if (s.startsWith('?<', this.i)) this.i = s.indexOf('>', this.i) + 1;
      else if (s[this.i] === '?') return { t: 'unknown' }; // modifiers and the like
      const alternatives = this.alternatives();
      if (s[this.i] !== ')') return { t: 'unknown' };
      this.i++;
      return lookaround ? 'zero-width' : { t: 'group', alternatives };
    }
    if (c === '[') return this.characterClass();
    if (c === '\\') {
      const e = s[this.i++] ?? '';
      if (e === 'b' || e === 'B') return 'zero-width';
      const cls = classEscape(e);
      if (cls) return { t: 'set', bytes: cls };
      const code = this.escapedChar(e);
      return code === undefined ? { t: 'unknown' } : this.literal(code);
    }
    return this.literal(c.charCodeAt(0));
  }

  /** The character an escape stands for (after the backslash and `e`), undefined when not one. */
  private escapedChar(e: string): number | undefined {
    if (e in CONTROL_ESCAPES && !(e === '0' && /\d/.test(this.s[this.i] ?? ''))) return CONTROL_ESCAPES[e];
    if (e === 'x' || e === 'u') {
      const hex = /^[0-9a-fA-F]+/.exec(this.s.slice(this.i, this.i + (e === 'x' ? 2 : 4)))?.[0] ?? '';
      if (hex.length !== (e === 'x' ? 2 : 4)) return undefined;
      this.i += hex.length;
      return parseInt(hex, 16);
    }
    // Backreferences, \k<name>, \p{...}, \c...: not followed.
    return /[A-Za-z0-9]/.test(e) || e === '' ? undefined : e.charCodeAt(0);
  }

  private literal(code: number): Node {
    if (code > 255) return { t: 'set', bytes: allBytes() }; // not one Latin-1 byte: anything
    const set = bytesOf([code]);
    if (this.foldCase) this.addOtherCase(set, code);
    return { t: 'set', bytes: set };
  }

  private addOtherCase(set: ByteSet, b: number): void {
    const ch = String.fromCharCode(b);
    addByte(set, ch.toLowerCase().charCodeAt(0) & 255);
    addByte(set, ch.toUpperCase().charCodeAt(0) & 255);
  }

  private characterClass(): Node {
    const s = this.s;
    const negated = s[this.i] === '^';
    if (negated) this.i++;
    const set = noBytes();
    // (In JavaScript a `]` right after `[` or `[^` closes the class.)
    while (this.i < s.length && s[this.i] !== ']') {
      let lo: number | undefined;
      const c = s[this.i++] as string;
      if (c === '\\') {
        const e = s[this.i++] ?? '';
        const cls = classEscape(e);
        if (cls) {
          addBytes(set, cls);
          continue;
        }
        lo = e === 'b' ? 8 : this.escapedChar(e);
        if (lo === undefined) return { t: 'unknown' };
      } else lo = c.charCodeAt(0);
      let hi = lo;
      if (s[this.i] === '-' && s[this.i + 1] !== ']' && this.i + 1 < s.length) {
        this.i++;
        const d = s[this.i++] as string;
        if (d === '\\') {
          const e = s[this.i++] ?? '';
          const code = classEscape(e) ? undefined : this.escapedChar(e);
          if (code === undefined) return { t: 'unknown' };
          hi = code;
        } else hi = d.charCodeAt(0);
      }
      for (let b = lo; b <= Math.min(hi, 255); b++) {
        addByte(set, b);
        if (this.foldCase) this.addOtherCase(set, b);
      }
      if (hi > 255) return { t: 'unknown' };
    }
    if (s[this.i] !== ']') return { t: 'unknown' };
    this.i++;
    return { t: 'set', bytes: negated ? complement(set) : set };
  }

  private quantifier(): { min: number; max: number } | undefined {
    const s = this.s;
    const c = s[this.i];
    let q: { min: number; max: number } | undefined;
    if (c === '?') q = { min: 0, max: 1 };
    else if (c === '*') q = { min: 0, max: Infinity };
    else if (c === '+') q = { min: 1, max: Infinity };
    if (q) this.i++;
    else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(s.slice(this.i));
      if (!m) return undefined; // a literal `{`: read as such next time round
      this.i += m[0].length;
      const min = Number(m[1]);
      q = { min, max: m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]) };
    }
    if (q && s[this.i] === '?') this.i++; // lazy: same language
    return q;
  }

  private skipQuantifier(): void {
    this.quantifier();
  }
}

function parse(source: string, flags: string): Node[][] {
  if (/[^dgimsuy]/.test(flags)) return [[{ t: 'unknown' }]];
  return new SourceParser(source, flags.includes('i')).parse();
}

/** Work allowed per pattern: a group that can match empty inside a repeat would loop forever. */
const STEP_BUDGET = 20_000;

/**
 * For the first `k` positions of a match of `source`, the bytes each may hold. A match shorter
 * than a position leaves it open (all bytes): what follows the match is not known.
 */
export function prefixByteSets(source: string, flags: string, k: number): ByteSet[] {
  const sets = Array.from({ length: k }, noBytes);
  let steps = 0;
  const fillFrom = (pos: number): void => {
    for (let i = pos; i < k; i++) sets[i]?.fill(0xffffffff);
  };
  // What is left to match: nodes from an index, then what follows the group they are in.
  interface Rest {
    seq: readonly Node[];
    i: number;
    then: Rest | undefined;
  }
  const visit = (rest: Rest | undefined, pos: number): void => {
    if (pos >= k) return;
    if (++steps > STEP_BUDGET) return fillFrom(pos);
    while (rest && rest.i >= rest.seq.length) rest = rest.then;
    if (!rest) return fillFrom(pos);
    const head = rest.seq[rest.i] as Node;
    const next: Rest = { seq: rest.seq, i: rest.i + 1, then: rest.then };
    switch (head.t) {
      case 'unknown':
        return fillFrom(pos);
      case 'set':
        addBytes(sets[pos] as ByteSet, head.bytes);
        return visit(next, pos + 1);
      case 'group':
        for (const alternative of head.alternatives) visit({ seq: alternative, i: 0, then: next }, pos);
        return;
      case 'repeat': {
        if (head.min === 0) visit(next, pos);
        if (head.max > 0) {
          const more: Node = { t: 'repeat', node: head.node, min: Math.max(0, head.min - 1), max: head.max - 1 };
          visit({ seq: [head.node, more], i: 0, then: next }, pos);
        }
        return;
      }
    }
  };
  for (const alternative of parse(source, flags)) visit({ seq: alternative, i: 0, then: undefined }, 0);
  return sets;
}

/**
 * The longest run of plain bytes every match of `source` contains (outside groups and repeats),
 * or '' when there is none: with the `i` flag, one alternative of several, or no plain text.
 */
export function requiredLiteral(source: string, flags: string): string {
  if (flags.includes('i')) return '';
  const alternatives = parse(source, flags);
  if (alternatives.length !== 1) return '';
  let best = '';
  let run = '';
  for (const node of alternatives[0] as Node[]) {
    const only = node.t === 'set' ? singleByte(node.bytes) : undefined;
    if (only === undefined) {
      run = '';
      continue;
    }
    run += String.fromCharCode(only);
    if (run.length > best.length) best = run;
  }
  return best;
}

function singleByte(set: ByteSet): number | undefined {
  let found: number | undefined;
  for (let b = 0; b < 256; b++) {
    if (!hasByte(set, b)) continue;
    if (found !== undefined) return undefined;
    found = b;
  }
  return found;
}
