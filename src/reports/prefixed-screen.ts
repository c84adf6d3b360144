import { anyOf, tableAlternatives, type AnyOf } from './any-of.js';
import { hasByte, prefixByteSets, requiredLiteral } from './regex-bytes.js';

/** Text formats whose lines carry a prefix of their own before the kernel's message. */
export type PrefixedFormat = 'journal-short' | 'syslog' | 'kmsg';

/**
 * Where the kernel's message starts in a line of each prefixed format: after the `kernel: `
 * ident of a journal or RFC 3164 syslog line (`kernel - - - ` in RFC 5424: no procid, msgid or
 * structured data), or the long indent journalctl gives a continuation line;
 * after a kmsg record's `;`. (Lines of other idents are not the kernel's: no report starts there.)
 */
const MESSAGE_ANCHORS: Record<PrefixedFormat, readonly string[]> = {
  'journal-short': ['kernel: ', '\n        '],
  syslog: ['kernel: ', 'kernel - - - ', '\n        '],
  kmsg: [';'],
};

/** Bytes of a message tested against the triggers' first bytes before its line is decoded. */
const SCREEN_POSITIONS = 4;

/**
 * A test on a block of a prefixed format's raw bytes, without decoding it: false only when no
 * line's message can start a report, a storage event, a boot or its end. For each message start
 * (found by a native byte search for the format's anchors), its first bytes are checked against
 * the bytes the triggers may start with (one bit per alternative, as the console's byte scan
 * does); only a message that passes is decoded and tested exactly. Floating triggers are looked
 * for by their plain text first.
 */
export interface PrefixedScreen {
  mayHold(bytes: Buffer): boolean;
}

export function compilePrefixedScreen(format: PrefixedFormat, patterns: readonly RegExp[]): PrefixedScreen | undefined {
  const literalBytes: Buffer[] = [];
  // masks[(k * 256 + b) * words + w]: bit j % 32 of word j / 32 set when anchored alternative j
  // may have byte b at position k.
  const count = patterns.reduce((n, p) => n + tableAlternatives([p]).filter((a) => a.anchored).length, 0);
  const words = Math.max(1, Math.ceil(count / 32));
  const masks = new Uint32Array(SCREEN_POSITIONS * 256 * words);
  let j = 0;
  for (const pattern of patterns) {
    for (const alt of tableAlternatives([pattern])) {
      if (!alt.anchored) {
        const literal = requiredLiteral(alt.source, pattern.flags);
        if (literal.length < 4) return undefined;
        literalBytes.push(Buffer.from(literal, 'latin1'));
        continue;
      }
      const sets = prefixByteSets(alt.source, pattern.flags, SCREEN_POSITIONS);
      const word = j >> 5;
      const bit = (1 << (j++ & 31)) >>> 0;
      for (let k = 0; k < SCREEN_POSITIONS; k++) {
        for (let b = 0; b < 256; b++) {
          const at = (k * 256 + b) * words + word;
          if (hasByte(sets[k] as Uint32Array, b)) masks[at] = ((masks[at] as number) | bit) >>> 0;
        }
      }
    }
  }
  const exact: AnyOf = anyOf(patterns);
  const anchors = MESSAGE_ANCHORS[format].map((a) => Buffer.from(a, 'latin1'));
  /** Some alternative may have the bytes at `at`…: the AND over positions of their masks, a word at a time. */
  const passes = (bytes: Buffer, at: number): boolean => {
    for (let w = 0; w < words; w++) {
      let m = 0xffffffff;
      for (let k = 0; k < SCREEN_POSITIONS && m !== 0; k++) m &= masks[(k * 256 + (at + k < bytes.length ? (bytes[at + k] as number) : LF)) * words + w] as number;
      if (m !== 0) return true;
    }
    return false;
  };
  /** A message starting at `start` may start something: screened by its first bytes, then tested exactly. */
  const mayStart = (bytes: Buffer, start: number): boolean => {
    if (!passes(bytes, start)) return false;
    let end = bytes.indexOf(LF, start);
    if (end < 0) end = bytes.length;
    if (end > start && bytes[end - 1] === CR) end--;
    return exact.test(bytes.toString('latin1', start, end));
  };
  return {
    mayHold(bytes) {
      for (const literal of literalBytes) if (bytes.indexOf(literal) >= 0) return true;
      let messages = 0;
      for (const anchor of anchors) {
        for (let at = bytes.indexOf(anchor); at >= 0; at = bytes.indexOf(anchor, at + 1)) {
          messages++;
          // An indent's further blanks.
          let start = messageStart(bytes, at + anchor.length);
          while (anchor[0] === LF && bytes[start] === SPACE) start++;
          if (mayStart(bytes, start)) return true;
        }
      }
      // No kernel message found where this format puts them: a layout not known here (another
      // ident, another template) is read, never passed over.
      return messages === 0 && bytes.length > 0;
    },
  };
}

/** After the anchor: past the `[ ts] ` imklog keeps in a syslog message (a relay may add a space before it). */
function messageStart(bytes: Buffer, start: number): number {
  if (bytes[start] === SPACE && bytes[start + 1] === LBRACKET) start++;
  if (bytes[start] !== LBRACKET) return start;
  for (let i = start + 1; i < bytes.length && i < start + 40; i++) {
    const b = bytes[i];
    if (b === LF) return start;
    if (b === RBRACKET) return bytes[i + 1] === SPACE ? i + 2 : i + 1;
  }
  return start;
}

const LF = 10;
const CR = 13;
const SPACE = 32;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
