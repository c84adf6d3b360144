import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const FIXTURES = fileURLToPath(new URL('../../fixtures/decode/', import.meta.url));

/**
 * Remove the console prefixes the segmenter removes: `[  584.319520]`, then an optional
 * `[   T31]`/`[    C0]` caller id, then the one blank printk puts before the text. Blanks that are
 * part of the text (frame indentation) stay.
 */
export function stripPrefix(line: string): string {
  const m = /^\[\s*\d+\.\d+\](?:\[\s*[TC]\d+\])? ?/.exec(line);
  return m ? line.slice(m[0].length) : line;
}

/** A fixture's lines with prefixes stripped (the last empty line of the file dropped). */
export function fixtureLines(name: string): string[] {
  const text = readFileSync(`${FIXTURES}${name}`, 'utf8').replace(/\r/g, '');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map(stripPrefix);
}

/** The first line of a fixture (prefix stripped) that matches `re`; throws if none, so a test names its input. */
export function lineOf(name: string, re: RegExp): string {
  const line = fixtureLines(name).find((l) => re.test(l));
  if (line === undefined) throw new Error(`${name}: no line matches ${String(re)}`);
  return line;
}

/** The lines of a fixture from the first match of `from` to the first later match of `to` (inclusive). */
export function linesBetween(name: string, from: RegExp, to?: RegExp): string[] {
  const lines = fixtureLines(name);
  const start = lines.findIndex((l) => from.test(l));
  if (start < 0) throw new Error(`${name}: no line matches ${String(from)}`);
  if (!to) return lines.slice(start);
  const end = lines.findIndex((l, i) => i > start && to.test(l));
  return lines.slice(start, end < 0 ? undefined : end + 1);
}
