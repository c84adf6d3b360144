import type { StackFrame } from '../crash-report.js';
import { parseSymbolText } from './code-location.js';
import { markerContext } from './stack-markers.js';

/** A frame without its context: the call-trace builder knows which `<IRQ>`/`<TASK>` it is in. */
export type ParsedFrame = Omit<StackFrame, 'context'>;

export type FrameLine =
  | { kind: 'marker'; marker: string; closing: boolean; frame?: ParsedFrame }
  | { kind: 'frame'; frame: ParsedFrame; caller?: ParsedFrame; bracketed: boolean };

/** `<IRQ>`, `</IRQ>`, `<#DF>`, `<EOI>` at the start of a line (pre-4.x puts a frame after it). */
const MARKER = /^<(\/?)(#?[A-Z][A-Z_0-9]{0,19})>\s*/;
/** Old x86/riscv/arm64/kmemleak `[<ffffffff81234567>] ` and old inline `[<     inline     >] `. */
const ADDR_BRACKET = /^\[<([0-9a-f]{8,16}|\s*inline\s*)>\]\s{1,4}/;
/** powerpc `[c000000049a87710] [c0000000000286fc] func+0x…` (stack pointer, then return address). */
const PPC = /^\[([0-9a-f]{8,16})\] \[([0-9a-f]{8,16})\] /;
/** 32-bit arm `[<c0123456>] (func+0x1/0x2) from [<c0123457>] (caller+0x3/0x4)`. */
const ARM = /^\[<([0-9a-f]{8})>\] \(([^()\s]{1,256})\) from \[<([0-9a-f]{8})>\] \(([^()\s]{1,256})\)/;
/** Source location added by syzbot/decode_stacktrace.sh: `fs/ext4/inode.c:123`. */
const FILE_LINE = /^ {1,4}([\w./+-]{1,200}\.[A-Za-z]{1,4}):(\d{1,7})(?::\d{1,5})?/;
/** `func fs/file.c:12 [inline]`: a function inlined into the next frame. */
const INLINE = /^([A-Za-z_.$][\w.$]{0,254}) ([\w./+-]{1,200}\.[A-Za-z]{1,4}):(\d{1,7})(?::\d{1,5})? \[inline\]$/;
const RAW_ADDRESS = /^0x([0-9a-f]{1,16})$/;
/** What may follow a frame: arm64 `(T)`/`(P)`/`(L)`, powerpc `(unreliable)`, old WARNING `()`. */
const SUFFIX = /^(?:\[inline\]|\((?:[A-Z]|unreliable)\)|\(\))$/;

function symbolFrame(text: string, raw: string, reliable: boolean, address?: string): ParsedFrame | undefined {
  const sym = parseSymbolText(text);
  if (!sym) {
    const inl = INLINE.exec(text);
    if (inl) {
      const f: ParsedFrame = { function: inl[1] ?? '', reliable, file: inl[2] ?? '', line: Number(inl[3]), inlined: true, raw };
      return f;
    }
    const sp = text.indexOf(' ');
    const addr = RAW_ADDRESS.exec(sp < 0 ? text : text.slice(0, sp));
    const tail = sp < 0 ? '' : text.slice(sp).trim();
    if (!addr || (tail !== '' && !SUFFIX.test(tail))) return undefined;
    return { address: addr[1] ?? '', function: `0x${addr[1] ?? ''}`, reliable: reliable && tail !== '(unreliable)', raw };
  }
  const f: ParsedFrame = { function: sym.function, offset: sym.offset, reliable, raw };
  if (address !== undefined) f.address = address;
  if (sym.size !== undefined) f.size = sym.size;
  if (sym.module !== undefined) f.module = sym.module;
  const rest = text.slice(sym.length);
  const fl = FILE_LINE.exec(rest);
  if (fl) {
    f.file = fl[1] ?? '';
    f.line = Number(fl[2]);
  }
  // Anything else after the symbol must be a known suffix, or this is prose that happens to hold `+0x`.
  const tail = (fl ? rest.slice(fl[0].length) : rest).trim();
  if (tail !== '' && !SUFFIX.test(tail)) return undefined;
  if (tail === '(unreliable)') f.reliable = false;
  if (tail === '[inline]') f.inlined = true;
  return f;
}

/** Frame text after the optional `? ` (x86: found on the stack, not proven part of the chain). */
function bodyFrame(body: string, raw: string, address?: string): ParsedFrame | undefined {
  const unreliable = body.startsWith('? ');
  return symbolFrame(unreliable ? body.slice(2) : body, raw, !unreliable, address);
}

/**
 * One line of a stack, recognised by its shape, never by a list of functions: x86/arm64
 * ` ? func+0x12/0x34 [mod]`, syzbot ` func+0x12/0x34 fs/x.c:12` and ` func fs/x.c:12 [inline]`, old
 * `[<ffffffff81234567>] func+0x…`, riscv `[<…>] func+0x…`, powerpc `[c…] [c…] func+0x… (unreliable)`,
 * arm `[<c…>] (func) from [<c…>] (caller+0x…)`, arm64 `func+0x… (T)`, and context markers.
 * The bare ` func+0x…` shape needs leading blanks, as the kernel prints them: prose never has them.
 */
export function parseFrameLine(line: string): FrameLine | undefined {
  const raw = line.trim();
  if (raw === '' || raw.length > 1024) return undefined;
  const marker = MARKER.exec(raw);
  if (marker) {
    const name = marker[2] ?? '';
    if (markerContext(name) === undefined && name !== 'EOI') return undefined;
    const rest = raw.slice(marker[0].length);
    const out: FrameLine = { kind: 'marker', marker: name.replace(/^#/, ''), closing: marker[1] === '/' };
    if (rest !== '') {
      const inner = parseFrameLine(` ${rest}`);
      if (inner?.kind === 'frame') out.frame = inner.frame;
    }
    return out;
  }
  const arm = ARM.exec(raw);
  if (arm) {
    const frame = bodyFrame(arm[2] ?? '', raw, arm[1]) ?? { address: arm[1] ?? '', function: arm[2] ?? '', reliable: true, raw };
    const caller = bodyFrame(arm[4] ?? '', raw, arm[3]) ?? { address: arm[3] ?? '', function: arm[4] ?? '', reliable: true, raw };
    return { kind: 'frame', frame, caller, bracketed: true };
  }
  const ppc = PPC.exec(raw);
  if (ppc) {
    const frame = bodyFrame(raw.slice(ppc[0].length), raw, ppc[2]);
    return frame ? { kind: 'frame', frame, bracketed: true } : undefined;
  }
  const br = ADDR_BRACKET.exec(raw);
  if (br) {
    const inside = (br[1] ?? '').trim();
    const frame = bodyFrame(raw.slice(br[0].length), raw, inside === 'inline' ? undefined : inside);
    if (frame && inside === 'inline') frame.inlined = true;
    return frame ? { kind: 'frame', frame, bracketed: true } : undefined;
  }
  if (!/^\s/.test(line)) return undefined;
  const frame = bodyFrame(raw, raw);
  return frame ? { kind: 'frame', frame, bracketed: false } : undefined;
}
