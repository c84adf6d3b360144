import type { CodeLocation, CrashReport, ResolvedLocation, StackFrame } from '../reports/crash-report.js';
import type { SymbolFile } from './symbol-file.js';
import type { SymbolSource } from './symbol-source.js';

/** What a frame or RIP says about where it was, as the resolver needs it. */
interface PrintedLocation {
  function?: string;
  offset?: string;
  size?: string;
  module?: string;
  buildId?: string;
  address?: string;
}

/**
 * Adds `resolved` (file:line and the chain of inlined callers) to every frame and RIP of the
 * reports that the symbol source can answer for. Pure: the reports passed in are not changed.
 * Return addresses are looked up at address − 1, as `decode_stacktrace.sh` does, so that the
 * line is the call's, not the next statement's; the faulting RIP is looked up as printed.
 */
export function symbolizeReports(reports: CrashReport[], source: SymbolSource): CrashReport[] {
  return reports.map((report) => symbolizeReport(report, source));
}

export function symbolizeReport(report: CrashReport, source: SymbolSource): CrashReport {
  const slide = kaslrSlide(report, source);
  const out: CrashReport = { ...report, stacks: report.stacks.map((s) => ({ ...s, frames: s.frames.map((f) => symbolizeFrame(f, source, slide)) })) };
  if (report.ip) {
    const resolved = resolve(report.ip, false, source, slide);
    if (resolved) out.ip = { ...report.ip, resolved } satisfies CodeLocation;
  }
  return out;
}

function symbolizeFrame(frame: StackFrame, source: SymbolSource, slide: bigint | undefined): StackFrame {
  const printed: PrintedLocation = { ...frame };
  if (frame.function.startsWith('0x')) {
    delete printed.function;
    printed.address ??= frame.function.slice(2);
  }
  const resolved = resolve(printed, true, source, slide);
  return resolved ? { ...frame, resolved } : frame;
}

/** Resolves one printed location; undefined when no symbol file knows it. */
export function resolve(loc: PrintedLocation, isReturnAddress: boolean, source: SymbolSource, slide?: bigint): ResolvedLocation | undefined {
  const file = loc.module ? source.module(loc.module, loc.buildId) : source.vmlinux();
  if (!file) return loc.module ? undefined : fromSystemMap(loc, source);
  let address: bigint | undefined;
  let mismatch: string | undefined;
  if (loc.function && loc.offset !== undefined) {
    const sym = file.functionSymbol(loc.function);
    if (!sym) return undefined;
    const offset = BigInt(`0x${loc.offset}`);
    address = sym.address + offset;
    if (loc.size !== undefined) {
      const size = Number.parseInt(loc.size, 16);
      if (size !== sym.size && size !== sym.kallsymsSize) mismatch = `${loc.function} is 0x${sym.size.toString(16)} bytes in ${file.elf.path} but 0x${loc.size} in the report: not the kernel build that crashed`;
    }
    if (offset === 0n && isReturnAddress) isReturnAddress = false;
  } else if (loc.address && !loc.module && slide !== undefined) {
    address = BigInt.asUintN(64, BigInt(`0x${loc.address}`) - slide);
  }
  if (address === undefined) return undefined;
  const at = isReturnAddress ? address - 1n : address;
  const info = loc.module ? file.lookupPlaced(at) : file.lookup(at);
  if (!info.found) return undefined;
  const [first, ...callers] = info.frames;
  const resolved: ResolvedLocation = { address: at.toString(16), object: file.elf.path, inlinedInto: [] };
  if (first?.function) resolved.function = first.function;
  if (first?.file) resolved.file = first.file;
  if (first?.line) resolved.line = first.line;
  if (first?.discriminator) resolved.discriminator = first.discriminator;
  for (const c of callers) {
    const call: ResolvedLocation['inlinedInto'][number] = {};
    if (c.function) call.function = c.function;
    if (c.file) call.file = c.file;
    if (c.line) call.line = c.line;
    resolved.inlinedInto.push(call);
  }
  if (mismatch) resolved.mismatch = mismatch;
  return resolved;
}

/** Without debug info: the function's place in System.map, and the size check. */
function fromSystemMap(loc: PrintedLocation, source: SymbolSource): ResolvedLocation | undefined {
  const map = source.systemMap();
  if (!map || !loc.function || loc.offset === undefined) return undefined;
  const sym = map.symbol(loc.function);
  if (!sym) return undefined;
  const resolved: ResolvedLocation = { address: (sym.address + BigInt(`0x${loc.offset}`)).toString(16), object: map.path, function: loc.function, inlinedInto: [] };
  if (loc.size !== undefined && sym.size !== undefined && Number.parseInt(loc.size, 16) !== sym.size) {
    resolved.mismatch = `${loc.function} is 0x${sym.size.toString(16)} bytes in ${map.path} but 0x${loc.size} in the report: not the kernel build that crashed`;
  }
  return resolved;
}

/**
 * The KASLR slide: printed address minus the symbol's link-time address, from any kernel
 * frame that prints both (`[<ffffffff9a2b…>] func+0x1a/0x40`), so bare addresses resolve too.
 */
export function kaslrSlide(report: CrashReport, source: SymbolSource): bigint | undefined {
  const candidates: PrintedLocation[] = [...report.stacks.flatMap((s) => s.frames), ...(report.ip ? [report.ip] : [])];
  for (const c of candidates) {
    if (!c.address || !c.function || c.module || c.offset === undefined || c.function.startsWith('0x')) continue;
    const file: SymbolFile | undefined = source.vmlinux();
    const sym = file?.functionSymbol(c.function);
    if (!file || !sym) continue;
    return BigInt.asUintN(64, BigInt(`0x${c.address}`) - (sym.address + BigInt(`0x${c.offset}`)));
  }
  return undefined;
}
