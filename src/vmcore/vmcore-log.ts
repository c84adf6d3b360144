import { openedLog, type OpenedLog } from '../logs/read-log.js';
import type { StreamEnd } from '../logs/decompress.js';
import type { LogLine } from '../logs/log-line.js';
import { batchesOf, linesOf, type LogWindow } from '../logs/log-stream.js';
import { formatDmesg } from './dmesg-text.js';
import { readKernelLog } from './kernel-log.js';
import { openVmcore, type OpenOptions } from './open-vmcore.js';
import type { PrintkRecord } from './printk-ringbuffer.js';
export { dumpFormatOf } from './sniff-dump.js';

/**
 * A dump's kernel log as a log source like any other: the text vmcore-dmesg would print, read
 * by the `vmcore-dmesg` format into LogLines, each then given what the ring knows and the text
 * does not show: sequence number, level, facility and caller id (`T<pid>`/`C<cpu>`, stored by
 * 5.10+ kernels even without CONFIG_PRINTK_CALLER). A damaged dump yields what could be read,
 * marked partial.
 */
export async function openVmcoreLog(path: string, options: OpenOptions = {}): Promise<OpenedLog> {
  const core = openVmcore(path, options);
  const { format, compression } = core.memory;
  const dump = compression === 'none' ? `${format} dump` : `${format} dump, ${compression} pages`;
  let text: Buffer;
  let records: PrintkRecord[];
  const end: StreamEnd = {};
  try {
    const log = readKernelLog(core);
    records = log.records;
    text = formatDmesg(records);
    if (log.partial) end.partial = log.partial;
  } finally {
    core.close();
  }
  async function* chunks(): AsyncGenerator<Buffer> {
    yield text;
  }
  const plain = openedLog(path, 'vmcore-dmesg', 'none', chunks(), end);
  const recordOfLine = lineOwners(records);
  const annotate = (line: LogLine): void => {
    const r = records[recordOfLine[line.origin.line - 1] ?? -1];
    if (r === undefined) return;
    line.seq = Number(r.seq);
    line.level = r.level;
    line.facility = r.facility;
    if (r.callerId !== undefined) line.caller = callerName(r.callerId);
  };
  async function* windows(): AsyncGenerator<LogWindow> {
    for await (const w of plain.windows) {
      yield {
        get text() {
          return w.text;
        },
        get opaque() {
          return w.opaque;
        },
        get bytes() {
          return w.bytes;
        },
        get lineFeeds() {
          return w.lineFeeds;
        },
        set lineFeeds(n) {
          w.lineFeeds = n;
        },
        lines() {
          const lines = w.lines();
          for (const line of lines) annotate(line);
          return lines;
        },
        linesIn(start, end) {
          const lines = w.linesIn(start, end);
          for (const line of lines) annotate(line);
          return lines;
        },
      };
    }
  }
  const annotated = windows();
  const batches = batchesOf(annotated);
  return { ...plain, dump, windows: annotated, batches, lines: linesOf(batches) };
}

/** For each printed line (0-based), the index of the record it belongs to. */
function lineOwners(records: readonly PrintkRecord[]): Int32Array {
  let total = 0;
  const counts = records.map((r) => {
    let n = 1;
    for (const byte of r.text) if (byte === 0x0a) n++;
    total += n;
    return n;
  });
  const owners = new Int32Array(total);
  let at = 0;
  counts.forEach((n, i) => owners.fill(i, at, (at += n)));
  return owners;
}

/** The kernel's caller id as printk prints it: bit 31 set = CPU context. */
export function callerName(id: number): string {
  return id & 0x80000000 ? `C${id & 0x7fffffff}` : `T${id}`;
}
