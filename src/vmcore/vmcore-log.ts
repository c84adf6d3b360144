import { openedLog, type OpenedLog } from '../logs/read-log.js';
import type { StreamEnd } from '../logs/decompress.js';
import { formatDmesg } from './dmesg-text.js';
import { readKernelLog } from './kernel-log.js';
import { openVmcore } from './open-vmcore.js';
export { dumpFormatOf } from './sniff-dump.js';

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
