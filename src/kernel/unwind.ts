import { findOrc, ORC_REG, type OrcEntry, type OrcLayout, type OrcTable } from './orc.js';
import type { KernelView } from './kernel-view.js';
import type { LoadedModule } from './modules.js';

/** struct pt_regs on x86-64, in order (what an interrupt or exception saves). */
export const PT_REGS = ['r15', 'r14', 'r13', 'r12', 'rbp', 'rbx', 'r11', 'r10', 'r9', 'r8', 'rax', 'rcx', 'rdx', 'rsi', 'rdi', 'orig_rax', 'rip', 'cs', 'eflags', 'rsp', 'ss'] as const;
const FRAMES_MAX = 128;
/** How far up the stack a return address is looked for when a function has no ORC entry. */
const SCAN_WORDS = 64;

export type RegisterSet = Partial<Record<(typeof PT_REGS)[number], bigint>>;

export interface StackFrame {
  ip: bigint;
  /** Where the frame's return address was found (its stack pointer), as crash prints it. */
  sp: bigint;
  /** `name+0xoff`, with ip-1 for a return address so a call to a noreturn function names its caller. */
  symbol?: string;
  offset?: bigint;
  module?: string;
  /** False when the frame has no ORC entry or no symbol: the kernel would print `?`. */
  reliable: boolean;
  /** The registers an interrupt or exception saved when it stopped this function. */
  exception?: RegisterSet;
}

export interface Backtrace {
  frames: StackFrame[];
  /** The user-mode registers the trace ends in (a syscall or a task in user space). */
  userRegisters?: RegisterSet;
  /** Why the unwind stopped early, when it did. */
  stopped?: string;
}

interface UnwindState {
  ip: bigint;
  sp: bigint;
  bp: bigint;
  /** Registers known exactly (the first frame's, or a full pt_regs just crossed). */
  regs: RegisterSet | undefined;
  /** `ip` is exact (not a return address). */
  signal: boolean;
}

/** The ORC tables of vmlinux and the modules, and the unwinder over them. */
export class OrcUnwinder {
  private readonly vmlinux: OrcTable;
  private readonly layout: OrcLayout;

  constructor(private readonly view: KernelView, private readonly modules: readonly LoadedModule[]) {
    const ip = view.address('__start_orc_unwind_ip');
    this.vmlinux = { ipTable: ip, entries: view.address('__start_orc_unwind'), count: Number(view.address('__stop_orc_unwind_ip') - ip) / 4 };
    this.layout = view.hasSymbol('__start_orc_header') || view.atLeast(6, 4) ? 'v6.4' : view.atLeast(6, 3) ? 'v6.3' : 'v6.1';
  }

  /** Unwinds from a CPU's registers (exact ip) or a sleeping task's saved frame (return address). */
  unwind(start: { ip: bigint; sp: bigint; bp: bigint; regs?: RegisterSet; exact: boolean }): Backtrace {
    const frames: StackFrame[] = [];
    const state: UnwindState = { ip: start.ip, sp: start.sp, bp: start.bp, regs: start.regs, signal: start.exact };
    const seen = new Set<string>();
    let exception: RegisterSet | undefined;
    let scanned = false;
    if (start.regs && isUser(start.regs)) return { frames, userRegisters: start.regs };
    for (let n = 0; n < FRAMES_MAX; n++) {
      const key = `${state.ip}:${state.sp}`;
      if (seen.has(key)) return { frames, stopped: 'the stack loops' };
      seen.add(key);
      const lookup = state.signal ? state.ip : state.ip - 1n;
      const frame = this.frame(state.ip, scanned ? state.sp - 8n : state.sp, lookup);
      if (scanned) frame.reliable = false;
      scanned = false;
      if (exception) frame.exception = exception;
      exception = undefined;
      frames.push(frame);
      let orc: OrcEntry | undefined;
      try {
        orc = this.orcFor(lookup);
      } catch {
        orc = undefined;
      }
      if (orc === undefined || orc.type === 'undefined') {
        // No ORC here (objtool skipped the function, e.g. __crash_kexec's crash_setup_regs):
        // as the kernel does, find the next return address on the stack and go on from it.
        const found = this.scanForReturn(state.sp);
        if (found === undefined) {
          frame.reliable = false;
          return { frames, stopped: `no unwind information for 0x${state.ip.toString(16)}` };
        }
        state.ip = found.ip;
        state.sp = found.at + 8n;
        state.regs = undefined;
        state.signal = false;
        scanned = true;
        continue;
      }
      if (orc.type === 'end') return { frames };
      try {
        const next = this.step(state, orc);
        if (next === 'user') return { frames, ...(state.regs ? { userRegisters: state.regs } : {}) };
        if (next === 'exception') exception = state.regs;
      } catch (e) {
        return { frames, stopped: `the stack cannot be read past 0x${state.sp.toString(16)} (${(e as Error).message})` };
      }
      if (state.ip === 0n) return { frames };
    }
    return { frames, stopped: `more than ${FRAMES_MAX} frames` };
  }

