import { SHF_ALLOC, type ElfFile } from './elf-file.js';

/**
 * Addresses for the sections of a relocatable object (a kernel module), where every section
 * starts at 0. binutils lays the allocated sections out one after another, each aligned, before
 * it reads the DWARF (bfd `place_sections`); we do the same so that addresses in a `.ko` mean
 * what they mean to `addr2line -e mod.ko`. For other files each section keeps its own address.
 */
export function placeSections(elf: ElfFile): Map<number, bigint> {
  const placed = new Map<number, bigint>();
  if (!elf.isRelocatable) {
    for (const s of elf.sections) placed.set(s.index, s.addr);
    return placed;
  }
  const alloc = elf.sections.filter((s) => (s.flags & SHF_ALLOC) !== 0);
  const debugInfo = elf.sections.filter((s) => s.name === '.debug_info' || s.name.startsWith('.gnu.linkonce.wi.'));
  if (alloc.length + debugInfo.length <= 1) {
    for (const s of elf.sections) placed.set(s.index, s.addr);
    return placed;
  }
  let lastVma = 0n;
  let lastDwarf = 0n;
  for (const s of elf.sections) {
    const isInfo = debugInfo.includes(s);
    if ((s.flags & SHF_ALLOC) === 0 && !isInfo) {
      placed.set(s.index, s.addr);
      continue;
    }
    const align = BigInt(alignPower(s.addralign));
    const mask = -(1n << align);
    const start = isInfo ? lastDwarf : lastVma;
    const vma = (start + ~mask) & mask;
    placed.set(s.index, vma);
    if (isInfo) lastDwarf = vma + BigInt(s.size);
    else lastVma = vma + BigInt(s.size);
  }
  return placed;
}

/** log2 of an alignment, rounded up, as binutils stores it. */
function alignPower(align: number): number {
  let p = 0;
  while (2 ** p < align) p++;
  return p;
}
