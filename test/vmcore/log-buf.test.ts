/**
 * The log_buf record format of Linux 3.5–5.9. No dump of such a kernel could be made here (every
 * kernel Debian still serves is 5.10 or later), so the records of a real 6.1 dump are written
 * into a log_buf the way those kernels' log_store() does (header, text, dictionary, padding to
 * 4 bytes, an end-of-buffer mark, oldest records dropped to make room) and read back.
 */
import { describe, expect, it } from 'vitest';
import { formatDmesg } from '../../src/vmcore/dmesg-text.js';
import { readKernelLog } from '../../src/vmcore/kernel-log.js';
import { openVmcore } from '../../src/vmcore/open-vmcore.js';
import { readPrintkLogBuf } from '../../src/vmcore/printk-log-buf.js';
import type { PrintkRecord } from '../../src/vmcore/printk-ringbuffer.js';
import { VmcoreInfo } from '../../src/vmcore/vmcoreinfo.js';
import { dumpPath, truth } from './fixtures.js';

const LOG_ALIGN = 4;
const LOG_BUF_POINTER = 0xffffffff82a4b8d0n;
const LOG_BUF_LEN = 0xffffffff82a4b8c8n;
const LOG_FIRST_IDX = 0xffffffff82d8e2a0n;
const LOG_NEXT_IDX = 0xffffffff82d8e2a8n;
const BUFFER = 0xffff88807f400000n;

/** struct printk_log of x86-64 (packed, aligned 4), with the caller id of 5.1+ or without. */
function layout(withCaller: boolean) {
  return { size: withCaller ? 20 : 16, ts: 0, len: 8, textLen: 10, dictLen: 12, caller: withCaller ? 16 : -1 };
}

function vmcoreinfo(withCaller: boolean, struct = 'printk_log'): VmcoreInfo {
  const l = layout(withCaller);
  const lines = [
    'OSRELEASE=4.19.0-27-amd64',
    `SYMBOL(log_buf)=${LOG_BUF_POINTER.toString(16)}`,
    `SYMBOL(log_buf_len)=${LOG_BUF_LEN.toString(16)}`,
    `SYMBOL(log_first_idx)=${LOG_FIRST_IDX.toString(16)}`,
    'SYMBOL(clear_idx)=ffffffff82d8e2b0',
    `SYMBOL(log_next_idx)=${LOG_NEXT_IDX.toString(16)}`,
    `SIZE(${struct})=${l.size}`,
    `OFFSET(${struct}.ts_nsec)=${l.ts}`,
    `OFFSET(${struct}.len)=${l.len}`,
    `OFFSET(${struct}.text_len)=${l.textLen}`,
    `OFFSET(${struct}.dict_len)=${l.dictLen}`,
    ...(withCaller ? [`OFFSET(${struct}.caller_id)=${l.caller}`] : []),
  ];
  return new VmcoreInfo(`${lines.join('\n')}\n`, 'test');
}

/** A kernel log_buf filled as log_store() fills it; returns the buffer, the indexes and the records it kept. */
function storeRecords(records: readonly PrintkRecord[], bufLen: number, withCaller: boolean) {
  const l = layout(withCaller);
  const buf = Buffer.alloc(bufLen, 0xa5); // never-written bytes are not zeros in a real buffer
  let first = 0;
  let next = 0;
  let kept: PrintkRecord[] = [];
  const lenAt = (idx: number) => buf.readUInt16LE(idx + l.len);
  const following = (idx: number) => (lenAt(idx) === 0 ? lenAt(0) : idx + lenAt(idx));
  const hasSpace = (size: number) => {
    const free = next > first || kept.length === 0 ? Math.max(bufLen - next, first) : first - next;
    return free >= size + l.size;
  };
  records.forEach((r, n) => {
    const dict = n % 5 === 0 ? Buffer.from('SUBSYSTEM=pci\0DEVICE=+pci:0000:00:01.0') : Buffer.alloc(0);
    const size = Math.ceil((l.size + r.text.length + dict.length) / LOG_ALIGN) * LOG_ALIGN;
    while (kept.length > 0 && !hasSpace(size)) {
      first = following(first);
      kept = kept.slice(1);
    }
    if (kept.length === 0) first = next;
    if (next + size + l.size > bufLen) {
      buf.fill(0, next, next + l.size); // the end-of-buffer mark: a header of length 0
      next = 0;
    }
    buf.writeBigUInt64LE(r.tsNsec, next + l.ts);
    buf.writeUInt16LE(size, next + l.len);
    buf.writeUInt16LE(r.text.length, next + l.textLen);
    buf.writeUInt16LE(dict.length, next + l.dictLen);
    buf[next + l.textLen + 4] = r.facility;
    buf[next + l.textLen + 5] = (r.level << 5) | 0x04; // flags:5 (LOG_NEWLINE), level:3
    if (l.caller >= 0) buf.writeUInt32LE(r.callerId ?? 0, next + l.caller);
    r.text.copy(buf, next + l.size);
    dict.copy(buf, next + l.size + r.text.length);
    next += size;
    kept.push(r);
  });
  return { buf, first, next, kept };
}

