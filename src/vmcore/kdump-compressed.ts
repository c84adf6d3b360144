import { KtError } from '../errors.js';
import { readExact, u64Number, type ByteSource } from './byte-source.js';
import { compressionNames, decompressPage, DUMP_DH } from './page-compression.js';
import type { DumpFormat, PhysicalMemory } from './physical-memory.js';

const SIGNATURE = 'KDUMP   ';
const HEADER_BYTES = 464;
const SUB_HEADER_BYTES = 104;
const PAGE_DESC_BYTES = 24;
/** Pages kept decompressed: a log ring is read front to back, so a small cache is enough. */
const PAGE_CACHE = 256;
/** Bitmap bytes counted per rank block: one Uint32 prefix count per 32 bytes (256 pfns). */
const RANK_BLOCK = 32;
const NOTE_LIMIT = 64 << 20;

const POPCOUNT = new Uint8Array(256).map((_, i) => {
  let n = 0;
  for (let b = i; b; b >>= 1) n += b & 1;
  return n;
});

/**
 * The kdump-compressed ("diskdump") format of `makedumpfile -c/-l/-p/-z` and QEMU's
 * `kdump-*` dumps (reassembled or, through FlattenedSource, flattened): a header, a
 * sub-header with the notes and VMCOREINFO, two bitmaps (present, dumped), one descriptor per
 * dumped page in pfn order, then the pages, each compressed on its own.
 */
export class KdumpCompressed implements PhysicalMemory {
  readonly compression: string;
  readonly pageSize: number;
  readonly physBase: bigint;
  readonly notes: Buffer;
  readonly vmcoreinfo: string | undefined;
  readonly incomplete: string | undefined;
  readonly facts: Record<string, string | number>;
  missingPages = 0;
  private readonly maxPfn: number;
  private readonly dumpedBitmapAt: number;
  private readonly descsAt: number;
  /** Set bits of the dumped bitmap before each RANK_BLOCK, filled only as far as asked. */
  private readonly rank: number[] = [0];
  private bitmapCache: { at: number; bytes: Buffer } | undefined;
  private readonly pages = new Map<number, Buffer>();

  constructor(private readonly src: ByteSource, readonly format: DumpFormat) {
    const h = readExact(src, 0, HEADER_BYTES, 'kdump header');
    if (h.toString('latin1', 0, 8) !== SIGNATURE) {
      throw new KtError('KT_E_DUMP_UNSUPPORTED', `${src.name}: signature '${h.toString('latin1', 0, 8)}' is not '${SIGNATURE}'`);
    }
    const version = h.readInt32LE(8);
    const status = h.readUInt32LE(424);
    const blockSize = h.readInt32LE(428);
    const subHeaderBlocks = h.readInt32LE(432);
    const bitmapBlocks = h.readUInt32LE(436);
    if (blockSize < 1024 || blockSize > 1 << 20 || (blockSize & (blockSize - 1)) !== 0) {
      throw new KtError('KT_E_BAD_DUMP', `${src.name}: block size ${blockSize} is not a page size`);
    }
    if (subHeaderBlocks < 1 || subHeaderBlocks > 1 << 16) {
      throw new KtError('KT_E_BAD_DUMP', `${src.name}: sub-header of ${subHeaderBlocks} blocks`);
    }
    this.pageSize = blockSize;
    const sub = readExact(src, blockSize, SUB_HEADER_BYTES, 'kdump sub-header');
    this.physBase = sub.readBigUInt64LE(0);
    const utsField = (i: number): string => h.toString('latin1', 12 + 65 * i, 12 + 65 * (i + 1)).replace(/\0.*$/s, '');
    const machine = utsField(4);
    if (machine !== '' && machine !== 'x86_64') {
      throw new KtError('KT_E_DUMP_UNSUPPORTED', `${src.name}: a dump of a '${machine}' machine: only x86-64 dumps are read`);
    }
    let maxPfn = h.readUInt32LE(440);
    if (version >= 6) maxPfn = u64Number(sub, 96, src.name, 'max_mapnr_64');
    this.maxPfn = maxPfn;
    const bitmapBytes = bitmapBlocks * blockSize;
    if (bitmapBytes / 2 < Math.ceil(maxPfn / 8)) {
      throw new KtError('KT_E_BAD_DUMP', `${src.name}: ${bitmapBlocks} bitmap blocks cannot cover ${maxPfn} pages`);
    }
    const bitmapAt = (1 + subHeaderBlocks) * blockSize;
    this.dumpedBitmapAt = bitmapAt + bitmapBytes / 2;
    this.descsAt = bitmapAt + bitmapBytes;
    if (this.descsAt > src.size) {
      throw new KtError('KT_E_BAD_DUMP', `${src.name}: the page bitmaps end at byte ${this.descsAt}, past the end of the file (${src.size} bytes)`);
    }

    this.notes = Buffer.alloc(0);
    this.vmcoreinfo = undefined;
    if (version >= 3) {
      const at = u64Number(sub, 32, src.name, 'offset_vmcoreinfo');
      const size = u64Number(sub, 40, src.name, 'size_vmcoreinfo');
      if (size > NOTE_LIMIT) throw new KtError('KT_E_BAD_DUMP', `${src.name}: VMCOREINFO of ${size} bytes`);
      if (size > 0) this.vmcoreinfo = readExact(src, at, size, 'VMCOREINFO').toString('latin1');
    }
    if (version >= 4) {
      const at = u64Number(sub, 48, src.name, 'offset_note');
      const size = u64Number(sub, 56, src.name, 'size_note');
      if (size > NOTE_LIMIT) throw new KtError('KT_E_BAD_DUMP', `${src.name}: ${size} bytes of ELF notes`);
      if (size > 0) this.notes = readExact(src, at, size, 'ELF notes');
    }
    this.compression = compressionNames(status);
    this.incomplete = status & DUMP_DH.incomplete ? 'the header says the dump is incomplete (makedumpfile ran out of space)' : undefined;
    this.facts = {
      'header version': version,
      'block size': blockSize,
      'max pfn': maxPfn,
      'utsname release': utsField(2),
      'utsname machine': machine,
      'header timestamp': Number(h.readBigInt64LE(408)),
      'dump level': sub.readInt32LE(8),
      'phys_base (sub-header)': `0x${this.physBase.toString(16)}`,
      'nr_cpus': h.readInt32LE(460),
    };
  }

