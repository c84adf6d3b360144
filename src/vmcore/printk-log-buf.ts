import { KtError } from '../errors.js';
import { KernelRegion } from './kernel-region.js';
import type { PrintkLog, PrintkRecord } from './printk-ringbuffer.js';
import type { ProgressSink } from './progress.js';
import type { VmcoreInfo } from './vmcoreinfo.js';
import type { KernelMemory } from './x86-64-kernel-memory.js';

/** The same bound as the lockless reader's: log_buf_len=512M is the most a kernel accepts in practice. */
const MAX_LOG_BUF = 1 << 29;
const MAX_HEADER = 64;

/**
 * Reads the variable-length record buffer of Linux 3.5 to 5.9 (`struct printk_log`, named
 * `struct log` before 3.11) through VMCOREINFO's exports, as vmcore-dmesg does: from
 * log_first_idx to log_next_idx, each record a header, its text and dictionary, padded; a
 * record of length 0 marks the end of the buffer and reading goes on at index 0. The text
 * follows the header; level and facility sit in the two bytes after `dict_len`, a place fixed
 * since 3.5 but not exported. Sequence numbers are not in the records: they count from 0 here.
 */
export function readPrintkLogBuf(mem: KernelMemory, info: VmcoreInfo, source: string, progress?: ProgressSink): PrintkLog {
  const struct = info.has('SIZE(printk_log)') ? 'printk_log' : 'log';
  const headerSize = info.size(struct);
  const lenAt = info.offset(`${struct}.len`);
  const textLenAt = info.offset(`${struct}.text_len`);
  const tsAt = info.offset(`${struct}.ts_nsec`);
  const callerAt = info.has(`OFFSET(${struct}.caller_id)`) ? info.offset(`${struct}.caller_id`) : -1;
  const bitsAt = textLenAt + 5; // text_len, dict_len, facility, then flags:5 level:3
  if (headerSize < 8 || headerSize > MAX_HEADER || Math.max(lenAt + 2, textLenAt + 6, tsAt + 8, callerAt + 4) > headerSize) {
    throw new KtError('KT_E_BAD_DUMP', `${source}: VMCOREINFO's ${struct} layout (size ${headerSize}) does not hold its own fields`);
  }
  const u32 = (symbol: string): number => mem.read(info.symbol(symbol), 4).readUInt32LE(0);
  const bufLen = u32('log_buf_len');
  if (bufLen < headerSize || bufLen > MAX_LOG_BUF) throw new KtError('KT_E_BAD_DUMP', `${source}: log_buf_len ${bufLen} is not a kernel's`);
  const first = u32('log_first_idx');
  const next = u32('log_next_idx');
  if (first >= bufLen || next >= bufLen) {
    throw new KtError('KT_E_BAD_DUMP', `${source}: log_first_idx ${first} or log_next_idx ${next} lies outside the ${bufLen}-byte log_buf`);
  }
  const buf = new KernelRegion(mem, mem.u64(info.symbol('log_buf')), bufLen);

  const records: PrintkRecord[] = [];
  let partial: string | undefined;
  let idx = first;
  let wrapped = false;
  // Every record is at least a header long: more steps than that means a loop.
  const maxRecords = Math.floor(bufLen / headerSize) + 1;
  while (idx !== next) {
    if ((records.length & 4095) === 0) progress?.('reading the kernel log', records.length, maxRecords);
    if (idx + headerSize > bufLen) {
      partial = `a record header at index ${idx} would run past the end of the ${bufLen}-byte log_buf`;
      break;
    }
    const header = buf.bytes(idx, headerSize);
    const len = header.readUInt16LE(lenAt);
    if (len === 0) {
      // Only a buffer whose oldest record lies after its newest wraps, and only once.
      if (wrapped || first < next) {
        partial = `an end-of-buffer mark at index ${idx} leads away from log_next_idx ${next}`;
        break;
      }
      wrapped = true;
      idx = 0;
      continue;
    }
    if (len < headerSize || idx + len > bufLen || records.length >= maxRecords) {
      partial = `the record at index ${idx} claims ${len} bytes, which no record of this ${bufLen}-byte log_buf can hold`;
      break;
    }
    // kexec-tools clips text_len the same way: a record never reads past its own end.
    const textLen = Math.min(header.readUInt16LE(textLenAt), len - headerSize);
    const bits = header[bitsAt] ?? 0;
    records.push({
      seq: BigInt(records.length),
      tsNsec: header.readBigUInt64LE(tsAt),
      text: Buffer.from(buf.bytes(idx + headerSize, textLen)),
      callerId: callerAt >= 0 ? header.readUInt32LE(callerAt) : undefined,
      level: bits >> 5,
      facility: header[textLenAt + 4] ?? 0,
    });
    idx += len;
  }
  return partial === undefined ? { records } : { records, partial };
}
