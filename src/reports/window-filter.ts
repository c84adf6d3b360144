import { readFileSync } from 'node:fs';
import { tableAlternatives } from './any-of.js';
import { compilePrefixedScreen, type PrefixedFormat, type PrefixedScreen } from './prefixed-screen.js';
import { byteTables, compileByteFilter, loadByteTables, storedTablesKey, storeByteTables, type ByteFilter, type ByteTables } from './byte-filter.js';
import { KIND_TABLE } from './kinds.js';
import { PRECURSOR_TABLE } from './precursors.js';
import { BOOT_BANNER, CLEAN_SHUTDOWN } from './report-body.js';

/** A test on a whole block of console text, before it is split into lines. */
export interface WindowFilter {
  /** False only when no line of the text can start a report, a precursor event, a boot or its end. */
  mayHold(text: string): boolean;
}

/** Every pattern that can start something the extractor keeps. */
export const TRIGGER_PATTERNS: readonly RegExp[] = [
  ...KIND_TABLE.map((row) => row.header),
  ...PRECURSOR_TABLE.map((row) => row.pattern),
  BOOT_BANNER,
  CLEAN_SHUTDOWN,
];

/**
 * A line of the block that does not start with the console's `[ ts]` prefix (after an optional
 * `<N>` level) nor a blank:
 * firmware banners, user space writing to the console, a log without timestamps. Such blocks are
 * read line by line (in a timestamped console they are rare).
 */
const UNPREFIXED_LINE = /(?:^|[\n\r])(?:<\d{1,3}>)?[^[<\s]/;

/**
 * Built from the same tables as the per-line matchers. Every `^`-anchored alternative is tried
 * right after a `] ` (the end of a `[ ts]` or caller-id prefix, at a line start or in mid-line
 * where two sources ran together), behind a lookahead on the characters any of them can start
 * with: V8 jumps from one `] ` to the next and rejects most at once. Floating alternatives are a
 * second regex; together they would make V8 try everything at every position. Undefined when
 * some alternative's first characters are not plain (then every line is read).
 */
export function compileWindowFilter(patterns: readonly RegExp[] = TRIGGER_PATTERNS): WindowFilter | undefined {
  const anchored: string[] = [];
  const floating: string[] = [];
  const firsts = new Set<number>();
  for (const alt of tableAlternatives(patterns)) {
    // A line may end in CR before its LF.
    const source = alt.source.replace(/\$$/, '(?=\\r?$|\\r?\\n)');
    if (!alt.anchored) {
      floating.push(source);
      continue;
    }
    if (!alt.firsts) return undefined;
    for (const c of alt.firsts) firsts.add(c);
    anchored.push(source.slice(1));
  }
  const starts = [...firsts].map((c) => `\\x${c.toString(16).padStart(2, '0')}`).join('');
  // One scan for both: V8 hops between the rare `]`, LF and CR and rejects most hops at once.
  const lineStarts = new RegExp(
    `\\] (?:\\[ *[TC]\\d+\\] ?)?(?=[${starts}])(?:${anchored.join('|')})|${UNPREFIXED_LINE.source}`,
  );
  const anywhere = floating.length > 0 ? new RegExp(floating.join('|')) : undefined;
  return {
    mayHold: (text) => lineStarts.test(text) || (anywhere?.test(text) ?? false),
  };
}

export interface TriggerFilters {
  /** The test on a block's text; undefined when the trigger patterns do not allow one. */
  window?: WindowFilter;
  /**
   * The same test on undecoded bytes (byte-filter.wat), run first: it passes over most blocks of a
   * console log without making a string of them. Undefined when the regex filter could not be
   * built or some trigger has no plain bytes to look for; then every block takes the regex path.
   */
  bytes?: ByteFilter;
}

let prefixedScreens: Map<PrefixedFormat, PrefixedScreen | undefined> | undefined;

/** The byte test on blocks of a prefixed text format (journal, syslog, kmsg), built on first use. */
export function prefixedScreen(format: PrefixedFormat): PrefixedScreen | undefined {
  prefixedScreens ??= new Map();
  if (!prefixedScreens.has(format)) prefixedScreens.set(format, compilePrefixedScreen(format, TRIGGER_PATTERNS));
  return prefixedScreens.get(format);
}

let triggerFilters: TriggerFilters | undefined;

/** The filters of the shipped tables, built on first use (a thread that only decodes never needs them). */
export function shippedTriggerFilters(): TriggerFilters {
  if (!triggerFilters) {
    const window = compileWindowFilter();
    const tables = window && triggerByteTables();
    const bytes = tables && compileByteFilter(tables);
    triggerFilters = { ...(window && { window }), ...(bytes && { bytes }) };
  }
  return triggerFilters;
}

/** Where `npm run build` stores byteTables(TRIGGER_PATTERNS) (scripts/build-byte-tables.mjs). */
const STORED_TABLES = new URL('./trigger-byte-tables.json', import.meta.url);

/** The byte tables of the shipped triggers: as stored at build time for these patterns, else derived now. */
function triggerByteTables(): ByteTables | undefined {
  let text = '';
  try {
    text = readFileSync(STORED_TABLES, 'utf8');
  } catch {
    // Not built (tests run from sources): derive them.
  }
  return loadByteTables(text, storedTablesKey(TRIGGER_PATTERNS)) ?? byteTables(TRIGGER_PATTERNS);
}

/** The stored form of the shipped triggers' tables, for the build to write to STORED_TABLES. */
export function storedTriggerTables(): string {
  return storeByteTables(byteTables(TRIGGER_PATTERNS), storedTablesKey(TRIGGER_PATTERNS));
}
