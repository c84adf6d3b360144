import { readFileSync } from 'node:fs';
import { tableAlternatives } from './any-of.js';
import { addBytes, coversBytes, hasByte, isAllBytes, prefixByteSets, requiredLiteral, type ByteSet } from './regex-bytes.js';

/**
 * The window filter's first pass, on raw bytes (byte-filter.wat): tells where in a block of
 * console text a line may start something, and counts its LFs, without decoding it.
 * Conservative: "may start" only sends that line on to be read and tested exactly.
 */
export interface ByteFilter {
  /**
   * Takes a block of whole lines to scan (false when larger than the scanner takes). A block
   * that lies in the read pool is scanned where it is; any other is copied in.
   */
  load(bytes: Uint8Array): boolean;
  /**
   * Buffers in the scanner's own memory for a reader to read into, so that its blocks need no
   * copy: one set at a time (undefined while another reader holds it, or when too few fit).
   */
  claimReadPool(count: number, bytes: number): ReadPool | undefined;
  /**
   * The loaded block from byte `from` (a line start) on: `lineFeeds` when nothing can start
   * there (and every byte is printable ASCII, tab, LF or CR); else `mayStartFrom`: no line before
   * the one holding that byte can start anything (the first that may is that one or one of the
   * next few), or holds another byte.
   */
  scan(from: number): ByteScan;
}

/** Read buffers lent by a ByteFilter; give them back once the reading is done. */
export interface ReadPool {
  buffers: Buffer[];
  release(): void;
}

export type ByteScan = { lineFeeds: number; mayStartFrom?: undefined } | { mayStartFrom: number; lineFeeds?: undefined };

/**
 * Bytes of a trigger tested where a console prefix ends (after `]` or `] `): sixteen tell
 * `ACPI: PM: Preparing` (a shutdown) from the boot's `ACPI: PM: (supports`, and `NMI watchdog:
 * BUG:` from `NMI watchdog: Enabled`.
 */
const PREFIX_POSITIONS = 16;
/** Alternatives are tested in groups, one bit of an i64 each. */
const MAX_GROUPS = 64;
/** Teddy's buckets are bits 0-4 of its table bytes: bits 5-7 flag bytes that are not printable ASCII. */
const MAX_LITERALS = 5;
const LITERAL_ENTRY_BYTES = 64;
const MAX_LITERAL_BYTES = LITERAL_ENTRY_BYTES - 2;
const FINGERPRINT_BYTES = 3;
const MAX_FINGERPRINT_OFFSET = 8;

/** What the scanner looks for, derived from the trigger patterns. */
export interface ByteTables {
  /**
   * PREFIX_POSITIONS tables of 256 little-endian i64 masks (as pairs of u32): bit j set when
   * group j may have byte b there.
   */
  prefixMasks: Uint32Array;
  /** Plain text that triggers anywhere in a line, and where in it the Teddy fingerprint is. */
  literals: { text: string; fingerprintAt: number }[];
}

/**
 * The tables for the top-level alternatives of `patterns` (as the window filter tests them): a
 * `^`-anchored one by the bytes its first positions may hold; a floating one (or an anchored one
 * whose first bytes say nothing) by the plain text it must contain. Undefined when some
 * alternative has neither, or there are too many texts (then no block is passed over by bytes).
 */
