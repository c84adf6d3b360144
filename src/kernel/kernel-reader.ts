import { KtError } from '../errors.js';
import type { X86KernelMemory } from '../vmcore/x86-64-kernel-memory.js';

const PAGE = 4096;
const PAGES_KEPT = 2048;

/**
 * Kernel virtual memory read in whole pages that are kept (up to 8 MiB): the inspection
 * commands read thousands of small fields (task lists, stacks, ORC probes) on few pages.
 * Every read of an unmapped or missing address throws KT_E_BAD_DUMP; `tryX` variants answer
 * undefined so a command can mark one value unknown and go on.
 */
export class KernelReader {
  private readonly pages = new Map<bigint, Buffer>();

  constructor(private readonly memory: Pick<X86KernelMemory, 'read'>) {}

  read(vaddr: bigint, length: number): Buffer {
    if (length < 0 || length > 1 << 28) throw new KtError('KT_E_BAD_DUMP', `a read of ${length} bytes at 0x${vaddr.toString(16)} is out of bounds`);
    const first = vaddr & ~0xfffn;
    const within = Number(vaddr - first);
    if (within + length <= PAGE) return this.page(first).subarray(within, within + length);
    if (length > 16 * PAGE) return this.memory.read(vaddr, length);
    const parts: Buffer[] = [];
    for (let at = vaddr, left = length; left > 0; ) {
      const page = at & ~0xfffn;
      const off = Number(at - page);
      const n = Math.min(left, PAGE - off);
      parts.push(this.page(page).subarray(off, off + n));
      at += BigInt(n);
      left -= n;
    }
    return Buffer.concat(parts);
  }

  tryRead(vaddr: bigint, length: number): Buffer | undefined {
    try {
      return this.read(vaddr, length);
    } catch (e) {
      if (e instanceof KtError) return undefined;
      throw e;
    }
  }

  u8(a: bigint): number {
    return this.read(a, 1)[0] as number;
  }
  u16(a: bigint): number {
    return this.read(a, 2).readUInt16LE(0);
  }
  u32(a: bigint): number {
    return this.read(a, 4).readUInt32LE(0);
  }
  s32(a: bigint): number {
    return this.read(a, 4).readInt32LE(0);
  }
  u64(a: bigint): bigint {
    return this.read(a, 8).readBigUInt64LE(0);
  }
  tryU64(a: bigint): bigint | undefined {
    return this.tryRead(a, 8)?.readBigUInt64LE(0);
  }

  /** A NUL-terminated string of at most `max` bytes (latin1: kernel names are bytes). */
  cstring(a: bigint, max = 256): string {
    const out: string[] = [];
    for (let at = a, left = max; left > 0; ) {
      const n = Math.min(left, PAGE - Number(at & 0xfffn));
      const chunk = this.read(at, n);
      const nul = chunk.indexOf(0);
      if (nul >= 0) {
        out.push(chunk.toString('latin1', 0, nul));
        return out.join('');
      }
      out.push(chunk.toString('latin1'));
      at += BigInt(n);
      left -= n;
    }
    return out.join('');
  }

  private page(page: bigint): Buffer {
    let buf = this.pages.get(page);
    if (buf === undefined) {
      buf = this.memory.read(page, PAGE);
      if (this.pages.size >= PAGES_KEPT) this.pages.delete(this.pages.keys().next().value as bigint);
      this.pages.set(page, buf);
    }
    return buf;
  }
}
