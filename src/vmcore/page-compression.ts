import { createRequire } from 'node:module';
import { lzo1xDecompress } from './lzo1x.js';
import { snappyDecompress } from './snappy.js';

/** kdump-compressed flag bits, in the header's status and in each page descriptor. */
export const DUMP_DH = {
  zlib: 0x1,
  lzo: 0x2,
  snappy: 0x4,
  incomplete: 0x8,
  excludedVmemmap: 0x10,
  zstd: 0x20,
} as const;

const COMPRESSIONS = [
  ['zlib', DUMP_DH.zlib],
  ['lzo', DUMP_DH.lzo],
  ['snappy', DUMP_DH.snappy],
  ['zstd', DUMP_DH.zstd],
] as const;

/** The compression names a flag word holds (`none` when it holds none). */
export function compressionNames(flags: number): string {
  const names = COMPRESSIONS.filter(([, bit]) => flags & bit).map(([name]) => name);
  return names.length > 0 ? names.join('+') : 'none';
}

/**
 * One page's stored bytes back to exactly `pageSize` bytes, whatever the compression. Every
 * decoder writes into a page-sized buffer and fails rather than grow it: a decompression bomb
 * costs one page. Throws an Error with the reason; the caller names the page.
 */
export function decompressPage(stored: Buffer, flags: number, pageSize: number): Buffer {
  if (flags & DUMP_DH.zlib) {
    const page = zlib().inflateSync(stored, { maxOutputLength: pageSize });
    return exact(page, page.length, pageSize, 'zlib');
  }
  if (flags & DUMP_DH.lzo) {
    const page = Buffer.alloc(pageSize);
    return exact(page, lzo1xDecompress(stored, page), pageSize, 'LZO');
  }
  if (flags & DUMP_DH.snappy) {
    const page = Buffer.alloc(pageSize);
    return exact(page, snappyDecompress(stored, page), pageSize, 'Snappy');
  }
  if (flags & DUMP_DH.zstd) {
    // fzstd writes into the buffer it is given and never grows it; the frame header must say
    // the page size so that a short frame cannot pass for a page.
    const page = Buffer.alloc(pageSize);
    exact(page, zstdContentSize(stored), pageSize, 'zstd');
    zstd().decompress(stored, page);
    return page;
  }
  return exact(stored, stored.length, pageSize, 'uncompressed');
}

function exact(page: Buffer, length: number, pageSize: number, what: string): Buffer {
  if (length !== pageSize) throw new Error(`${what} page holds ${length} bytes, not ${pageSize}`);
  return page;
}

const ZSTD_MAGIC = 0xfd2fb528;

/** Frame_Content_Size from a zstd frame header (RFC 8878 3.1.1.1), or -1 when absent. */
function zstdContentSize(frame: Buffer): number {
  if (frame.length < 6 || frame.readUInt32LE(0) !== ZSTD_MAGIC) throw new Error('not a zstd frame');
  const fhd = frame[4] as number;
  const singleSegment = (fhd >> 5) & 1;
  const dictIdBytes = [0, 1, 2, 4][fhd & 3] as number;
  const fcsBytes = [singleSegment ? 1 : 0, 2, 4, 8][fhd >> 6] as number;
  const at = 5 + (singleSegment ? 0 : 1) + dictIdBytes;
  if (fcsBytes === 0) return -1;
  if (at + fcsBytes > frame.length) throw new Error('zstd frame header is cut short');
  if (fcsBytes === 1) return frame[at] as number;
  if (fcsBytes === 2) return frame.readUInt16LE(at) + 256;
  if (fcsBytes === 4) return frame.readUInt32LE(at);
  return Number(frame.readBigUInt64LE(at));
}

// Decoders load on the first page that needs them: an ELF dump needs none, and loading
// node:zlib alone costs a CLI ~15 ms of start-up.
const load = createRequire(import.meta.url);
type Zlib = typeof import('node:zlib');
type Fzstd = typeof import('fzstd');
let zlibModule: Zlib | undefined;
let fzstd: Fzstd | undefined;
function zlib(): Zlib {
  return (zlibModule ??= load('node:zlib') as Zlib);
}
function zstd(): Fzstd {
  return (fzstd ??= load('fzstd') as Fzstd);
}
