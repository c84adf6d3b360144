/** One ELF note: `name` without its NUL, `type`, and the descriptor bytes. */
export interface ElfNote {
  name: string;
  type: number;
  desc: Buffer;
}

/**
 * Splits an ELF note area (32-bit headers, 4-byte padding; what vmcores use on 64-bit machines
 * too). Stops at the first note that does not fit, so a corrupt area yields the notes before it.
 */
export function parseNotes(area: Buffer): ElfNote[] {
  const notes: ElfNote[] = [];
  let at = 0;
  while (at + 12 <= area.length) {
    const namesz = area.readUInt32LE(at);
    const descsz = area.readUInt32LE(at + 4);
    const type = area.readUInt32LE(at + 8);
    const nameAt = at + 12;
    const descAt = nameAt + align4(namesz);
    const next = descAt + align4(descsz);
    if (next > area.length || next <= at) break;
    if (namesz === 0 && descsz === 0 && type === 0) break; // zero padding after the last note
    const name = area.toString('latin1', nameAt, nameAt + namesz).replace(/\0+$/, '');
    notes.push({ name, type, desc: area.subarray(descAt, descAt + descsz) });
    at = next;
  }
  return notes;
}

function align4(n: number): number {
  return (n + 3) & ~3;
}
