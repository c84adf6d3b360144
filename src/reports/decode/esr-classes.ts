/**
 * arm64 exception syndrome (ESR_ELx): exception classes (bits 31..26) and data/instruction fault
 * status codes (ISS bits 5..0), as arch/arm64 names them in `Mem abort info:`.
 */
export interface EsrClassRow {
  ec: number;
  name: string;
  meaning: string;
  /** Data or instruction abort: the ISS carries a fault status code (and WnR for data). */
  abort?: 'data' | 'instruction';
}

export const ESR_CLASSES: readonly EsrClassRow[] = [
  { ec: 0x00, name: 'UNKNOWN', meaning: 'unknown reason (often an undefined instruction)' },
  { ec: 0x01, name: 'WFx', meaning: 'trapped WFI/WFE' },
  { ec: 0x07, name: 'FP/ASIMD', meaning: 'trapped floating-point / SIMD access' },
  { ec: 0x0e, name: 'ILL', meaning: 'illegal execution state' },
  { ec: 0x15, name: 'SVC64', meaning: 'system call' },
  { ec: 0x18, name: 'SYS64', meaning: 'trapped MSR/MRS/system instruction' },
  { ec: 0x19, name: 'SVE', meaning: 'trapped SVE access' },
  { ec: 0x1c, name: 'FPAC', meaning: 'pointer authentication failure' },
  { ec: 0x20, name: 'IABT (lower EL)', meaning: 'instruction abort from user space', abort: 'instruction' },
  { ec: 0x21, name: 'IABT (current EL)', meaning: 'instruction abort in the kernel', abort: 'instruction' },
  { ec: 0x22, name: 'PC Alignment', meaning: 'misaligned program counter' },
  { ec: 0x24, name: 'DABT (lower EL)', meaning: 'data abort from user space', abort: 'data' },
  { ec: 0x25, name: 'DABT (current EL)', meaning: 'data abort in the kernel', abort: 'data' },
  { ec: 0x26, name: 'SP Alignment', meaning: 'misaligned stack pointer' },
  { ec: 0x2c, name: 'FP (AArch64)', meaning: 'floating-point exception' },
  { ec: 0x2f, name: 'SError', meaning: 'asynchronous external abort (SError): usually a hardware or firmware error' },
  { ec: 0x30, name: 'Breakpoint (lower EL)', meaning: 'hardware breakpoint from user space' },
  { ec: 0x31, name: 'Breakpoint (current EL)', meaning: 'hardware breakpoint in the kernel' },
  { ec: 0x34, name: 'Watchpoint (lower EL)', meaning: 'watchpoint from user space' },
  { ec: 0x35, name: 'Watchpoint (current EL)', meaning: 'watchpoint in the kernel' },
  { ec: 0x3c, name: 'BRK (AArch64)', meaning: 'BRK instruction: BUG()/WARN() or a debugger breakpoint' },
];

export interface FaultStatusRow {
  /** Inclusive range of status codes; level = code - first + firstLevel. */
  from: number;
  to: number;
  firstLevel?: number;
  name: string;
}

export const FAULT_STATUS_CODES: readonly FaultStatusRow[] = [
  { from: 0x00, to: 0x03, firstLevel: 0, name: 'address size fault' },
  { from: 0x04, to: 0x07, firstLevel: 0, name: 'translation fault' },
  { from: 0x08, to: 0x0b, firstLevel: 0, name: 'access flag fault' },
  { from: 0x0c, to: 0x0f, firstLevel: 0, name: 'permission fault' },
  { from: 0x10, to: 0x10, name: 'synchronous external abort' },
  { from: 0x11, to: 0x11, name: 'synchronous tag check fault (MTE)' },
  { from: 0x21, to: 0x21, name: 'alignment fault' },
  { from: 0x30, to: 0x30, name: 'TLB conflict abort' },
];

export function esrClass(ec: number): EsrClassRow | undefined {
  return ESR_CLASSES.find((r) => r.ec === ec);
}

export function faultStatusName(fsc: number): string | undefined {
  const row = FAULT_STATUS_CODES.find((r) => fsc >= r.from && fsc <= r.to);
  if (!row) return undefined;
  return row.firstLevel === undefined ? row.name : `level ${fsc - row.from + row.firstLevel} ${row.name}`;
}
