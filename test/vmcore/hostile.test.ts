/**
 * Broken and hostile dumps end in one KtError (KT_E_BAD_DUMP / KT_E_DUMP_UNSUPPORTED) or in a log
 * marked partial: never another exception, a hang or unbounded memory. The damage is done to
 * real dumps (the cut lab fixtures) the way disks, copies and attackers do it.
 */
import { closeSync, openSync, readSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { KtError } from '../../src/errors.js';
import { formatDmesg } from '../../src/vmcore/dmesg-text.js';
import { readKernelLog } from '../../src/vmcore/kernel-log.js';
import { lzo1xDecompress } from '../../src/vmcore/lzo1x.js';
import { openVmcore, type Vmcore } from '../../src/vmcore/open-vmcore.js';
import { decompressPage } from '../../src/vmcore/page-compression.js';
import { snappyDecompress } from '../../src/vmcore/snappy.js';
import { vmcoreFacts } from '../../src/vmcore/vmcore-info.js';
import { damageableDump, dumpPath } from './fixtures.js';

type Outcome = 'ok' | 'partial' | 'KT_E_BAD_DUMP' | 'KT_E_DUMP_UNSUPPORTED';

/** Everything `vmcore info` and `vmcore dmesg` do; a non-KtError fails the test. */
function attempt(path: string): { outcome: Outcome; message?: string } {
  let core: Vmcore | undefined;
  try {
    core = openVmcore(path);
    const log = readKernelLog(core);
    vmcoreFacts(core, log);
    return log.partial ? { outcome: 'partial', message: log.partial } : { outcome: 'ok' };
  } catch (e) {
    if (e instanceof KtError && (e.code === 'KT_E_BAD_DUMP' || e.code === 'KT_E_DUMP_UNSUPPORTED')) return { outcome: e.code, message: e.message };
    throw e;
  } finally {
    core?.close();
  }
}

function patch(path: string, offset: number, bytes: Buffer): void {
  const fd = openSync(path, 'r+');
  writeSync(fd, bytes, 0, bytes.length, offset);
  closeSync(fd);
}

function readAt(path: string, offset: number, length: number): Buffer {
  const fd = openSync(path, 'r');
  const b = Buffer.alloc(length);
  readSync(fd, b, 0, length, offset);
  closeSync(fd);
  return b;
}

function u64(v: bigint | number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(v));
  return b;
}

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0);
  return b;
}

/** Where a kdump-compressed fixture's page descriptors are and how many (set bits of the 2nd bitmap). */
function kdumpLayout(path: string) {
  const h = readAt(path, 0, 464);
  const blockSize = h.readInt32LE(428);
  const bitmapAt = (1 + h.readInt32LE(432)) * blockSize;
  const bitmapBytes = h.readUInt32LE(436) * blockSize;
  const dumped = readAt(path, bitmapAt + bitmapBytes / 2, bitmapBytes / 2);
  let descs = 0;
  for (const byte of dumped) for (let b = byte; b; b >>= 1) descs += b & 1;
  return { descsAt: bitmapAt + bitmapBytes, descs };
}

function dmesgOf(path: string): Buffer {
  const core = openVmcore(path);
  try {
    return formatDmesg(readKernelLog(core).records);
  } finally {
    core.close();
  }
}

