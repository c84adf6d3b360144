import type { KernelMemory } from './x86-64-kernel-memory.js';

const WINDOW = 1 << 16;
const WINDOWS_KEPT = 4;

/**
 * A kernel array (the printk descriptors, infos, text ring) read in 64 KiB windows on demand,
 * so a ring of any size costs a few hundred KiB. Records are visited in ring order, which
 * keeps nearly every access inside the current window. Windows are small because a ring is
 * mostly empty after a short uptime: each page read from a compressed dump is a pread and an
 * inflate, and 1 MiB windows read ~3 times the pages the records use.
 */
export class KernelRegion {
  private readonly windows = new Map<number, Buffer>();

  constructor(private readonly memory: KernelMemory, private readonly base: bigint, readonly size: number) {}

  bytes(offset: number, length: number): Buffer {
    const first = Math.floor(offset / WINDOW);
    if (Math.floor((offset + length - 1) / WINDOW) === first || length === 0) {
      const w = this.window(first);
      return w.subarray(offset - first * WINDOW, offset - first * WINDOW + length);
    }
    const parts: Buffer[] = [];
    for (let at = offset; at < offset + length; ) {
      const index = Math.floor(at / WINDOW);
      const n = Math.min(offset + length, (index + 1) * WINDOW) - at;
      parts.push(this.window(index).subarray(at - index * WINDOW, at - index * WINDOW + n));
      at += n;
    }
    return Buffer.concat(parts);
  }

  private window(index: number): Buffer {
    let w = this.windows.get(index);
    if (w === undefined) {
      const at = index * WINDOW;
      w = this.memory.read(this.base + BigInt(at), Math.min(WINDOW, this.size - at));
      if (this.windows.size >= WINDOWS_KEPT) this.windows.delete(this.windows.keys().next().value as number);
      this.windows.set(index, w);
    }
    return w;
  }
}