export function byteTables(patterns: readonly RegExp[]): ByteTables | undefined {
  const sequences = new Map<string, ByteSet[]>();
  const literals: { text: string; fingerprintAt: number }[] = [];
  for (const pattern of patterns) {
    for (const alt of tableAlternatives([pattern])) {
      if (alt.anchored) {
        const sets = prefixByteSets(alt.source, pattern.flags, PREFIX_POSITIONS);
        // A first or second byte that can be anything would make every line a candidate.
        if (!isAllBytes(sets[0] as ByteSet) && !isAllBytes(sets[1] as ByteSet)) {
          sequences.set(keyOf(sets), sets);
          continue;
        }
      }
      const text = requiredLiteral(alt.source, pattern.flags).slice(0, MAX_LITERAL_BYTES);
      if (text.length < FINGERPRINT_BYTES || /[^\x20-\x7e]/.test(text)) return undefined;
      if (!literals.some((l) => l.text === text)) literals.push({ text, fingerprintAt: rarestFingerprint(text) });
    }
  }
  if (literals.length > MAX_LITERALS) return undefined;
  const groups = fewGroups([...sequences.values()]);
  const prefixMasks = new Uint32Array(PREFIX_POSITIONS * 256 * 2);
  groups.forEach((sets, group) => {
    const bit = 1 << (group & 31);
    sets.forEach((set, k) => {
      for (let b = 0; b < 256; b++) {
        const word = (k * 256 + b) * 2 + (group >> 5);
        if (hasByte(set, b)) prefixMasks[word] = (prefixMasks[word] as number) | bit;
      }
    });
  });
  return { prefixMasks, literals };
}

/**
 * ByteTables as JSON, with `key` (storedTablesKey of the patterns they came from): `npm run build`
 * stores the shipped triggers' tables so that a run need not derive them (~30 ms of its start).
 */
export function storeByteTables(tables: ByteTables | undefined, key: string): string {
  const stored = tables && { literals: tables.literals, prefixMasks: Buffer.from(tables.prefixMasks.buffer).toString('base64') };
  return `${JSON.stringify({ key, tables: stored ?? null })}\n`;
}

/** Tables stored by storeByteTables for `key`; null when there were none; undefined when the text is for other patterns or unreadable. */
export function loadByteTables(text: string, key: string): ByteTables | null | undefined {
  try {
    const stored = JSON.parse(text) as { key?: unknown; tables?: { literals: ByteTables['literals']; prefixMasks: string } | null };
    if (stored.key !== key || stored.tables === undefined) return undefined;
    if (stored.tables === null) return null;
    const bytes = Buffer.from(stored.tables.prefixMasks, 'base64');
    if (bytes.length !== PREFIX_POSITIONS * 256 * 8) return undefined;
    const prefixMasks = new Uint32Array(bytes.length / 4);
    new Uint8Array(prefixMasks.buffer).set(bytes);
    return { prefixMasks, literals: stored.tables.literals };
  } catch {
    return undefined;
  }
}

/** What stored tables are checked against: the patterns' sources and flags, and the derivation's version. */
export function storedTablesKey(patterns: readonly RegExp[]): string {
  return JSON.stringify([BYTE_TABLES_VERSION, ...patterns.map((p) => `/${p.source}/${p.flags}`)]);
}
/** Raised whenever byteTables derives other tables from the same patterns. */
const BYTE_TABLES_VERSION = 1;

/**
 * At most MAX_GROUPS position-set sequences that pass at least what `sequences` pass: one that
 * another covers is dropped (`^BUG: ` covers every `^BUG: something`); then, while too many,
 * the two that agree on the most leading positions are merged (their union widens least).
 */
function fewGroups(sequences: ByteSet[][]): ByteSet[][] {
  const covers = (a: ByteSet[], b: ByteSet[]): boolean => b.every((set, k) => coversBytes(a[k] as ByteSet, set));
  let groups = sequences.filter((b, i) => !sequences.some((a, j) => j !== i && covers(a, b) && (j < i || !covers(b, a))));
  const keys = new Map(groups.map((g) => [g, keyOf(g)]));
  groups.sort((a, b) => ((keys.get(a) as string) < (keys.get(b) as string) ? -1 : 1));
  while (groups.length > MAX_GROUPS) {
    let best = 0;
    let bestShared = -1;
    for (let i = 0; i + 1 < groups.length; i++) {
      const a = groups[i] as ByteSet[];
      const b = groups[i + 1] as ByteSet[];
      let shared = 0;
      while (shared < PREFIX_POSITIONS && coversBytes(a[shared] as ByteSet, b[shared] as ByteSet) && coversBytes(b[shared] as ByteSet, a[shared] as ByteSet)) shared++;
      if (shared > bestShared) (best = i), (bestShared = shared);
    }
    const a = groups[best] as ByteSet[];
    const b = groups[best + 1] as ByteSet[];
    const merged = a.map((set, k) => {
      const union = set.slice();
      addBytes(union, b[k] as ByteSet);
      return union;
    });
    groups = [...groups.slice(0, best), merged, ...groups.slice(best + 2)];
  }
  return groups;
}

