import { closeSync, openSync, readSync } from 'node:fs';
import { openedLog, type OpenedLog } from '../logs/read-log.js';
import type { StreamEnd } from '../logs/decompress.js';
import { formatDmesg } from './dmesg-text.js';
import { readKernelLog } from './kernel-log.js';
import { openVmcore } from './open-vmcore.js';
import type { DumpFormat } from './physical-memory.js';
import { DUMP_MAGIC_BYTES, sniffDump } from './sniff-dump.js';

/** The dump format of a file by its first bytes; undefined for anything else (or stdin). */
export function dumpFormatOf(path: string): DumpFormat | undefined {
  if (path === '-') return undefined;
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

/**
 * A dump's kernel log as a log source like any other: the text vmcore-dmesg would print, read
 * by the `vmcore-dmesg` format into LogLines. A damaged dump yields what could be read, marked
 * partial.
 */
export async function openVmcoreLog(path: string): Promise<OpenedLog> {
  const core = openVmcore(path);
  let text: Buffer;
  const end: StreamEnd = {};
  try {
    const log = readKernelLog(core);
    text = formatDmesg(log.records);
    if (log.partial) end.partial = log.partial;
  } finally {
    core.close();
  }
  async function* chunks(): AsyncGenerator<Buffer> {
    yield text;
  }
  return openedLog(path, 'vmcore-dmesg', 'none', chunks(), end);
}