  read(paddr: number, length: number): Buffer {
    const out = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      const at = paddr + done;
      const pfn = Math.floor(at / this.pageSize);
      const within = at - pfn * this.pageSize;
      const n = Math.min(length - done, this.pageSize - within);
      const page = this.page(pfn);
      if (page !== undefined) page.copy(out, done, within, within + n);
      done += n;
    }
    return out;
  }

  /** A page's bytes, or undefined for a page read as zeros (filtered out or never written). */
  private page(pfn: number): Buffer | undefined {
    const cached = this.pages.get(pfn);
    if (cached !== undefined) return cached;
    if (pfn >= this.maxPfn) {
      throw new KtError('KT_E_BAD_DUMP', `${this.src.name}: physical address 0x${(pfn * this.pageSize).toString(16)} is beyond the dump's last page`);
    }
    if (!this.isDumped(pfn)) return undefined;
    const index = this.rankOf(pfn);
    const d = readExact(this.src, this.descsAt + index * PAGE_DESC_BYTES, PAGE_DESC_BYTES, `page descriptor of pfn ${pfn}`);
    const offset = u64Number(d, 0, this.src.name, `data offset of pfn ${pfn}`);
    const size = d.readUInt32LE(8);
    const flags = d.readUInt32LE(12);
    if (offset === 0) {
      this.missingPages++;
      return undefined;
    }
    if (size > this.pageSize) throw new KtError('KT_E_BAD_DUMP', `${this.src.name}: page ${pfn} is stored in ${size} bytes, more than a page`);
    const stored = readExact(this.src, offset, size, `page ${pfn}`);
    let page: Buffer;
    try {
      page = decompressPage(stored, flags, this.pageSize);
    } catch (e) {
      throw new KtError('KT_E_BAD_DUMP', `${this.src.name}: page ${pfn} at offset ${offset}: ${(e as Error).message}`);
    }
    if (this.pages.size >= PAGE_CACHE) this.pages.delete(this.pages.keys().next().value as number);
    this.pages.set(pfn, page);
    return page;
  }

  private bitmapByte(byteIndex: number): number {
    const chunk = 64 << 10;
    const at = Math.floor(byteIndex / chunk) * chunk;
    if (this.bitmapCache?.at !== at) {
      this.bitmapCache = { at, bytes: readExact(this.src, this.dumpedBitmapAt + at, Math.min(chunk, this.bitmapLength() - at), 'page bitmap') };
    }
    return this.bitmapCache.bytes[byteIndex - at] as number;
  }

  private bitmapLength(): number {
    return Math.ceil(this.maxPfn / 8);
  }

  private isDumped(pfn: number): boolean {
    return ((this.bitmapByte(pfn >> 3) >> (pfn & 7)) & 1) === 1;
  }

  /** Dumped pages before `pfn`: the index of its descriptor. */
  private rankOf(pfn: number): number {
    const byteIndex = pfn >> 3;
    const block = Math.floor(byteIndex / RANK_BLOCK);
    while (this.rank.length <= block) {
      const b = this.rank.length - 1;
      let n = 0;
      const end = Math.min((b + 1) * RANK_BLOCK, this.bitmapLength());
      for (let i = b * RANK_BLOCK; i < end; i++) n += POPCOUNT[this.bitmapByte(i)] as number;
      this.rank.push((this.rank[b] as number) + n);
    }
    let n = this.rank[block] as number;
    for (let i = block * RANK_BLOCK; i < byteIndex; i++) n += POPCOUNT[this.bitmapByte(i)] as number; // < 32 bytes
    return n + (POPCOUNT[this.bitmapByte(byteIndex) & ((1 << (pfn & 7)) - 1)] as number);
  }
}
