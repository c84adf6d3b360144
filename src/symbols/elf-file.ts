import fs from 'node:fs';
import { inflateSync } from 'node:zlib';
import { KtError } from '../errors.js';
import { zstdDecompress } from './zstd.js';
import { ByteReader, stringAt } from './byte-reader.js';

/** ELF section header fields that the symbolizer uses. */
export interface ElfSection {
  index: number;
  name: string;
  type: number;
  flags: number;
  addr: bigint;
  offset: number;
  size: number;
  link: number;
  info: number;
  addralign: number;
  entsize: number;
}

export const SHT_NOBITS = 8;
export const SHT_SYMTAB = 2;
export const SHT_RELA = 4;
export const SHT_REL = 9;
export const SHT_NOTE = 7;
export const SHF_ALLOC = 0x2;
export const SHF_EXECINSTR = 0x4;
export const SHF_COMPRESSED = 0x800;
export const ET_REL = 1;
export const EM_X86_64 = 62;
export const EM_AARCH64 = 183;

/** Largest decompressed section we accept (a 164 MB .debug_info fits many times over). */
const MAX_SECTION_BYTES = 2 ** 31 - 1;
/** zlib expands at most ~1032:1; debug information compresses 3-10:1. */
const MAX_DEBUG_EXPANSION = 1100;

/** Where the bytes come from: a file read on demand, or a buffer (a decompressed .ko.xz). */
interface ByteSource {
  size: number;
  read(offset: number, length: number): Buffer;
  /** Reads into `target` (from its start) and returns the filled part; a buffer source returns a view instead. */
  readInto(offset: number, length: number, target: Buffer): Buffer;
  close(): void;
}

