import { addBytes, hasByte, noBytes, prefixByteSets, type ByteSet } from './regex-bytes.js';

/** A cheap first test: does any of a table's patterns match this line? */
export interface AnyOf {
  test(text: string): boolean;
}

/**
 * One test that passes where any of `patterns` would match, built to stay fast on every line of
 * a huge log. Each top-level alternative is sorted by what V8 does well:
 * - `^`-anchored ones are tried only on lines whose first character can start one of them (most
 *   ordinary lines start with a letter no header starts with), then as one anchored regex;
 * - floating ones led by plain text (` invoked oom-killer: `) share one regex, which V8 scans
 *   quickly by skipping ahead on those leading characters;
 * - any other floating alternative goes into one unanchored regex (none in the shipped tables:
 *   a single one would make V8 scan every position of every line).
 */
export function anyOf(patterns: readonly RegExp[]): AnyOf {
  const gated: string[] = [];
  const ungated: string[] = [];
  const firsts = new Set<number>();
  const led: string[] = [];
  const floating: string[] = [];
  for (const alt of tableAlternatives(patterns)) {
    if (alt.anchored) {
      if (alt.firsts) for (const c of alt.firsts) firsts.add(c);
      (alt.firsts ? gated : ungated).push(alt.source);
      continue;
    }
    const literal = /^[^\\^$.|?*+()[\]{}]*/.exec(alt.source)?.[0] ?? '';
    if (literal.length >= MIN_LEADING_LITERAL) led.push(alt.source);
    else floating.push(alt.source);
  }
  const g = gated.length > 0 ? new RegExp(gated.join('|')) : undefined;
  const u = ungated.length > 0 ? new RegExp(ungated.join('|')) : undefined;
  const l = led.length > 0 ? new RegExp(led.join('|')) : undefined;
  const f = floating.length > 0 ? new RegExp(floating.join('|')) : undefined;
  return {
    test(text) {
      if (g && firsts.has(text.charCodeAt(0)) && g.test(text)) return true;
      if (u?.test(text)) return true;
      if (l?.test(text)) return true;
      return f?.test(text) ?? false;
    },
  };
}

/**
 * The rows of a table that a text can match, chosen by its first character, in table order: a
 * decoder that tries a dozen `^`-anchored patterns on every line of a report then runs none on
 * most lines. A row whose pattern has an unanchored alternative is offered for every text.
 */
export function rowsByFirstChar<Row>(rows: readonly Row[], patternOf: (row: Row) => RegExp): (text: string) => readonly Row[] {
  // Built on first use: a thread that never decodes (or a table never consulted) pays nothing.
  let firstBytes: (ByteSet | undefined)[] | undefined;
  const offered = (code: number): Row[] => {
    firstBytes ??= rows.map((row) => anchoredFirstBytes(patternOf(row)));
    return rows.filter((_, i) => {
      const set = (firstBytes as (ByteSet | undefined)[])[i];
      return set === undefined || code > 255 || hasByte(set, code);
    });
  };
  const byCode: (Row[] | undefined)[] = new Array(256).fill(undefined);
  let wide: Row[] | undefined;
  return (text) => {
    const code = text.charCodeAt(0);
    if (code < 256) return (byCode[code] ??= offered(code));
    // An empty text (NaN) may match a pattern that can match nothing: every row.
    return code > 255 ? (wide ??= offered(256)) : rows;
  };
}

/** The bytes a match of `pattern` can start with, when every alternative of it is `^`-anchored. */
function anchoredFirstBytes(pattern: RegExp): ByteSet | undefined {
  const out = noBytes();
  for (const alt of tableAlternatives([pattern])) {
    if (!alt.anchored) return undefined;
    addBytes(out, prefixByteSets(alt.source, pattern.flags, 1)[0] as ByteSet);
  }
  return out;
}

/** A floating alternative led by this much plain text is cheap to search for. */
const MIN_LEADING_LITERAL = 4;

/**
 * Walks a regex source, calling `visit` for each character outside classes and escapes with the
 * group depth before it; stops when `visit` returns true and gives that index, else -1.
 */
