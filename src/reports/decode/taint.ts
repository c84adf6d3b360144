import type { Taint, TaintFlag } from '../crash-report.js';
import { isClearLetter, taintRowByLetter, taintRowByName } from './taint-flags.js';

/** Letters of the short form, e.g. `G    B   W  O` → `B`, `W`, `O`; each explained from the table. */
function flagsFromLetters(letters: string): TaintFlag[] {
  const flags: TaintFlag[] = [];
  for (const letter of letters) {
    if (letter === ' ' || isClearLetter(letter)) continue;
    if (flags.some((f) => f.letter === letter)) continue;
    const row = taintRowByLetter(letter);
    flags.push(row ? { letter, bit: row.bit, meaning: row.meaning } : { letter, bit: -1, meaning: 'unknown' });
  }
  return flags;
}

/**
 * Decode a taint string as printed after `Tainted: ` (`G    B   W  O      `), the word `Not tainted`,
 * or the verbose form `[W]=WARN, [O]=OOT_MODULE`.
 */
export function parseTaint(raw: string): Taint {
  const text = raw.replace(/^\s*Tainted:\s?/, '');
  if (/^\s*Not tainted/.test(text)) return { raw: 'Not tainted', tainted: false, flags: [] };
  if (text.trimStart().startsWith('[')) return parseVerboseTaint(text);
  const flags = flagsFromLetters(text.replace(/[^A-Z ]/g, ''));
  return { raw: text, tainted: true, flags };
}

/** `[W]=WARN, [O]=OOT_MODULE` (6.x prints it on its own `Tainted:` line). */
export function parseVerboseTaint(raw: string): Taint {
  const flags: TaintFlag[] = [];
  for (const m of raw.matchAll(/\[([A-Z])\]=([A-Z_0-9]{1,40})/g)) {
    const letter = m[1] ?? '';
    const name = m[2] ?? '';
    const row = taintRowByName(name) ?? taintRowByLetter(letter);
    flags.push(row ? { letter, bit: row.bit, meaning: row.meaning } : { letter, bit: -1, meaning: 'unknown' });
  }
  return { raw: raw.trim(), tainted: flags.length > 0, flags };
}

/** Union of two readings of the same taint (short and verbose lines), short form's raw kept. */
export function mergeTaint(a: Taint, b: Taint): Taint {
  const flags = [...a.flags];
  for (const f of b.flags) if (!flags.some((g) => g.letter === f.letter)) flags.push(f);
  flags.sort((x, y) => (x.bit < 0 ? 99 : x.bit) - (y.bit < 0 ? 99 : y.bit));
  return { raw: a.raw, tainted: a.tainted || b.tainted, flags };
}
