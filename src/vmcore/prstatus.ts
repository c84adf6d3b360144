import type { ElfNote } from './elf-notes.js';

const NT_PRSTATUS = 1;
/** struct elf_prstatus on x86-64: pr_pid at 32, pr_reg (user_regs_struct) at 112. */
const PID_AT = 32;
const REGS_AT = 112;
/** user_regs_struct order (arch/x86/include/asm/user_64.h). */
export const X86_64_PRSTATUS_REGISTERS = [
  'r15', 'r14', 'r13', 'r12', 'rbp', 'rbx', 'r11', 'r10', 'r9', 'r8', 'rax', 'rcx', 'rdx', 'rsi', 'rdi',
  'orig_rax', 'rip', 'cs', 'eflags', 'rsp', 'ss', 'fs_base', 'gs_base', 'ds', 'es', 'fs', 'gs',
] as const;

export interface CpuRegisters {
  /** Index of the PRSTATUS note: the CPU as the dump writer numbered it. */
  cpu: number;
  /** pr_pid: the task that ran there (0 = idle). */
  pid: number;
  registers: Record<string, string>;
}

/** The registers each CPU had when the dump was taken, from the CORE/NT_PRSTATUS notes. */
export function cpuRegisters(notes: readonly ElfNote[]): CpuRegisters[] {
  const out: CpuRegisters[] = [];
  for (const note of notes) {
    if (note.name !== 'CORE' || note.type !== NT_PRSTATUS) continue;
    if (note.desc.length < REGS_AT + 8 * X86_64_PRSTATUS_REGISTERS.length) continue;
    const registers: Record<string, string> = {};
    X86_64_PRSTATUS_REGISTERS.forEach((name, i) => {
      registers[name] = note.desc.readBigUInt64LE(REGS_AT + 8 * i).toString(16).padStart(16, '0');
    });
    out.push({ cpu: out.length, pid: note.desc.readInt32LE(PID_AT), registers });
  }
  return out;
}