/** Kernel memory holding the log_buf and the variables that describe it. */
function memoryOf(buf: Buffer, bufLen: number, first: number, next: number) {
  const u32 = (v: number) => Buffer.from(Uint32Array.of(v).buffer);
  const regions: [bigint, Buffer][] = [
    [LOG_BUF_POINTER, Buffer.from(BigUint64Array.of(BUFFER).buffer)],
    [LOG_BUF_LEN, u32(bufLen)],
    [LOG_FIRST_IDX, u32(first)],
    [LOG_NEXT_IDX, u32(next)],
    [BUFFER, buf],
  ];
  const read = (addr: bigint, length: number): Buffer => {
    for (const [base, bytes] of regions) {
      if (addr >= base && addr + BigInt(length) <= base + BigInt(bytes.length)) return bytes.subarray(Number(addr - base), Number(addr - base) + length);
    }
    throw new Error(`unmapped read at ${addr.toString(16)}`);
  };
  return { read, u64: (addr: bigint) => read(addr, 8).readBigUInt64LE(0) };
}

function realRecords(): PrintkRecord[] {
  const core = openVmcore(dumpPath('bug.mdf-d31-lzo'));
  try {
    return readKernelLog(core).records;
  } finally {
    core.close();
  }
}

describe('log_buf records (Linux 3.5 to 5.9)', () => {
  const real = realRecords();
  const realText = truth('bug', 'vmcore-dmesg').toString('latin1');

  it.each([
    [false, 'printk_log'],
    [true, 'printk_log'],
    [false, 'log'], // 3.5–3.10 named the structure `log`
  ])('a wrapped 16 KiB buffer (caller id %s, struct %s) reads back as the tail of the real log', (withCaller, struct) => {
    const bufLen = 16 << 10;
    const { buf, first, next, kept } = storeRecords(real, bufLen, withCaller);
    expect(first).toBeGreaterThan(next); // it wrapped
    const log = readPrintkLogBuf(memoryOf(buf, bufLen, first, next), vmcoreinfo(withCaller, struct), 'test');
    expect(log.partial).toBeUndefined();
    expect(log.records).toHaveLength(kept.length);
    const text = formatDmesg(log.records).toString('latin1');
    // The kept records are the last ones of the real dump: vmcore-dmesg's last lines, byte for byte.
    expect(realText.endsWith(text)).toBe(true);
    expect(text.split('\n').at(-2)).toMatch(/^\[ {4}\d\.\d{6}\] /);
    expect(text).toContain('Kernel panic - not syncing: Fatal exception');
    expect(log.records.map((r) => r.level)).toEqual(kept.map((r) => r.level));
    expect(log.records.map((r) => r.callerId)).toEqual(kept.map((r) => (withCaller ? r.callerId : undefined)));
    expect(log.records.map((r) => r.seq)).toEqual(kept.map((_, i) => BigInt(i)));
  });

  it('a buffer that never wrapped reads every record from index 0', () => {
    const bufLen = 1 << 20;
    const { buf, first, next, kept } = storeRecords(real, bufLen, false);
    expect([first, kept.length]).toEqual([0, real.length]);
    const log = readPrintkLogBuf(memoryOf(buf, bufLen, first, next), vmcoreinfo(false), 'test');
    expect(formatDmesg(log.records).toString('latin1')).toBe(realText);
  });

  it('damage gives the records before it, marked partial; impossible indexes are refused', () => {
    const bufLen = 16 << 10;
    const { buf, first, next } = storeRecords(real, bufLen, false);
    const info = vmcoreinfo(false);
    // A record whose length points it back at itself (a loop) or past the buffer.
    const looped = Buffer.from(buf);
    const second = first + buf.readUInt16LE(first + 8);
    looped.writeUInt16LE(4, second + 8);
    const log = readPrintkLogBuf(memoryOf(looped, bufLen, first, next), info, 'test');
    expect(log.records).toHaveLength(1);
    expect(log.partial).toMatch(/index \d+ claims 4 bytes/);
    // An end-of-buffer mark in a buffer that has not wrapped.
    const marked = Buffer.from(buf);
    marked.writeUInt16LE(0, 8);
    const unwrapped = readPrintkLogBuf(memoryOf(marked, bufLen, 0, next), info, 'test');
    expect(unwrapped.records).toHaveLength(0);
    expect(unwrapped.partial).toMatch(/end-of-buffer mark at index 0/);
    expect(() => readPrintkLogBuf(memoryOf(buf, bufLen, bufLen + 8, next), info, 'test')).toThrow(/log_first_idx .* lies outside/);
    expect(() => readPrintkLogBuf(memoryOf(buf, 0x7fffffff, first, next), info, 'test')).toThrow(/log_buf_len 2147483647/);
  });
});
