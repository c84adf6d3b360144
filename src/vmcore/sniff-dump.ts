import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type { DumpFormat } from './physical-memory.js';

/** Bytes enough to tell a dump by its magic. */
export const DUMP_MAGIC_BYTES = 20;

/**
 * The dump format a file's first bytes announce: an ELF core (`\x7fELF` with e_type ET_CORE),
 * kdump-compressed (`KDUMP   `), or makedumpfile's flattened stream (`makedumpfile\0`).
 */
export function sniffDump(head: Buffer): DumpFormat | undefined {
  if (head.length >= 18 && head.readUInt32BE(0) === 0x7f454c46) {
    const type = head[5] === 2 ? head.readUInt16BE(16) : head.readUInt16LE(16);
    return type === 4 ? 'elf' : undefined;
  }
  if (head.toString('latin1', 0, 8) === 'KDUMP   ') return 'kdump-compressed';
  if (head.toString('latin1', 0, 13) === 'makedumpfile\0') return 'kdump-flattened';
  return undefined;
}

/** The dump format of a file by its first bytes; undefined for anything else (or stdin). */
export function dumpFormatOf(path: string): DumpFormat | undefined {
  if (path === '-') return undefined;
  // Only a regular file can be a dump: opening a FIFO to sniff it would take (and lose) its data.
  try {
    if (!statSync(path).isFile()) return undefined;
  } catch {
    return undefined; // openLog reports the error the usual way
  }
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined; // openLog reports the error the usual way
  }
  try {
    const head = Buffer.alloc(DUMP_MAGIC_BYTES);
    const n = readSync(fd, head, 0, head.length, 0);
    return sniffDump(head.subarray(0, n));
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