describe('hostile and broken dumps', () => {
  it('a zero-filled file is not a dump', () => {
    const path = damageableDump('bug.mdf-d31-lzo');
    writeFileSync(path, Buffer.alloc(1 << 20));
    expect(attempt(path).outcome).toBe('KT_E_DUMP_UNSUPPORTED');
  });

  it.each(['bug.mdf-d31-lzo', 'bug.elf', 'bug.kdump-zlib', 'sysrq-nokaslr-kdump.proc-vmcore-elf'])(
    '%s cut short anywhere: an error, a log marked partial, or (cut after the log) the whole log',
    (name) => {
      const path = damageableDump(name);
      const size = statSync(path).size;
      const whole = dmesgOf(path);
      // Cut points from the end towards the start (truncating further each time), 24 of them.
      const points = [...new Set(Array.from({ length: 24 }, (_, i) => Math.floor((size * (23 - i)) / 24) + 7))];
      const seen = new Set<Outcome>();
      for (const at of points) {
        truncateSync(path, at);
        const { outcome } = attempt(path);
        seen.add(outcome);
        if (outcome === 'ok') expect(dmesgOf(path).equals(whole)).toBe(true);
      }
      expect(seen.has('KT_E_BAD_DUMP') || seen.has('partial')).toBe(true);
    },
  );

  it('a flattened stream cut short reads as far as it goes, marked partial', () => {
    const path = damageableDump('bug.kdump-zlib');
    truncateSync(path, statSync(path).size - 100_000);
    const r = attempt(path);
    expect(r.outcome).toBe('partial');
    expect(r.message).toMatch(/cut short|without its end marker/);
  });

  it('a kdump header flagged incomplete (ENOSPC) gives a partial log', () => {
    const path = damageableDump('bug.mdf-d31-lzo');
    const status = readAt(path, 424, 4).readUInt32LE(0);
    patch(path, 424, u32(status | 0x8));
    const r = attempt(path);
    expect(r.outcome).toBe('partial');
    expect(r.message).toMatch(/incomplete/);
  });

  it('pages never written (descriptor offset 0) read as zeros and mark the log partial or fail', () => {
    const path = damageableDump('bug.mdf-d31-lzo');
    const { descsAt, descs } = kdumpLayout(path);
    patch(path, descsAt, Buffer.alloc(descs * 24));
    expect(['partial', 'KT_E_BAD_DUMP']).toContain(attempt(path).outcome);
  });

  it.each([
    ['e_phoff far past the end', 'bug.elf', 32, u64(1n << 40n)],
    ['e_phnum = PN_XNUM with a garbage section header offset', 'bug.elf', 56, Buffer.from([0xff, 0xff])],
    ['e_phentsize wrong', 'bug.elf', 54, Buffer.from([0x20, 0])],
    ['not x86-64', 'bug.elf', 18, Buffer.from([183, 0])],
    ['big-endian', 'bug.mdf-d31-elf', 5, Buffer.from([2])],
    ['block size 3', 'bug.mdf-d31-lzo', 428, u32(3)],
    ['an arm64 kdump header', 'bug.mdf-d31-lzo', 12 + 65 * 4, Buffer.from('aarch64\0')],
    ['bitmap blocks past the end', 'bug.mdf-d31-lzo', 436, u32(0xfffffff0)],
    ['max_mapnr_64 beyond the bitmap', 'bug.mdf-d31-lzo', 4096 + 96, u64(1n << 50n)],
    ['offset_vmcoreinfo past the end', 'bug.mdf-d31-lzo', 4096 + 32, u64(1n << 45n)],
    ['size_vmcoreinfo huge', 'bug.mdf-d31-lzo', 4096 + 40, u64(1n << 40n)],
    ['flattened record with a negative size', 'bug.kdump-zlib', 4096 + 8, Buffer.from('ffffffffffff0000', 'hex')],
  ])('wrong offsets or fields: %s', (_, name, offset, bytes) => {
    const path = damageableDump(name);
    patch(path, offset, bytes);
    const r = attempt(path);
    expect(['KT_E_BAD_DUMP', 'KT_E_DUMP_UNSUPPORTED']).toContain(r.outcome);
    expect(r.message).toContain(path);
  });

  it('page descriptors pointing past the end of the file', () => {
    const path = damageableDump('bug.mdf-d31-zlib');
    const { descsAt, descs } = kdumpLayout(path);
    const table = readAt(path, descsAt, descs * 24);
    for (let i = 0; i < descs; i++) table.writeBigUInt64LE(1n << 44n, i * 24);
    patch(path, descsAt, table);
    expect(attempt(path).outcome).toBe('KT_E_BAD_DUMP');
  });

  it.each([
    ['zlib', 'bug.mdf-d31-zlib', 0x1, deflateSync(Buffer.alloc(4_000_000), { level: 9 })],
    // 1 literal, then a match of 31 + 255 × 300 bytes at distance 1: 76 kB from 305 bytes
    ['LZO', 'bug.mdf-d31-lzo', 0x2, Buffer.concat([Buffer.from([18, 0x61, 0x20]), Buffer.alloc(300), Buffer.from([1, 0, 0, 0x11, 0, 0])])],
  ])('a %s decompression bomb costs one page, then fails', (_, name, flags, bomb) => {
    expect(bomb.length).toBeLessThan(4096);
    const path = damageableDump(name);
    const { descsAt, descs } = kdumpLayout(path);
    const bombAt = statSync(path).size;
    patch(path, bombAt, bomb);
    const table = readAt(path, descsAt, descs * 24);
    for (let i = 0; i < descs; i++) {
      table.writeBigUInt64LE(BigInt(bombAt), i * 24);
      table.writeUInt32LE(bomb.length, i * 24 + 8);
      table.writeUInt32LE(flags, i * 24 + 12);
    }
    patch(path, descsAt, table);
    const before = process.memoryUsage().arrayBuffers;
    const r = attempt(path);
    expect(r.outcome).toBe('KT_E_BAD_DUMP');
    expect(r.message).toMatch(/page \d+ at offset \d+: .*(larger than|more output than a page|buffer)/i);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(32 << 20);
  });

  it('page tables that point at themselves end in an error or garbage, not a loop', () => {
    const path = damageableDump('sysrq-logbuf4m.elf');
    const core = openVmcore(path);
    const info = core.vmcoreinfo;
    const top = Number(BigInt.asUintN(64, info.symbol('init_top_pgt') - 0xffffffff80000000n + core.kernel.physBase));
    core.close();
    // QEMU's physical-only ELF: one PT_LOAD from physical 0; its p_offset says where memory starts.
    const phoff = Number(readAt(path, 32, 8).readBigUInt64LE(0));
    let memoryAt = -1;
    for (let i = 0; memoryAt < 0; i++) {
      const ph = readAt(path, phoff + i * 56, 56);
      if (ph.readUInt32LE(0) === 1 && ph.readBigUInt64LE(24) === 0n) memoryAt = Number(ph.readBigUInt64LE(8));
    }
    const table = Buffer.alloc(4096);
    for (let i = 0; i < 512; i++) table.writeBigUInt64LE(BigInt(top) | 0x63n, i * 8);
    patch(path, memoryAt + top, table);
    const started = Date.now();
    const r = attempt(path);
    expect(['ok', 'partial', 'KT_E_BAD_DUMP']).toContain(r.outcome);
    expect(Date.now() - started).toBeLessThan(10_000);
    // The ring lives in the direct map, now unreadable: the log read is not the real one.
    expect(r.outcome).not.toBe('ok');
  });

  it.each(['bug.mdf-d31-lzo', 'bug.elf', 'bug.kdump-zlib'])('%s with random bytes changed in its headers: never a crash', (name) => {
    const clean = dumpPath(name);
    const head = readAt(clean, 0, 0x6000);
    const path = damageableDump(name);
    let seed = 0x9e3779b9;
    const random = (): number => {
      seed = (seed + 0x6d2b79f5) >>> 0;
      let t = seed;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
    };
    const outcomes = new Set<Outcome>();
    for (let round = 0; round < 120; round++) {
      const damaged = Buffer.from(head);
      for (let k = 0; k < 4; k++) damaged[Math.floor(random() * damaged.length)] = Math.floor(random() * 256);
      patch(path, 0, damaged);
      outcomes.add(attempt(path).outcome);
    }
    expect(outcomes.size).toBeGreaterThan(0);
  });
});

