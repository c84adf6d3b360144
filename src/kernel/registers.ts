import { X86_64_PRSTATUS_REGISTERS } from '../vmcore/prstatus.js';
import type { KernelObject } from './kernel-object.js';
import type { KernelView } from './kernel-view.js';
import type { RegisterSet } from './unwind.js';

const NT_PRSTATUS = 1;
const PRSTATUS_PID = 32;
const PRSTATUS_REGS = 112;
const PRSTATUS_BYTES = PRSTATUS_REGS + 8 * X86_64_PRSTATUS_REGISTERS.length;
/** A crash_notes buffer: Elf64_Nhdr (12 bytes) and "CORE\0" padded to 8, then elf_prstatus. */
const CRASH_NOTE_DESC = 20;

/** Where an unwind starts: exact registers of a CPU, or a sleeping task's saved frame. */
export interface UnwindStart {
  ip: bigint;
  sp: bigint;
  bp: bigint;
  regs?: RegisterSet;
  /** `ip` is where the CPU stopped (not a return address). */
  exact: boolean;
  /** Which record the registers came from, for the JSON answer. */
  from: 'prstatus-note' | 'crash_notes' | 'inactive_task_frame';
}

function prstatusRegisters(desc: Buffer): RegisterSet {
  const regs: Record<string, bigint> = {};
  X86_64_PRSTATUS_REGISTERS.forEach((name, i) => {
    regs[name] = desc.readBigUInt64LE(PRSTATUS_REGS + 8 * i);
  });
  return regs as RegisterSet;
}

function fromRegisters(regs: RegisterSet, from: UnwindStart['from']): UnwindStart {
  return { ip: regs.rip ?? 0n, sp: regs.rsp ?? 0n, bp: regs.rbp ?? 0n, regs, exact: true, from };
}

/**
 * The registers of a CPU when the dump was taken. A kdump (CRASHTIME in VMCOREINFO) has them
 * in the per-CPU `crash_notes` (the note list skips CPUs that did not answer, so its order is
 * not the CPU number); a hypervisor dump numbers its notes with pr_pid = CPU + 1.
 */
export function cpuStart(view: KernelView, cpu: number): UnwindStart | undefined {
  const kdump = view.core.vmcoreinfo.has('CRASHTIME');
  if (kdump && view.hasSymbol('crash_notes')) {
    try {
      const notes = view.mem.u64(view.address('crash_notes'));
      const buf = view.mem.read(notes + view.perCpuOffset(cpu), CRASH_NOTE_DESC + PRSTATUS_BYTES);
      if (buf.readUInt32LE(8) === NT_PRSTATUS && buf.toString('latin1', 12, 16) === 'CORE') return fromRegisters(prstatusRegisters(buf.subarray(CRASH_NOTE_DESC)), 'crash_notes');
    } catch {
      view.unknowns.push(`crash_notes of CPU ${cpu}`);
    }
  }
  const notes = view.core.notes.filter((n) => n.name === 'CORE' && n.type === NT_PRSTATUS && n.desc.length >= PRSTATUS_BYTES);
  const note = kdump ? notes[cpu] : notes.find((n) => n.desc.readInt32LE(PRSTATUS_PID) === cpu + 1) ?? notes[cpu];
  return note ? fromRegisters(prstatusRegisters(note.desc), 'prstatus-note') : undefined;
}

/** A sleeping task: `thread.sp` points at the inactive_task_frame __switch_to_asm pushed. */
export function sleepingStart(view: KernelView, task: KernelObject): UnwindStart {
  const sp = task.member('thread.sp').value();
  const frame = view.object(sp, 'struct inactive_task_frame');
  return { ip: frame.member('ret_addr').value(), sp: sp + BigInt(frame.size), bp: frame.member('bp').value(), exact: false, from: 'inactive_task_frame' };
}
