import { KtError } from '../errors.js';
import { readExact, u64Number, type ByteSource } from './byte-source.js';
import { START_KERNEL_MAP } from './x86-64-kernel-memory.js';
import type { PhysicalMemory } from './physical-memory.js';

const PT_LOAD = 1;
const PT_NOTE = 4;
const EM_X86_64 = 62;
const PHDR_SIZE = 56;
/** e_phnum's escape value: the real count is in section header 0's sh_info (makedumpfile). */
const PN_XNUM = 0xffff;
/** makedumpfile sets this e_flags bit when it ran out of space. */
const DUMP_ELF_INCOMPLETE = 0x1;
/** The end of the 1 GiB the x86-64 kernel image mapping may span. */
const KERNEL_IMAGE_END = 0xffffffffc0000000n;
/** Notes larger than this are not a vmcore's (a few KiB per CPU plus VMCOREINFO). */
const MAX_NOTES_BYTES = 64 << 20;

interface LoadSegment {
  paddr: number;
  memsz: number;
  filesz: number;
  offset: number;
}

/**
 * An ELF64 core as /proc/vmcore, `makedumpfile -E` or QEMU's dump-guest-memory write it, read
 * by physical address (p_paddr): that works whether or not the program headers carry kernel
 * virtual addresses. Bytes between p_filesz and p_memsz read as zeros: makedumpfile leaves
 * excluded pages out that way.
 */
export class ElfCore implements PhysicalMemory {
  readonly format = 'elf';
  readonly compression = 'none';
  readonly pageSize = 4096;
  readonly notes: Buffer;
  readonly vmcoreinfo = undefined;
  readonly incomplete: string | undefined;
  readonly facts: Record<string, string | number>;
  readonly missingPages = 0;
  readonly physBase: bigint | undefined;
  private readonly segments: LoadSegment[];

  constructor(private readonly src: ByteSource) {
    const eh = readExact(src, 0, 64, 'ELF header');
    if (eh[4] !== 2 || eh[5] !== 1) {
      throw new KtError('KT_E_DUMP_UNSUPPORTED', `${src.name}: ELF class ${eh[4]} data ${eh[5]}: only 64-bit little-endian dumps are read`);
    }
    const machine = eh.readUInt16LE(18);
    if (eh.readUInt16LE(16) !== 4) throw new KtError('KT_E_DUMP_UNSUPPORTED', `${src.name}: ELF type ${eh.readUInt16LE(16)} is not a core file`);
    if (machine !== EM_X86_64) throw new KtError('KT_E_DUMP_UNSUPPORTED', `${src.name}: ELF machine ${machine}: only x86-64 dumps are read`);
    const phoff = u64Number(eh, 32, src.name, 'e_phoff');
    const shoff = u64Number(eh, 40, src.name, 'e_shoff');
    const phentsize = eh.readUInt16LE(54);
    let phnum = eh.readUInt16LE(56);
    if (phentsize !== PHDR_SIZE) throw new KtError('KT_E_BAD_DUMP', `${src.name}: e_phentsize ${phentsize}, expected ${PHDR_SIZE}`);
    if (phnum === PN_XNUM) phnum = readExact(src, shoff, 64, 'section header 0 (program header count)').readUInt32LE(44);
    const table = readExact(src, phoff, phnum * PHDR_SIZE, `${phnum} program headers`);
    const noteParts: Buffer[] = [];
    let noteBytes = 0;
    let physBase: bigint | undefined;
    this.segments = [];
    for (let i = 0; i < phnum; i++) {
      const ph = table.subarray(i * PHDR_SIZE, (i + 1) * PHDR_SIZE);
      const type = ph.readUInt32LE(0);
      const offset = u64Number(ph, 8, src.name, `p_offset of program header ${i}`);
      const filesz = u64Number(ph, 32, src.name, `p_filesz of program header ${i}`);
      if (type === PT_NOTE) {
        noteBytes += filesz;
        if (noteBytes > MAX_NOTES_BYTES) throw new KtError('KT_E_BAD_DUMP', `${src.name}: ${noteBytes} bytes of ELF notes is not a vmcore`);
        noteParts.push(readExact(src, offset, filesz, `PT_NOTE ${i}`));
      } else if (type === PT_LOAD) {
        const paddr = u64Number(ph, 24, src.name, `p_paddr of program header ${i}`);
        const memsz = u64Number(ph, 40, src.name, `p_memsz of program header ${i}`);
        if (filesz > memsz) throw new KtError('KT_E_BAD_DUMP', `${src.name}: program header ${i} has p_filesz > p_memsz`);
        this.segments.push({ paddr, memsz, filesz, offset });
        // The kernel image maps paddr = vaddr - __START_KERNEL_map + phys_base (/proc/vmcore and
        // makedumpfile -E give virtual addresses; QEMU's physical-only dumps do not).
        const vaddr = ph.readBigUInt64LE(16);
        if (physBase === undefined && vaddr >= START_KERNEL_MAP && vaddr < KERNEL_IMAGE_END) {
          physBase = BigInt.asUintN(64, BigInt(paddr) - (vaddr - START_KERNEL_MAP));
        }
      }
    }
    this.physBase = physBase;
    const loads = this.segments.length;
    this.segments = disjoint(this.segments);
    this.notes = Buffer.concat(noteParts);
    const flags = eh.readUInt32LE(48);
    this.incomplete = flags & DUMP_ELF_INCOMPLETE ? 'the ELF header says the dump is incomplete (e_flags bit 0)' : undefined;
    const withVaddr = table.length > 0 ? this.countVirtual(table, phnum) : 0;
    this.facts = {
      'program headers': phnum,
      'e_phoff': phoff,
      'PT_LOAD segments': loads,
      'PT_LOADs with virtual addresses': withVaddr,
      'memory in dump': this.segments.reduce((n, s) => n + s.filesz, 0),
    };
  }