describe('page decoders on hostile streams', () => {
  it('LZO: a match before the start, a run past the input, output past a page', () => {
    expect(() => lzo1xDecompress(Buffer.from([18, 0x61, 0x40, 0xff]), Buffer.alloc(4096))).toThrow(/before the start/);
    expect(() => lzo1xDecompress(Buffer.from([30, 1, 2]), Buffer.alloc(4096))).toThrow(/ends inside a literal run/);
    expect(() => lzo1xDecompress(Buffer.from([255, ...Buffer.alloc(238)]), Buffer.alloc(64))).toThrow(/more output than a page/);
  });

  it('Snappy: a length larger than a page, a copy before the start', () => {
    expect(() => snappyDecompress(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x08]), Buffer.alloc(4096))).toThrow(/more than a page/);
    expect(() => snappyDecompress(Buffer.from([0x10, 0x01, 0x05]), Buffer.alloc(4096))).toThrow(/copies from/);
  });

  it('zstd: a frame that is not a page', () => {
    expect(() => decompressPage(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x20, 0x10, 0x01, 0, 0]), 0x20, 4096)).toThrow(/zstd page holds 16 bytes/);
    expect(() => decompressPage(Buffer.from('not zstd'), 0x20, 4096)).toThrow(/not a zstd frame/);
  });
});
