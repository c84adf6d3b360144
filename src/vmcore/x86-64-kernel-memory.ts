import { KtError } from '../errors.js';
import type { PhysicalMemory } from './physical-memory.js';
import type { VmcoreInfo } from './vmcoreinfo.js';

/** Where x86-64 maps the kernel image (__START_KERNEL_map). */
export const START_KERNEL_MAP = 0xffffffff80000000n;
/** KERNEL_IMAGE_SIZE with KASLR: the modules are mapped right above the image, by page tables. */
const KERNEL_IMAGE_END = START_KERNEL_MAP + (1n << 30n);
/** CONFIG_PHYSICAL_ALIGN is at least 2 MiB on x86-64. */
const KERNEL_ALIGN_MASK = 0x1fffffn;
const PAGE = 4096;
const PRESENT = 1n;
const HUGE = 1n << 7n;
/** Physical address bits 12..51 of a page-table entry. */
const ADDRESS_MASK = 0x000ffffffffff000n;
const TRANSLATIONS_CACHED = 4096;

/** What the log readers need of kernel memory (an X86KernelMemory, or a test's image). */
export type KernelMemory = Pick<X86KernelMemory, 'read' | 'u64'>;

/**
 * Kernel virtual memory of an x86-64 dump, from VMCOREINFO alone: the kernel image mapping by
 * arithmetic (`phys_base`), everything else (direct map, vmalloc, memblock buffers) by walking
 * `init_top_pgt` with 4 or 5 levels (`pgtable_l5_enabled`). A walk reads at most 5 entries,
 * so a looping or garbage page table ends in an error, not a hang.
 */
export class X86KernelMemory {
  readonly physBase: bigint;
  private readonly topTable: number;
  private readonly levels: number;
  private readonly smeMask: bigint;
  private readonly translations = new Map<bigint, number>();

  constructor(readonly phys: PhysicalMemory, info: VmcoreInfo, private readonly source: string) {
    // Exported since 4.10; before, the dump's container records it. The kernel is placed on a
    // 2 MiB boundary at least: QEMU's kdump sub-header holds a value that is not, and is not used.
    if (info.has('NUMBER(phys_base)')) this.physBase = info.number('phys_base');
    else if (phys.physBase !== undefined && (phys.physBase & KERNEL_ALIGN_MASK) === 0n) this.physBase = phys.physBase;
    else throw new KtError('KT_E_DUMP_UNSUPPORTED', `${source}: VMCOREINFO has no NUMBER(phys_base) (kernels before 4.10) and the dump records no usable one`);
    this.levels = info.has('NUMBER(pgtable_l5_enabled)') && info.number('pgtable_l5_enabled') !== 0n ? 5 : 4;
    this.smeMask = info.has('NUMBER(sme_mask)') ? info.number('sme_mask') : 0n;
    // Named init_level4_pgt before 4.13.
    this.topTable = this.imagePhysical(info.symbol(info.has('SYMBOL(init_top_pgt)') ? 'init_top_pgt' : 'init_level4_pgt'));
  }

  /** Physical address of a kernel virtual address (throws KT_E_BAD_DUMP when unmapped). */
  toPhysical(vaddr: bigint): number {
    if (vaddr >= START_KERNEL_MAP && vaddr < KERNEL_IMAGE_END) return this.imagePhysical(vaddr);
    const page = vaddr & ~0xfffn;
    let base = this.translations.get(page);
    if (base === undefined) {
      base = this.walk(page);
      if (this.translations.size >= TRANSLATIONS_CACHED) this.translations.clear();
      this.translations.set(page, base);
    }
    return base + Number(vaddr & 0xfffn);
  }

  /** `length` bytes of kernel virtual memory, page by page (pages need not be contiguous). */
  read(vaddr: bigint, length: number): Buffer {
    const parts: Buffer[] = [];
    let done = 0;
    while (done < length) {
      const at = vaddr + BigInt(done);
      const within = Number(at & 0xfffn);
      let n = Math.min(length - done, PAGE - within);
      const phys = this.toPhysical(at);
      // Merge the following pages while they stay physically contiguous: one read, not many.
      while (done + n < length && this.toPhysical(at + BigInt(n)) === phys + n) n += Math.min(length - done - n, PAGE);
      parts.push(this.phys.read(phys, n));
      done += n;
    }
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
  }

  u64(vaddr: bigint): bigint {
    return this.read(vaddr, 8).readBigUInt64LE(0);
  }

  private imagePhysical(vaddr: bigint): number {
    const p = BigInt.asUintN(64, vaddr - START_KERNEL_MAP + this.physBase);
    if (p > BigInt(Number.MAX_SAFE_INTEGER)) throw this.unmapped(vaddr, 'outside physical memory');
    return Number(p);
  }

  private walk(vaddr: bigint): number {
    let table = this.topTable;
    for (let level = this.levels; level >= 1; level--) {
      const shift = 12n + 9n * BigInt(level - 1);
      const index = Number((vaddr >> shift) & 0x1ffn);
      const entry = this.phys.read(table + index * 8, 8).readBigUInt64LE(0) & ~this.smeMask;
      if ((entry & PRESENT) === 0n) throw this.unmapped(vaddr, `not present at page-table level ${level}`);
      const frame = entry & ADDRESS_MASK;
      if (level === 1 || ((level === 2 || level === 3) && (entry & HUGE) !== 0n)) {
        const pageMask = (1n << shift) - 1n;
        return Number((frame & ~pageMask) | (vaddr & pageMask));
      }
      table = Number(frame);
    }
    throw this.unmapped(vaddr, 'no leaf entry');
  }

  private unmapped(vaddr: bigint, why: string): KtError {
    return new KtError('KT_E_BAD_DUMP', `${this.source}: kernel address 0x${vaddr.toString(16)} cannot be read (${why})`);
  }
}