  /**
   * The first word at or above `sp` that is a return address: it follows a call instruction in
   * kernel text that has ORC information. Only a short stretch of stack is searched.
   */
  private scanForReturn(sp: bigint): { ip: bigint; at: bigint } | undefined {
    const words = this.view.mem.tryRead(sp, SCAN_WORDS * 8);
    if (!words) return undefined;
    for (let i = 0; i < SCAN_WORDS; i++) {
      const v = words.readBigUInt64LE(i * 8);
      if (v < 0xffffffff80000000n || !this.view.symbols.at(v - 1n)) continue;
      const before = this.view.mem.tryRead(v - 7n, 7);
      if (!before || !followsCall(before)) continue;
      let orc: OrcEntry | undefined;
      try {
        orc = this.orcFor(v - 1n);
      } catch {
        orc = undefined;
      }
      if (orc && orc.type !== 'undefined') return { ip: v, at: sp + BigInt(i * 8) };
    }
    return undefined;
  }

  private frame(ip: bigint, sp: bigint, lookup: bigint): StackFrame {
    const hit = this.view.symbols.at(lookup);
    if (!hit) return { ip, sp, reliable: false };
    const f: StackFrame = { ip, sp, symbol: hit.symbol.name, offset: hit.offset + (ip - lookup), reliable: true };
    if (hit.symbol.module) f.module = hit.symbol.module;
    return f;
  }

  private orcFor(ip: bigint): OrcEntry | undefined {
    for (const m of this.modules) {
      if (!m.ranges.some((r) => ip >= r.start && ip < r.end)) continue;
      return m.orc ? findOrc(this.view.mem, { ipTable: m.orc.ip, entries: m.orc.entries, count: m.orc.count }, this.layout, ip) : undefined;
    }
    return findOrc(this.view.mem, this.vmlinux, this.layout, ip);
  }

  /** One step of the kernel's unwind_next_frame (arch/x86/kernel/unwind_orc.c). */
  private step(s: UnwindState, orc: OrcEntry): 'call' | 'exception' | 'user' {
    const mem = this.view.mem;
    const reg = (name: keyof RegisterSet): bigint => {
      const v = s.regs?.[name];
      if (v === undefined) throw new Error(`ORC needs ${name}, which this frame did not save`);
      return v;
    };
    let cfa: bigint;
    switch (orc.spReg) {
      case ORC_REG.SP: cfa = s.sp + BigInt(orc.spOffset); break;
      case ORC_REG.BP: cfa = s.bp + BigInt(orc.spOffset); break;
      case ORC_REG.SP_INDIRECT: cfa = mem.u64(s.sp) + BigInt(orc.spOffset); break;
      case ORC_REG.BP_INDIRECT: cfa = mem.u64(s.bp + BigInt(orc.spOffset)); break;
      case ORC_REG.R10: cfa = reg('r10') + BigInt(orc.spOffset); break;
      case ORC_REG.R13: cfa = reg('r13') + BigInt(orc.spOffset); break;
      case ORC_REG.DI: cfa = reg('rdi') + BigInt(orc.spOffset); break;
      case ORC_REG.DX: cfa = reg('rdx') + BigInt(orc.spOffset); break;
      default: throw new Error(`unknown ORC sp register ${orc.spReg}`);
    }
    const oldBp = s.bp;
    let result: 'call' | 'exception' | 'user' = 'call';
    if (orc.type === 'call') {
      s.ip = mem.u64(cfa - 8n);
      s.sp = cfa;
      s.regs = undefined;
      s.signal = false;
    } else if (orc.type === 'regs') {
      const regs = readPtRegs(mem.read(cfa, PT_REGS.length * 8));
      s.regs = regs;
      s.ip = regs.rip as bigint;
      s.sp = regs.rsp as bigint;
      s.signal = true;
      result = isUser(regs) ? 'user' : 'exception';
    } else {
      // An iret frame: ip, cs, flags, sp, ss at the CFA.
      const iret = mem.read(cfa, 40);
      s.ip = iret.readBigUInt64LE(0);
      s.sp = iret.readBigUInt64LE(24);
      s.regs = { rip: s.ip, cs: iret.readBigUInt64LE(8), eflags: iret.readBigUInt64LE(16), rsp: s.sp, ss: iret.readBigUInt64LE(32) };
      s.signal = true;
      result = isUser(s.regs) ? 'user' : 'call';
    }
    switch (orc.bpReg) {
      case ORC_REG.UNDEFINED:
        if (orc.type === 'regs' && s.regs?.rbp !== undefined) s.bp = s.regs.rbp;
        break;
      case ORC_REG.PREV_SP: s.bp = mem.u64(cfa + BigInt(orc.bpOffset)); break;
      case ORC_REG.BP: s.bp = mem.u64(oldBp + BigInt(orc.bpOffset)); break;
      default: break;
    }
    return result;
  }
}

/** The 7 bytes before a return address end in a call: `e8 rel32`, or `ff /2` with a 1 to 6 byte operand. */
function followsCall(b: Buffer): boolean {
  if (b[2] === 0xe8) return true;
  for (const at of [5, 4, 1, 0]) if (b[at] === 0xff && (((b[at + 1] as number) >> 3) & 7) === 2) return true;
  return false;
}

export function readPtRegs(b: Buffer): RegisterSet {
  const regs: RegisterSet = {};
  PT_REGS.forEach((name, i) => {
    regs[name] = b.readBigUInt64LE(i * 8);
  });
  return regs;
}

function isUser(regs: RegisterSet): boolean {
  return regs.cs !== undefined && (regs.cs & 3n) === 3n;
}

