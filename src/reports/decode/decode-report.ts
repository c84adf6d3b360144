import type { CodeBytes, CodeLocation, CrashReport, FaultAddress, ReportDetails, ReportKind } from '../crash-report.js';
import { parseArmAbort } from './arm64-abort.js';
import { parseCallTraces } from './call-traces.js';
import { parseCodeLine } from './code-line.js';
import { parseCpuLine } from './cpu-line.js';
import { classifyFaultAddress } from './fault-address.js';
import { parseHardwareLine } from './hardware-line.js';
import { parseHeaderDetails } from './header-details.js';
import { parseInstructionPointer } from './instruction-pointer.js';
import { parseLockupDetails } from './lockup-details.js';
import { parseMachineCheck } from './machine-check.js';
import { parseKasanRange, parseMemoryAccess } from './memory-access.js';
import { parseModulesLinkedIn } from './modules-linked-in.js';
import { parseOom } from './oom.js';
import { parsePageFaultLines } from './page-fault.js';
import { parsePanicReason } from './panic-reason.js';
import { mergeLocation, parseRegisters } from './registers.js';
import { layoutFor } from './register-layouts.js';
import { mergeTaint, parseVerboseTaint } from './taint.js';
import { parseTaintAndVersion, parseVersionThenTaint } from './taint-and-version.js';

export type DecodedFields = Pick<
  CrashReport,
  | 'cpu' | 'pid' | 'uid' | 'comm' | 'taint' | 'kernel' | 'hardware' | 'ip' | 'lr' | 'registers' | 'faultAddress'
  | 'pageFault' | 'code' | 'stacks' | 'memoryAccess' | 'modules' | 'oom' | 'panic' | 'details'
> & { corruptedReasons: string[] };

/** Report kinds whose fault address is the register's (CR2, badaddr, DAR) when no line names it. */
const FAULT_KINDS: ReadonlySet<ReportKind> = new Set(['page-fault', 'null-pointer-dereference']);
/** KASAN bug types whose access address is itself the bad pointer. */
const POINTER_BUGS = new Set(['null-ptr-deref', 'wild-memory-access', 'user-memory-access']);
const USER_SEGMENTS = new Set(['0033', '0023', '0073']);

/** Each decoder is guarded: one that throws on strange input loses only its own field. */
function guarded<T>(what: string, reasons: string[], run: () => T): T | undefined {
  try {
    return run();
  } catch {
    reasons.push(`could not decode ${what}`);
    return undefined;
  }
}

/**
 * Decode every field of one report from its lines (prefixes already removed, leading blanks kept).
 * Pure; never throws; what cannot be decoded is left out and may be named in `corruptedReasons`.
 */
export function decodeReportFields(lines: readonly string[], hint?: { kind?: ReportKind }): DecodedFields {
  const reasons: string[] = [];
  const details: ReportDetails = {};
  const out: DecodedFields = { stacks: [], details, corruptedReasons: reasons };

  guarded('CPU line', reasons, () => decodeIdentity(lines, out));

  const regs = guarded('registers', reasons, () => parseRegisters(lines));
  if (regs?.registers) out.registers = regs.registers;
  if (regs?.interleaved) reasons.push('interleaved register dump');
  // powerpc prints the bare `NIP:` in its register dump and `NIP [addr] func+0x…` after it.
  const ip = regs?.ip?.function === undefined && regs?.ip?.address !== undefined ? namedAt(regs.ip, lines) : (regs?.ip ?? firstInstructionPointer(lines));
  // A user-mode RIP is where the syscall came from, not where the kernel failed.
  const userMode = ip?.segment !== undefined && USER_SEGMENTS.has(ip.segment);
  if (ip && !userMode) out.ip = ip;
  if (ip && userMode) {
    details.userModeIp = ip.raw;
    if (out.registers && regs?.ip === ip) out.registers.mode = 'user';
  }
  if (regs?.lr) out.lr = regs.lr;

  const code = guarded('Code line', reasons, () => pickCodeLine(lines, regs?.start ?? 0));
  if (code) out.code = code;

  const traces = guarded('call traces', reasons, () => parseCallTraces(lines));
  if (traces) {
    out.stacks = traces.stacks;
    reasons.push(...traces.corruptedReasons);
  }

  const memory = guarded('memory access', reasons, () => parseMemoryAccess(lines));
  if (memory) {
    if (memory.task === undefined && out.comm !== undefined) memory.task = out.comm;
    if (memory.pid === undefined && out.pid !== undefined && memory.task === out.comm) memory.pid = out.pid;
    out.memoryAccess = memory;
  }

  const modulesAt = lines.findIndex((l) => l.includes('Modules linked in:'));
  if (modulesAt >= 0) {
    const mods = guarded('modules list', reasons, () => parseModulesLinkedIn(lines, modulesAt));
    if (mods) out.modules = mods.unloaded ? { linked: mods.linked, unloaded: mods.unloaded } : { linked: mods.linked };
  }

  const oom = guarded('OOM report', reasons, () => parseOom(lines));
  if (oom) out.oom = oom;

  for (const line of lines) {
    const panic = parsePanicReason(line);
    if (panic) {
      out.panic = panic;
      break;
    }
  }

  guarded('fault address', reasons, () => decodeFault(lines, out, hint?.kind));
  guarded('details', reasons, () => {
    const header = parseHeaderDetails(lines);
    Object.assign(details, header.details, parseLockupDetails(lines), parseMachineCheck(lines));
    if (out.cpu === undefined && header.cpu !== undefined) out.cpu = header.cpu;
    if (out.pid === undefined && header.pid !== undefined) out.pid = header.pid;
    if (out.comm === undefined && header.comm !== undefined) out.comm = header.comm;
  });
  return out;
}