function walkSource(source: string, visit: (c: string, i: number, depth: number) => boolean): number {
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i] ?? '';
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    if (visit(c, i, depth)) return i;
    if (c === '(') depth++;
    else if (c === ')') depth--;
  }
  return -1;
}

/** One top-level alternative of a table's patterns, as the fast matchers sort them. */
export interface TableAlternative {
  /** The alternative's source, named groups made anonymous (names repeat across rows). */
  source: string;
  /** Starts with `^`. */
  anchored: boolean;
  /** For an anchored one: the characters its match can start with, when plain from the source. */
  firsts?: Set<number>;
}

/** Every top-level alternative of every pattern, with what the fast matchers need to know of it. */
export function tableAlternatives(patterns: readonly RegExp[]): TableAlternative[] {
  const out: TableAlternative[] = [];
  for (const pattern of patterns) {
    for (const alternative of topLevelAlternatives(pattern.source)) {
      const source = alternative.replace(/\(\?<([A-Za-z_]\w*)>/g, '(?:');
      const anchored = source.startsWith('^');
      const firsts = anchored ? firstChars(source.slice(1)) : undefined;
      out.push(firsts ? { source, anchored, firsts } : { source, anchored });
    }
  }
  return out;
}

/** `a|b(c|d)|e` → `a`, `b(c|d)`, `e`: the alternatives outside any group or class. */
export function topLevelAlternatives(source: string): string[] {
  const parts: string[] = [];
  let start = 0;
  walkSource(source, (c, i, depth) => {
    if (c === '|' && depth === 0) {
      parts.push(source.slice(start, i));
      start = i + 1;
    }
    return false;
  });
  parts.push(source.slice(start));
  return parts;
}

/**
 * Character codes a match of `source` can start with, or undefined when that is not plain from
 * the source: handles literals, escaped punctuation, simple classes like `[Oo]`, and groups
 * (`(?:Oops: )?general` can start with `O` or `g`).
 */
export function firstChars(source: string): Set<number> | undefined {
  const c = source[0];
  if (c === undefined || '.^$|?*+)]{}'.includes(c)) return undefined;
  if (c === '\\') {
    const e = source[1];
    if (e === undefined || isOptional(source, 2)) return undefined;
    if (e === 'd') return new Set(DIGITS);
    return /[^A-Za-z0-9]/.test(e) ? new Set([e.charCodeAt(0)]) : undefined;
  }
  if (c === '[') {
    const end = source.indexOf(']');
    const body = source.slice(1, end);
    if (end < 0 || /[\\^-]/.test(body) || isOptional(source, end + 1)) return undefined;
    return new Set([...body].map((ch) => ch.charCodeAt(0)));
  }
  if (c === '(') {
    const end = groupEnd(source);
    if (end < 0 || !source.startsWith('(?:')) return undefined;
    const inner = new Set<number>();
    for (const alternative of topLevelAlternatives(source.slice(3, end - 1))) {
      const chars = firstChars(alternative);
      if (!chars) return undefined;
      for (const ch of chars) inner.add(ch);
    }
    const q = source[end];
    if (q === '{') return undefined;
    if (q !== '?' && q !== '*') return inner;
    const rest = firstChars(source.slice(end + 1));
    if (!rest) return undefined;
    for (const ch of rest) inner.add(ch);
    return inner;
  }
  return isOptional(source, 1) ? undefined : new Set([c.charCodeAt(0)]);
}

const DIGITS = [48, 49, 50, 51, 52, 53, 54, 55, 56, 57];

/** The atom ending at `i` may be absent (`?`, `*`, `{0,…}`). */
function isOptional(source: string, i: number): boolean {
  const q = source[i];
  return q === '?' || q === '*' || (q === '{' && source[i + 1] === '0');
}

/** Index after the group that opens at 0, or -1. */
function groupEnd(source: string): number {
  const close = walkSource(source, (c, _i, depth) => c === ')' && depth === 1);
  return close < 0 ? -1 : close + 1;
}
