import type { CodeLocation } from '../crash-report.js';
import { stripHexPrefix } from './hex.js';

/** `func+0x1a/0x40` (size optional). Bounded classes only: no nested quantifiers. */
const SYMBOL = /^([A-Za-z_.$][\w.$]{0,254})\+0x([0-9a-fA-F]{1,16})(?:\/0x([0-9a-fA-F]{1,16}))?/;
/** ` [module]` or ` [module 0123abcd…]` right after a symbol. */
const MODULE = /^ \[([\w-]{1,64})(?: ([0-9a-f]{8,64}))?\]/;
/** `[<ffffffff81234567>]` / `[c000000000012345]` address brackets. */
const BRACKET_ADDRESS = /^\[<?([0-9a-fA-F]{4,16})>?\]\s*/;
const BARE_ADDRESS = /^(?:0x([0-9a-fA-F]{1,16})|([0-9a-fA-F]{8,16}))(?=[\s,]|$)/;

export interface SymbolText {
  function: string;
  offset: string;
  size?: string;
  module?: string;
  buildId?: string;
  /** Characters consumed from the input. */
  length: number;
}

/** `func+0x1a/0x40 [mod buildid]` at the start of `text`. */
export function parseSymbolText(text: string): SymbolText | undefined {
  const m = SYMBOL.exec(text);
  if (!m) return undefined;
  const out: SymbolText = { function: m[1] ?? '', offset: (m[2] ?? '').toLowerCase(), length: m[0].length };
  if (m[3] !== undefined) out.size = m[3].toLowerCase();
  const mod = MODULE.exec(text.slice(m[0].length));
  if (mod) {
    out.module = mod[1] ?? '';
    if (mod[2] !== undefined) out.buildId = mod[2];
    out.length += mod[0].length;
  }
  return out;
}

/**
 * A code location as the kernel prints it with `%pS`/`%pB`: `func+0x1a/0x40 [mod]`, with optional
 * `[<address>]` brackets before it (older kernels), or a bare address (`0x7f…`, `ffffffff81000000`).
 */
export function parseCodeLocation(text: string): CodeLocation | undefined {
  let rest = text.trim();
  const raw = rest;
  if (rest === '') return undefined;
  let address: string | undefined;
  // Old x86 printed the address twice: `[<ffffffff83408ca0>]  [<ffffffff83408ca0>] func…`.
  for (let i = 0; i < 2; i++) {
    const b = BRACKET_ADDRESS.exec(rest);
    if (!b) break;
    address = (b[1] ?? '').toLowerCase();
    rest = rest.slice(b[0].length);
  }
  const sym = parseSymbolText(rest);
  if (sym) {
    const loc: CodeLocation = { raw, function: sym.function, offset: sym.offset };
    if (address !== undefined) loc.address = address;
    if (sym.size !== undefined) loc.size = sym.size;
    if (sym.module !== undefined) loc.module = sym.module;
    if (sym.buildId !== undefined) loc.buildId = sym.buildId;
    return loc;
  }
  const bare = BARE_ADDRESS.exec(rest);
  if (bare) return { raw, address: stripHexPrefix(bare[1] ?? bare[2] ?? '') };
  if (address !== undefined) return { raw, address };
  return undefined;
}