  read(paddr: number, length: number): Buffer {
    const out = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      const at = paddr + done;
      const seg = this.segmentOf(at);
      if (seg === undefined) {
        throw new KtError('KT_E_BAD_DUMP', `${this.src.name}: physical address 0x${at.toString(16)} is not in the dump`);
      }
      const within = at - seg.paddr;
      const n = Math.min(length - done, seg.memsz - within);
      const fromFile = Math.max(0, Math.min(n, seg.filesz - within));
      if (fromFile > 0) readExact(this.src, seg.offset + within, fromFile, `memory at 0x${at.toString(16)}`).copy(out, done);
      done += n;
    }
    return out;
  }

  private segmentOf(paddr: number): LoadSegment | undefined {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = this.segments[mid] as LoadSegment;
      if (paddr < s.paddr) hi = mid - 1;
      else if (paddr >= s.paddr + s.memsz) lo = mid + 1;
      else return s;
    }
    return undefined;
  }

  private countVirtual(table: Buffer, phnum: number): number {
    let n = 0;
    for (let i = 0; i < phnum; i++) {
      const ph = table.subarray(i * PHDR_SIZE, (i + 1) * PHDR_SIZE);
      if (ph.readUInt32LE(0) === PT_LOAD && !ph.subarray(16, 24).equals(ph.subarray(24, 32))) n++;
    }
    return n;
  }
}


/**
 * The segments without overlaps, sorted by address. QEMU's paging dumps map all of memory in
 * one PT_LOAD and then the same pages again per virtual range: the same bytes, kept once.
 */
function disjoint(segments: LoadSegment[]): LoadSegment[] {
  const sorted = [...segments].sort((a, b) => a.paddr - b.paddr || b.memsz - a.memsz);
  const out: LoadSegment[] = [];
  let coveredTo = -1;
  for (const s of sorted) {
    const end = s.paddr + s.memsz;
    if (end <= coveredTo) continue;
    if (s.paddr < coveredTo) {
      const cut = coveredTo - s.paddr;
      out.push({ paddr: coveredTo, memsz: s.memsz - cut, filesz: Math.max(0, s.filesz - cut), offset: s.offset + cut });
    } else out.push(s);
    coveredTo = end;
  }
  return out;
}
