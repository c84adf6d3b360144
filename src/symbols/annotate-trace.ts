import type { ResolvedLocation } from '../reports/crash-report.js';
import { resolve } from './symbolize-reports.js';
import type { SymbolSource } from './symbol-source.js';

/** `func+0x1a/0x40` with an optional ` [module]` (and build id) after it, matched where `findFrame` puts it. */
const FRAME = /([A-Za-z_.$][\w.$]*)\+0x([0-9a-f]+)\/0x([0-9a-f]+)(?:\s+\[([\w-]+)(?:\s+[0-9a-f]+)?\])?/y;
const IDENTIFIER_CHAR = /[\w.$]/;
const IDENTIFIER_START = /[A-Za-z_.$]/;

/**
 * The first frame in a line, as an unanchored FRAME would find it, in linear time: that regex
 * tries every start position and scans the rest of a word from each (40,000 letters took 7 s).
 * Frames are found from their `+0x`, walking back over the function name.
 */
function findFrame(line: string): RegExpExecArray | null {
  for (let plus = line.indexOf('+0x'); plus >= 0; plus = line.indexOf('+0x', plus + 1)) {
    let start = plus;
    while (start > 0 && IDENTIFIER_CHAR.test(line[start - 1] as string)) start--;
    while (start < plus && !IDENTIFIER_START.test(line[start] as string)) start++;
    if (start === plus) continue;
    FRAME.lastIndex = start;
    const m = FRAME.exec(line);
    if (m) return m;
  }
  return null;
}
/** Lines whose location is the faulting instruction itself, not a return address. */
const FAULTING = /\b(?:RIP|EIP|IP|pc\s*):/;

/**
 * Annotates a kernel report in place, like the kernel's `decode_stacktrace.sh`: every line
 * holding `func+off/size [module]` gets ` file:line` appended, and each function the code was
 * inlined into follows on its own line with the same prefix. Lines that cannot be resolved are
 * kept as they are.
 */
export function annotateTrace(lines: string[], source: SymbolSource): string[] {
  resolveNamesAhead(lines, source);
  const out: string[] = [];
  for (const line of lines) {
    const m = findFrame(line);
    if (!m || m.index === undefined) {
      out.push(line);
      continue;
    }
    const [, fn, offset, size, module] = m;
    const loc = { function: fn, offset, size, ...(module !== undefined && { module }) };
    const resolved = resolve(loc, !FAULTING.test(line.slice(0, m.index)), source);
    if (!resolved) {
      out.push(line);
      continue;
    }
    // Serial consoles end lines with \r: keep it where it was.
    const eol = line.endsWith('\r') ? '\r' : '';
    out.push(`${line.trimEnd()} ${where(resolved.file, resolved.line)}${resolved.mismatch ? ` (warning: ${resolved.mismatch})` : ''}${eol}`);
    const prefix = line.slice(0, m.index);
    let inner: ResolvedLocation | ResolvedLocation['inlinedInto'][number] = resolved;
    for (const caller of resolved.inlinedInto) {
      out.push(`${prefix}${inner.function ?? '??'} inlined into ${caller.function ?? '??'} ${where(caller.file, caller.line)}${eol}`);
      inner = caller;
    }
  }
  return out;
}

/** Looks up every function name of the trace in one go per symbol file (see resolveFunctionSymbols). */
function resolveNamesAhead(lines: string[], source: SymbolSource): void {
  const byFile = new Map<string | undefined, string[]>();
  for (const line of lines) {
    const m = findFrame(line);
    if (!m?.[1]) continue;
    const names = byFile.get(m[4]) ?? [];
    names.push(m[1]);
    byFile.set(m[4], names);
  }
  for (const [module, names] of byFile) (module !== undefined ? source.module(module) : source.vmlinux())?.resolveFunctionSymbols(names);
}

/** The module names of the frames in a report's lines. */
export function moduleNamesIn(lines: string[]): string[] {
  return lines.flatMap((l) => {
    const m = findFrame(l)?.[4];
    return m ? [m] : [];
  });
}

function where(file: string | undefined, line: number | undefined): string {
  return `${file ?? '??'}:${line || '?'}`;
}
