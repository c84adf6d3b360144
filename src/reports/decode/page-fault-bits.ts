/** x86 page-fault error code bits (arch/x86/include/asm/trap_pf.h `enum x86_pf_error_code`). */
export interface PageFaultBit {
  mask: number;
  name: string;
  /** Name in the pre-4.20 `#PF error: [PROT] [WRITE]` form. */
  oldName?: string;
  meaning: string;
}

export const PAGE_FAULT_BITS: readonly PageFaultBit[] = [
  { mask: 0x1, name: 'X86_PF_PROT', oldName: 'PROT', meaning: 'protection violation (0: page not present)' },
  { mask: 0x2, name: 'X86_PF_WRITE', oldName: 'WRITE', meaning: 'write access' },
  { mask: 0x4, name: 'X86_PF_USER', oldName: 'USER', meaning: 'user-mode access' },
  { mask: 0x8, name: 'X86_PF_RSVD', oldName: 'RSVD', meaning: 'reserved bit set in a page-table entry (corrupt page tables)' },
  { mask: 0x10, name: 'X86_PF_INSTR', oldName: 'INSTR', meaning: 'instruction fetch' },
  { mask: 0x20, name: 'X86_PF_PK', oldName: 'PK', meaning: 'protection-key violation' },
  { mask: 0x40, name: 'X86_PF_SHSTK', meaning: 'shadow-stack access' },
  { mask: 0x8000, name: 'X86_PF_SGX', meaning: 'SGX EPCM violation' },
  { mask: 0x80000000, name: 'X86_PF_RMP', meaning: 'AMD SEV-SNP RMP violation' },
];

export function pageFaultBit(name: string): PageFaultBit | undefined {
  return PAGE_FAULT_BITS.find((b) => b.name === name || b.oldName === name);
}
