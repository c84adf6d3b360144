/** Which container a dump came in; every one of them is read in place. */
export type DumpFormat = 'elf' | 'kdump-compressed' | 'kdump-flattened';

/**
 * The physical memory of the crashed machine as one dump format stores it. Everything above
 * (VMCOREINFO, page tables, printk) reads through this and knows nothing of the container.
 */
export interface PhysicalMemory {
  readonly format: DumpFormat;
  /** Page compressions seen in the container (`none` for ELF). */
  readonly compression: string;
  readonly pageSize: number;
  /** The raw ELF notes (PRSTATUS per CPU, VMCOREINFO, QEMU CPU state). */
  readonly notes: Buffer;
  /** VMCOREINFO text when the container keeps it apart from the notes (kdump-compressed). */
  readonly vmcoreinfo: string | undefined;
  /** Why the dump is incomplete (the writer ran out of space), when it says so. */
  readonly incomplete: string | undefined;
  /** Facts of the container for `vmcore info` (header fields, segment counts). */
  readonly facts: Record<string, string | number>;
  /**
   * `length` bytes at physical address `paddr`. Pages the dump left out on purpose (filtered
   * zero, cache, user or free pages) read as zeros; an address the machine did not have, or a
   * page that was never written, throws KT_E_BAD_DUMP.
   */
  read(paddr: number, length: number): Buffer;
  /** Pages read as zeros because they were never written (incomplete dump) so far. */
  readonly missingPages: number;
  /**
   * phys_base as the container records it, for kernels before 4.10 whose VMCOREINFO has no
   * NUMBER(phys_base): the kdump sub-header's, or derived from an ELF kernel-text PT_LOAD.
   */
  readonly physBase: bigint | undefined;
}