function fileSource(path: string): ByteSource {
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new KtError(code === 'ENOENT' ? 'KT_E_NO_SUCH_FILE' : 'KT_E_UNREADABLE', `${path}: ${(e as Error).message}`);
  }
  const st = fs.fstatSync(fd);
  if (st.isDirectory()) {
    fs.closeSync(fd);
    throw new KtError('KT_E_UNREADABLE', `${path}: is a directory, not an ELF file`);
  }
  const size = st.size;
  return {
    size,
    read(offset, length) {
      const out = Buffer.allocUnsafe(length);
      let done = 0;
      while (done < length) {
        let n: number;
        try {
          n = fs.readSync(fd, out, done, length - done, offset + done);
        } catch (e) {
          throw new KtError('KT_E_UNREADABLE', `${path}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
        }
        if (n === 0) throw new KtError('KT_E_BAD_ELF', `${path}: file ends at ${offset + done}, expected ${length - done} more bytes`);
        done += n;
      }
      return out;
    },
    readInto(offset, length, target) {
      let done = 0;
      while (done < length) {
        const n = fs.readSync(fd, target, done, length - done, offset + done);
        if (n === 0) throw new KtError('KT_E_BAD_ELF', `${path}: file ends at ${offset + done}, expected ${length - done} more bytes`);
        done += n;
      }
      return target.subarray(0, length);
    },
    close() {
      fs.closeSync(fd);
    },
  };
}

function bufferSource(buf: Buffer): ByteSource {
  return {
    size: buf.length,
    read(offset, length) {
      return buf.subarray(offset, offset + length);
    },
    readInto(offset, length) {
      return buf.subarray(offset, offset + length);
    },
    close() {},
  };
}

/**
 * One ELF file (32/64-bit, either byte order). Reads the headers when opened and each section's
 * bytes only when asked, so opening a 590 MB vmlinux reads a few kilobytes.
 */
export class ElfFile {
  readonly is64: boolean;
  readonly littleEndian: boolean;
  readonly type: number;
  readonly machine: number;
  readonly sections: ElfSection[];
  private readonly byName = new Map<string, ElfSection>();
  private readonly contents = new Map<number, Buffer>();

  private constructor(readonly path: string, private readonly src: ByteSource) {
    if (src.size < 52) throw new KtError('KT_E_BAD_ELF', `${path}: too short for an ELF header (${src.size} bytes)`);
    const ident = src.read(0, 16);
    if (ident.readUInt32BE(0) !== 0x7f454c46) throw new KtError('KT_E_BAD_ELF', `${path}: not an ELF file (no \\x7fELF magic)`);
    const cls = ident[4];
    const data = ident[5];
    if ((cls !== 1 && cls !== 2) || (data !== 1 && data !== 2)) throw new KtError('KT_E_BAD_ELF', `${path}: bad ELF class ${cls} or data encoding ${data}`);
    this.is64 = cls === 2;
    this.littleEndian = data === 1;
    const ehsize = this.is64 ? 64 : 52;
    if (src.size < ehsize) throw new KtError('KT_E_BAD_ELF', `${path}: too short for an ELF${this.is64 ? '64' : '32'} header (${src.size} bytes)`);
    const r = new ByteReader(src.read(0, ehsize), 16, ehsize, this.littleEndian, `${path}: ELF header`);
    this.type = r.u16();
    this.machine = r.u16();
    r.u32();
    this.is64 ? r.u64() : r.u32(); // entry
    this.is64 ? r.u64() : r.u32(); // phoff
    const shoff = this.is64 ? Number(r.u64()) : r.u32();
    r.u32(); // flags
    r.u16(); // ehsize
    r.u16(); // phentsize
    r.u16(); // phnum
    const shentsize = r.u16();
    let shnum = r.u16();
    let shstrndx = r.u16();
    const minEnt = this.is64 ? 64 : 40;
    if (shoff === 0) {
      this.sections = [];
      return;
    }
    if (shentsize < minEnt) throw new KtError('KT_E_BAD_ELF', `${path}: section header size ${shentsize} < ${minEnt}`);
    if (shnum === 0) {
      // More than 0xff00 sections: the real count is in section 0's sh_size (and index in sh_link).
      const first = this.readSectionHeaders(shoff, shentsize, 1);
      shnum = first[0]?.size ?? 0;
      if (shstrndx === 0xffff) shstrndx = first[0]?.link ?? 0;
    }
    if (shoff + shnum * shentsize > src.size) throw new KtError('KT_E_BAD_ELF', `${path}: section headers (${shnum} at 0x${shoff.toString(16)}) run past the end of the file (${src.size} bytes)`);
    this.sections = this.readSectionHeaders(shoff, shentsize, shnum);
    const shstr = this.sections[shstrndx];
    const names = shstr && shstr.type !== SHT_NOBITS ? this.rawBytes(shstr) : Buffer.alloc(0);
    for (const s of this.sections) {
      s.name = safeString(names, nameOffsets.get(s) ?? 0);
      if (s.name && !this.byName.has(s.name)) this.byName.set(s.name, s);
    }
  }

  static open(path: string): ElfFile {
    const src = fileSource(path);
    try {
      return new ElfFile(path, src);
    } catch (e) {
      src.close();
      throw e;
    }
  }

  static fromBuffer(buf: Buffer, name: string): ElfFile {
    return new ElfFile(name, bufferSource(buf));
  }

  close(): void {
    this.src.close();
  }

  get isRelocatable(): boolean {
    return this.type === ET_REL;
  }

  section(name: string): ElfSection | undefined {
    return this.byName.get(name);
  }

  private readSectionHeaders(shoff: number, entsize: number, count: number): ElfSection[] {
    const raw = this.src.read(shoff, entsize * count);
    const out: ElfSection[] = [];
    for (let i = 0; i < count; i++) {
      const r = new ByteReader(raw, i * entsize, (i + 1) * entsize, this.littleEndian, `${this.path}: section header ${i}`);
      const nameOff = r.u32();
      const type = r.u32();
      const flags = this.is64 ? Number(r.u64() & 0xffffffffn) : r.u32();
      const addr = this.is64 ? r.u64() : BigInt(r.u32());
      const offset = this.is64 ? Number(r.u64()) : r.u32();
      const size = this.is64 ? Number(r.u64()) : r.u32();
      const link = r.u32();
      const info = r.u32();
      const addralign = this.is64 ? Number(r.u64()) : r.u32();
      const entsz = this.is64 ? Number(r.u64()) : r.u32();
      const s: ElfSection = { index: i, name: '', type, flags, addr, offset, size, link, info, addralign, entsize: entsz };
      nameOffsets.set(s, nameOff);
      out.push(s);
    }
    return out;
  }

  /** The section's bytes as stored in the file (compressed sections stay compressed). */
  rawBytes(s: ElfSection): Buffer {
    if (s.type === SHT_NOBITS || s.size === 0) return Buffer.alloc(0);
    if (s.offset + s.size > this.src.size || s.size > MAX_SECTION_BYTES) {
      throw new KtError('KT_E_BAD_ELF', `${this.path}: section ${s.name || s.index} (0x${s.offset.toString(16)}+0x${s.size.toString(16)}) runs past the end of the file (${this.src.size} bytes)`);
    }
    return this.src.read(s.offset, s.size);
  }

  /** Whether the section's bytes lie inside the file (a header may claim more). */
  inFile(s: ElfSection): boolean {
    return s.type === SHT_NOBITS || (s.offset + s.size <= this.src.size && s.size <= MAX_SECTION_BYTES);
  }

  /** `length` bytes at `offset` inside an uncompressed section, read on their own. */
  bytesAt(s: ElfSection, offset: number, length: number): Buffer {
    if (this.isCompressed(s)) return this.contentsOf(s).subarray(offset, offset + length);
    const cached = this.contents.get(s.index);
    if (cached) return cached.subarray(offset, offset + length);
    if (offset < 0 || offset > s.size || length < 0) throw new KtError('KT_E_BAD_DWARF', `${this.path}: offset 0x${offset.toString(16)} (length ${length}) outside ${s.name} (size 0x${s.size.toString(16)})`);
    const n = Math.min(length, s.size - offset);
    if (s.offset + offset + n > this.src.size) throw new KtError('KT_E_BAD_ELF', `${this.path}: ${s.name} runs past the end of the file`);
    return this.src.read(s.offset + offset, n);
  }

  /**
   * Like bytesAt, but into `scratch` (grown when too small) instead of a new buffer: for the
   * megabytes of one unit that are parsed and dropped, so they cost no garbage collection.
   * The result is valid until the next call with the same scratch.
   */
  bytesInto(s: ElfSection, offset: number, length: number, scratch: { buf: Buffer }): Buffer {
    if (this.isCompressed(s) || this.contents.has(s.index)) return this.bytesAt(s, offset, length);
    if (offset < 0 || offset > s.size || length < 0) throw new KtError('KT_E_BAD_DWARF', `${this.path}: offset 0x${offset.toString(16)} (length ${length}) outside ${s.name} (size 0x${s.size.toString(16)})`);
    const n = Math.min(length, s.size - offset);
    if (s.offset + offset + n > this.src.size) throw new KtError('KT_E_BAD_ELF', `${this.path}: ${s.name} runs past the end of the file`);
    if (scratch.buf.length < n) scratch.buf = Buffer.allocUnsafe(Math.max(n, scratch.buf.length * 2));
    return this.src.readInto(s.offset + offset, n, scratch.buf);
  }

  isCompressed(s: ElfSection): boolean {
    return (s.flags & SHF_COMPRESSED) !== 0 || s.name.startsWith('.zdebug');
  }

  /** The section's bytes, decompressed (SHF_COMPRESSED zlib/zstd, or legacy .zdebug), cached. */
  contentsOf(s: ElfSection): Buffer {
    const hit = this.contents.get(s.index);
    if (hit) return hit;
    const raw = this.rawBytes(s);
    const out = this.isCompressed(s) ? this.decompress(s, raw) : raw;
    this.contents.set(s.index, out);
    return out;
  }

  /** Drops a cached section (used for big sections read once, e.g. while building an index). */
  forget(s: ElfSection): void {
    this.contents.delete(s.index);
  }

  private decompress(s: ElfSection, raw: Buffer): Buffer {
    let type: number;
    let size: number;
    let start: number;
    if ((s.flags & SHF_COMPRESSED) !== 0) {
      const r = new ByteReader(raw, 0, raw.length, this.littleEndian, `${this.path}: ${s.name} compression header`);
      type = r.u32();
      if (this.is64) r.u32();
      size = this.is64 ? Number(r.u64()) : r.u32();
      start = r.pos + (this.is64 ? 8 : 4);
    } else {
      if (raw.length < 12 || raw.toString('latin1', 0, 4) !== 'ZLIB') throw new KtError('KT_E_BAD_COMPRESSION', `${this.path}: ${s.name} lacks its ZLIB header`);
      type = 1;
      size = Number(raw.readBigUInt64BE(4));
      start = 12;
    }
    if (size > MAX_SECTION_BYTES) throw new KtError('KT_E_BAD_COMPRESSION', `${this.path}: ${s.name} claims ${size} bytes uncompressed, more than the ${MAX_SECTION_BYTES} we accept`);
    const body = raw.subarray(start);
    // The output buffer is allocated from the header's size: a 100-byte section may not claim 2 GB.
    if (size > Math.max(body.length * MAX_DEBUG_EXPANSION, 1 << 20)) {
      throw new KtError('KT_E_BAD_COMPRESSION', `${this.path}: ${s.name} claims ${size} bytes uncompressed from ${body.length}: more than compressed debug information expands to`);
    }
    let out: Buffer;
    try {
      if (type === 1) out = inflateSync(body, { maxOutputLength: Math.max(size, 1) });
      else if (type === 2) out = Buffer.from(zstdDecompress(body, new Uint8Array(size)));
      else throw new KtError('KT_E_BAD_COMPRESSION', `${this.path}: ${s.name} uses unknown compression type ${type}`);
    } catch (e) {
      if (e instanceof KtError) throw e;
      throw new KtError('KT_E_BAD_COMPRESSION', `${this.path}: ${s.name} does not decompress: ${(e as Error).message}`);
    }
    if (out.length !== size) throw new KtError('KT_E_BAD_COMPRESSION', `${this.path}: ${s.name} decompressed to ${out.length} bytes, header says ${size}`);
    return out;
  }

  /** Size of a section once decompressed. */
  sizeOf(s: ElfSection): number {
    return this.isCompressed(s) ? this.contentsOf(s).length : s.size;
  }

  /** The GNU build id (hex), from the first NT_GNU_BUILD_ID note in an allocated or note section. */
  buildId(): string | undefined {
    for (const s of this.sections) {
      if (s.type !== SHT_NOTE || s.size > 1 << 20) continue;
      const buf = this.rawBytes(s);
      const r = new ByteReader(buf, 0, buf.length, this.littleEndian, `${this.path}: ${s.name}`);
      while (r.pos + 12 <= buf.length) {
        const namesz = r.u32();
        const descsz = r.u32();
        const type = r.u32();
        const nameStart = r.pos;
        const descStart = nameStart + align4(namesz);
        if (descStart + descsz > buf.length) break;
        const name = buf.toString('latin1', nameStart, nameStart + Math.max(0, namesz - 1));
        if (type === 3 && name === 'GNU') return buf.toString('hex', descStart, descStart + descsz);
        r.pos = descStart + align4(descsz);
      }
    }
    return undefined;
  }
}

const nameOffsets = new WeakMap<ElfSection, number>();

function align4(n: number): number {
  return (n + 3) & ~3;
}

function safeString(buf: Buffer, offset: number): string {
  if (offset >= buf.length) return '';
  return stringAt(buf, offset, 'section names');
}