/** CPU/PID/comm, taint and kernel version from the `CPU:` line or the lines that stand in for it. */
function decodeIdentity(lines: readonly string[], out: DecodedFields): void {
  for (const line of lines) {
    const t = line.trim();
    if (out.cpu === undefined && out.pid === undefined) {
      const cpu = parseCpuLine(t);
      if (cpu) {
        if (cpu.cpu !== undefined) out.cpu = cpu.cpu;
        if (cpu.pid !== undefined) out.pid = cpu.pid;
        if (cpu.uid !== undefined) out.uid = cpu.uid;
        if (cpu.comm !== undefined) out.comm = cpu.comm;
        if (cpu.kdumpLoaded) out.details.kdumpLoaded = true;
        if (cpu.taint) out.taint = out.taint ? mergeTaint(cpu.taint, out.taint) : cpu.taint;
        if (cpu.kernel) out.kernel ??= cpu.kernel;
        continue;
      }
    }
    if (/^Tainted: \[/.test(t)) {
      const verbose = parseVerboseTaint(t.slice('Tainted: '.length));
      out.taint = out.taint ? mergeTaint(out.taint, verbose) : verbose;
      continue;
    }
    // Hung-task and lockdep reports carry the taint without a CPU line.
    if (out.taint === undefined && (t.startsWith('Not tainted ') || t.startsWith('Tainted: '))) {
      const tv = parseTaintAndVersion(t);
      if (tv.taint) out.taint = tv.taint;
      if (tv.kernel) out.kernel ??= tv.kernel;
      continue;
    }
    if (out.taint === undefined) {
      const vt = parseVersionThenTaint(t);
      if (vt?.taint) out.taint = vt.taint;
      if (vt?.kernel) out.kernel ??= vt.kernel;
    }
    if (out.hardware === undefined) {
      const hw = parseHardwareLine(t);
      if (hw) out.hardware = hw;
    }
  }
}

/** The register dump's bare instruction pointer, named by a later line that gives the same address a function. */
function namedAt(ip: CodeLocation, lines: readonly string[]): CodeLocation {
  for (const line of lines) {
    const named = parseInstructionPointer(line)?.ip;
    if (named?.function !== undefined && named.address === ip.address) return mergeLocation(ip, named);
  }
  return ip;
}

/** The first instruction pointer when no register dump came with one (kernel-mode preferred). */
function firstInstructionPointer(lines: readonly string[]): CodeLocation | undefined {
  let first: CodeLocation | undefined;
  for (const line of lines) {
    const ip = parseInstructionPointer(line)?.ip;
    if (!ip) continue;
    if (ip.segment === undefined || !USER_SEGMENTS.has(ip.segment)) return ip;
    first ??= ip;
  }
  return first;
}

/** The `Code:` line of the chosen register dump: the first one at or after its start. */
function pickCodeLine(lines: readonly string[], from: number): CodeBytes | undefined {
  let first: CodeBytes | undefined;
  for (let i = 0; i < lines.length; i++) {
    const code = parseCodeLine(lines[i] ?? '');
    if (!code) continue;
    if (i >= from) return code;
    first ??= code;
  }
  return first;
}

/** Page-fault error code and the faulting address, from whichever lines the architecture printed. */
function decodeFault(lines: readonly string[], out: DecodedFields, kind: ReportKind | undefined): void {
  const arch = out.registers?.arch;
  const pf = parsePageFaultLines(lines);
  if (pf.pageFault) out.pageFault = pf.pageFault;
  if (pf.execHint) out.details.execHint = pf.execHint;
  const arm = parseArmAbort(lines);
  Object.assign(out.details, arm.details);
  const kasanRange = parseKasanRange(lines);
  if (kasanRange) out.details.kasanRange = `${kasanRange.start}-${kasanRange.end}`;

  let address = pf.address ?? arm.address;
  if (address === undefined) {
    const gpf = lines.map((l) => /probably for non-canonical address 0x([0-9a-f]{1,16})/.exec(l)).find((m) => m);
    address = gpf?.[1];
  }
  const access = out.memoryAccess;
  if (address === undefined && access?.address !== undefined && POINTER_BUGS.has(access.bugType)) address = access.address;
  if (address === undefined && kind !== undefined && FAULT_KINDS.has(kind) && out.registers) {
    const reg = layoutFor(out.registers.arch)?.faultAddress;
    if (reg !== undefined) address = out.registers.values[reg];
  }
  if (address === undefined) return;
  const ctx: Parameters<typeof classifyFaultAddress>[1] = {};
  if (arch !== undefined) ctx.arch = arch;
  if (kasanRange) ctx.kasanRange = kasanRange;
  const fault: FaultAddress = classifyFaultAddress(address, ctx);
  out.faultAddress = fault;
}
