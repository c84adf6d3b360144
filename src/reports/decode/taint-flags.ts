/**
 * The kernel's taint flags (kernel/panic.c `taint_flags[]`, Documentation/admin-guide/tainted-kernels.rst).
 * `letter` is what the short form prints when the bit is set; `name` is what the verbose form
 * (`Tainted: [W]=WARN, [O]=OOT_MODULE`) prints.
 */
export interface TaintFlagRow {
  bit: number;
  letter: string;
  /** Printed in place of `letter` when the bit is clear (only bit 0: `G`). */
  clearLetter?: string;
  name: string;
  meaning: string;
}

export const TAINT_FLAGS: readonly TaintFlagRow[] = [
  { bit: 0, letter: 'P', clearLetter: 'G', name: 'PROPRIETARY_MODULE', meaning: 'proprietary module loaded' },
  { bit: 1, letter: 'F', name: 'FORCED_MODULE', meaning: 'module force loaded' },
  { bit: 2, letter: 'S', name: 'CPU_OUT_OF_SPEC', meaning: 'out-of-spec system (SMP on unsupported CPUs, late microcode load, MSR writes)' },
  { bit: 3, letter: 'R', name: 'FORCED_RMMOD', meaning: 'module force unloaded' },
  { bit: 4, letter: 'M', name: 'MACHINE_CHECK', meaning: 'machine check exception occurred' },
  { bit: 5, letter: 'B', name: 'BAD_PAGE', meaning: 'bad page referenced or unexpected page flags' },
  { bit: 6, letter: 'U', name: 'USER', meaning: 'taint requested by userspace' },
  { bit: 7, letter: 'D', name: 'DIE', meaning: 'kernel died recently (OOPS or BUG)' },
  { bit: 8, letter: 'A', name: 'OVERRIDDEN_ACPI_TABLE', meaning: 'ACPI table overridden' },
  { bit: 9, letter: 'W', name: 'WARN', meaning: 'kernel issued a warning' },
  { bit: 10, letter: 'C', name: 'CRAP', meaning: 'staging driver loaded' },
  { bit: 11, letter: 'I', name: 'FIRMWARE_WORKAROUND', meaning: 'workaround for a platform firmware bug applied' },
  { bit: 12, letter: 'O', name: 'OOT_MODULE', meaning: 'out-of-tree module loaded' },
  { bit: 13, letter: 'E', name: 'UNSIGNED_MODULE', meaning: 'unsigned module loaded' },
  { bit: 14, letter: 'L', name: 'SOFTLOCKUP', meaning: 'soft lockup occurred' },
  { bit: 15, letter: 'K', name: 'LIVEPATCH', meaning: 'kernel live patched' },
  { bit: 16, letter: 'X', name: 'AUX', meaning: 'auxiliary taint (distribution-defined)' },
  { bit: 17, letter: 'T', name: 'RANDSTRUCT', meaning: 'kernel built with the struct randomization plugin' },
  { bit: 18, letter: 'N', name: 'TEST', meaning: 'in-kernel test has been run' },
  { bit: 19, letter: 'J', name: 'FWCTL', meaning: 'fwctl mutating debug interface used' },
];

export function taintRowByLetter(letter: string): TaintFlagRow | undefined {
  return TAINT_FLAGS.find((r) => r.letter === letter);
}

export function taintRowByName(name: string): TaintFlagRow | undefined {
  return TAINT_FLAGS.find((r) => r.name === name);
}

/** A letter the short form may print for a clear bit (`G`), which is not a taint. */
export function isClearLetter(letter: string): boolean {
  return TAINT_FLAGS.some((r) => r.clearLetter === letter);
}