/** Equal for equal sequences, and sorts sequences that start alike next to each other. */
function keyOf(sets: ByteSet[]): string {
  return sets.map((set) => String.fromCharCode(...new Uint16Array(set.buffer, set.byteOffset, 16))).join('');
}

/**
 * Where in `text` the three bytes least likely in ordinary log text start: a common fingerprint
 * (` in`) would make Teddy stop everywhere. Likelihood is a rough class of each byte. Only near
 * the start: the scan reports a literal from where its fingerprint is, so a reader goes back
 * that far, for every trigger.
 */
function rarestFingerprint(text: string): number {
  const commonness = (c: number): number => {
    if (c === 32) return 9;
    if (/[etaoinsrhldcu]/.test(String.fromCharCode(c))) return 7;
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) return 5;
    if (/[:.,\-=()[\]_/]/.test(String.fromCharCode(c))) return 4;
    return 2;
  };
  let best = 0;
  let bestScore = Infinity;
  for (let i = 0; i + FINGERPRINT_BYTES <= text.length && i <= MAX_FINGERPRINT_OFFSET; i++) {
    let score = COMMON_TRIGRAMS.has(text.slice(i, i + FINGERPRINT_BYTES)) ? COMMON_TRIGRAM_PENALTY : 0;
    for (let j = 0; j < FINGERPRINT_BYTES; j++) score += commonness(text.charCodeAt(i + j));
    if (score < bestScore) (best = i), (bestScore = score);
  }
  return best;
}

/**
 * The most frequent trigrams of English text, which log messages are written in: rare letters
 * do not make `for` rare (`forced readonly` fingerprinted on it stopped the scan 80,000 times in
 * 64 MiB of boot output, on `orc` 950 times).
 */
const COMMON_TRIGRAMS: ReadonlySet<string> = new Set(
  'the and ing ion tio ent ati for her ter hat tha ere ate his con res ver all ons nce men ith ted ers pro thi wit are ess not ive was ect rea com eve per int est sta cti ica ist ear ain one our iti rat'.split(' '),
);
const COMMON_TRIGRAM_PENALTY = 20;

interface ScannerExports {
  memory: WebAssembly.Memory;
  scan(base: number, start: number, len: number): number;
  prefixTables: WebAssembly.Global;
  lineStartClasses: WebAssembly.Global;
  teddyTables: WebAssembly.Global;
  literals: WebAssembly.Global;
  input: WebAssembly.Global;
  inputCapacity: WebAssembly.Global;
  readPool: WebAssembly.Global;
  readPoolBytes: WebAssembly.Global;
}

/** What the scanner writes after a block (its padding): a block scanned in place gets them back. */
const PADDING_BYTES = 48;

let compiled: WebAssembly.Module | undefined;

/**
 * The scanner's module: the build with relaxed swizzles (a tenth faster: x86 runs each as one
 * pshufb) where this V8 takes it (Node 22 on; Node 20 with --experimental-wasm-relaxed-simd, which
 * bin/jit-tuning.js sets for analyze), else the baseline build. Same answers: every swizzle
 * index is below 16.
 */
export function scannerModule(): WebAssembly.Module {
  if (!compiled) {
    const relaxed = readFileSync(new URL('./byte-filter.relaxed.wasm', import.meta.url));
    compiled = new WebAssembly.Module(WebAssembly.validate(relaxed) ? relaxed : readFileSync(new URL('./byte-filter.wasm', import.meta.url)));
  }
  return compiled;
}

