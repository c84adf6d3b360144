import type { LinkedModule } from '../crash-report.js';

export interface ModulesLinkedIn {
  linked: LinkedModule[];
  unloaded?: string[];
  /** How many input lines the list took (the header line plus continuations). */
  lineCount: number;
}

/** `name` or `name(OE)` / `name(+)`: module names are word characters (dashes become underscores). */
const MODULE_TOKEN = /^([\w-]{1,64})(?:\(([A-Z+-]{1,12})\))?$/;

function addTokens(text: string, out: ModulesLinkedIn): void {
  let rest = text;
  const last = /\[last unloaded: ([\w-]{1,64})(?:\([A-Z+-]{1,12}\))?\]/.exec(rest);
  if (last) {
    (out.unloaded ??= []).push(last[1] ?? '');
    rest = rest.slice(0, last.index) + rest.slice(last.index + last[0].length);
  }
  for (const token of rest.split(/\s+/)) {
    const m = MODULE_TOKEN.exec(token);
    if (!m) continue;
    out.linked.push({ name: m[1] ?? '', flags: [...(m[2] ?? '')] });
  }
}

/** A continuation of the list: indented, only module-shaped tokens, maybe `[last unloaded: x]`. */
function isContinuation(line: string): boolean {
  if (!/^\s/.test(line)) return false;
  const t = line.replace(/\[last unloaded: [^\]]{1,80}\]/, '').trim();
  if (t === '') return /\[last unloaded:/.test(line);
  return t.split(/\s+/).every((tok) => MODULE_TOKEN.test(tok));
}

/**
 * `Modules linked in: lkdtm(OE) nf_tables(+) e1000 … [last unloaded: foo]`, the list possibly
 * continued on indented lines. `start` is the index of the header line.
 */
export function parseModulesLinkedIn(lines: readonly string[], start = 0): ModulesLinkedIn | undefined {
  const first = lines[start];
  if (first === undefined) return undefined;
  const at = first.indexOf('Modules linked in:');
  if (at < 0) return undefined;
  const out: ModulesLinkedIn = { linked: [], lineCount: 1 };
  addTokens(first.slice(at + 'Modules linked in:'.length), out);
  for (let i = start + 1; i < lines.length && i < start + 20; i++) {
    const line = lines[i] ?? '';
    if (!isContinuation(line)) break;
    addTokens(line, out);
    out.lineCount++;
  }
  return out;
}