/** A scanner instance (its own memory) loaded with `tables`. */
export function compileByteFilter(tables: ByteTables, module: WebAssembly.Module = scannerModule()): ByteFilter {
  const x = new WebAssembly.Instance(module).exports as unknown as ScannerExports;
  const memory = new Uint8Array(x.memory.buffer);
  memory.set(new Uint8Array(tables.prefixMasks.buffer), x.prefixTables.value as number);
  // Mirrors the window filter's unprefixed-line test: after a line break, `(?:<\d{1,3}>)?[^[<\s]`.
  for (let b = 0; b < 256; b++) {
    const c = String.fromCharCode(b);
    memory[(x.lineStartClasses.value as number) + b] = c === '<' ? 2 : /[^[<\s]/.test(c) ? 1 : 0;
  }
  const teddy = x.teddyTables.value as number;
  // Bits 5-7 of the first byte's tables flag bytes other than printable ASCII, tab, LF and CR
  // (by nibbles: 0x00-0x1f but those three, 0x7f, 0x80-0xff); set throughout the others'.
  for (let n = 0; n < 16; n++) {
    memory[teddy + n] = (n !== 9 && n !== 10 && n !== 13 ? 0x20 : 0) | 0x40 | (n === 15 ? 0x80 : 0);
    memory[teddy + 16 + n] = (n === 0 ? 0x20 : 0) | (n === 1 || n >= 8 ? 0x40 : 0) | (n === 7 ? 0x80 : 0);
    for (let j = 1; j < FINGERPRINT_BYTES; j++) memory[teddy + j * 32 + n] = memory[teddy + j * 32 + 16 + n] = 0xe0;
  }
  tables.literals.forEach(({ text, fingerprintAt }, bucket) => {
    for (let j = 0; j < FINGERPRINT_BYTES; j++) {
      const c = text.charCodeAt(fingerprintAt + j);
      const lo = teddy + j * 32 + (c & 15);
      const hi = teddy + j * 32 + 16 + (c >> 4);
      memory[lo] = (memory[lo] as number) | (1 << bucket);
      memory[hi] = (memory[hi] as number) | (1 << bucket);
    }
    const entry = (x.literals.value as number) + bucket * LITERAL_ENTRY_BYTES;
    memory[entry] = text.length;
    memory[entry + 1] = fingerprintAt;
    memory.set(Buffer.from(text, 'latin1'), entry + 2);
  });
  const input = x.input.value as number;
  const capacity = x.inputCapacity.value as number;
  // A literal is found by its fingerprint, up to this far into it: it may start that much
  // before the 16 bytes the scanner stopped at.
  const lookBack = Math.max(0, ...tables.literals.map((l) => l.fingerprintAt));
  const pool = { at: x.readPool.value as number, bytes: x.readPoolBytes.value as number, lent: false };
  const saved = new Uint8Array(PADDING_BYTES);
  let base = input;
  let length = 0;
  return {
    load(bytes) {
      if (bytes.buffer === x.memory.buffer && bytes.byteOffset >= pool.at && bytes.byteOffset + bytes.length <= pool.at + pool.bytes) {
        base = bytes.byteOffset;
      } else {
        if (bytes.length > capacity) return false;
        memory.set(bytes, input);
        base = input;
      }
      length = bytes.length;
      return true;
    },
    claimReadPool(count, bytes) {
      if (pool.lent || count * bytes > pool.bytes) return undefined;
      pool.lent = true;
      const buffers = Array.from({ length: count }, (_, i) => Buffer.from(x.memory.buffer, pool.at + i * bytes, bytes));
      return { buffers, release: () => void (pool.lent = false) };
    },
    scan(from) {
      const end = base + length;
      if (base !== input) saved.set(memory.subarray(end, end + PADDING_BYTES));
      const n = x.scan(base, from, length);
      if (base !== input) memory.set(saved, end);
      return n >= 0 ? { lineFeeds: n } : { mayStartFrom: Math.max(from, -1 - n - lookBack) };
    },
  };
}
