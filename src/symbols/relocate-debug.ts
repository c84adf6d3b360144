import { KtError } from '../errors.js';
import { ByteReader } from './byte-reader.js';
import { EM_AARCH64, EM_X86_64, SHT_REL, SHT_RELA, type ElfFile, type ElfSection } from './elf-file.js';
import type { SymbolTable } from './elf-symbols.js';

/** Relocation kinds that debug sections use: how many bytes, and whether PC-relative. */
const RELOCATION_KINDS: Record<number, Record<number, { bytes: number; pcRel: boolean } | null>> = {
  [EM_X86_64]: {
    0: null, // R_X86_64_NONE
    1: { bytes: 8, pcRel: false }, // R_X86_64_64
    2: { bytes: 4, pcRel: true }, // R_X86_64_PC32
    10: { bytes: 4, pcRel: false }, // R_X86_64_32
    11: { bytes: 4, pcRel: false }, // R_X86_64_32S
    24: { bytes: 8, pcRel: true }, // R_X86_64_PC64
  },
  [EM_AARCH64]: {
    0: null,
    256: null, // R_AARCH64_NONE (also 0)
    257: { bytes: 8, pcRel: false }, // R_AARCH64_ABS64
    258: { bytes: 4, pcRel: false }, // R_AARCH64_ABS32
    259: { bytes: 2, pcRel: false }, // R_AARCH64_ABS16
    260: { bytes: 8, pcRel: true }, // R_AARCH64_PREL64
    261: { bytes: 4, pcRel: true }, // R_AARCH64_PREL32
  },
};

/**
 * A copy of a relocatable object's debug section with its relocations applied, symbols taken
 * at the addresses `placed` gives their sections, as binutils does for `addr2line -e mod.ko`.
 * The input file is never modified.
 */
export function relocatedContents(elf: ElfFile, target: ElfSection, symbols: SymbolTable, placed: Map<number, bigint>): Buffer {
  const original = elf.contentsOf(target);
  const relocs = elf.sections.filter((s) => (s.type === SHT_RELA || s.type === SHT_REL) && s.info === target.index);
  if (relocs.length === 0) return original;
  const kinds = RELOCATION_KINDS[elf.machine];
  if (!kinds) throw new KtError('KT_E_BAD_ELF', `${elf.path}: relocations for machine ${elf.machine} are not supported (x86-64 and arm64 are)`);
  const out = Buffer.from(original);
  for (const rel of relocs) {
    const isRela = rel.type === SHT_RELA;
    const entsize = elf.is64 ? (isRela ? 24 : 16) : isRela ? 12 : 8;
    const data = elf.contentsOf(rel);
    const r = new ByteReader(data, 0, data.length, elf.littleEndian, `${elf.path}: ${rel.name}`);
    const count = Math.floor(data.length / entsize);
    for (let i = 0; i < count; i++) {
      r.pos = i * entsize;
      const offset = elf.is64 ? Number(r.u64()) : r.u32();
      const info = elf.is64 ? r.u64() : BigInt(r.u32());
      const symIndex = Number(elf.is64 ? info >> 32n : info >> 8n);
      const type = Number(elf.is64 ? info & 0xffffffffn : info & 0xffn);
      const kind = kinds[type];
      if (kind === null) continue;
      if (kind === undefined) throw new KtError('KT_E_BAD_ELF', `${elf.path}: ${rel.name} entry ${i}: relocation type ${type} is not supported in debug sections`);
      if (offset + kind.bytes > out.length) throw new KtError('KT_E_BAD_ELF', `${elf.path}: ${rel.name} entry ${i} points past ${target.name}`);
      let addend: bigint;
      if (isRela) addend = elf.is64 ? BigInt.asIntN(64, r.u64()) : BigInt(r.u32() | 0);
      else addend = readValue(out, offset, kind.bytes, elf.littleEndian);
      const sym = symIndex === 0 || symIndex >= symbols.count ? undefined : symbols.at(symIndex);
      if (symIndex !== 0 && symIndex >= symbols.count) throw new KtError('KT_E_BAD_ELF', `${elf.path}: ${rel.name} entry ${i} names symbol ${symIndex}, past the symbol table`);
      const base = sym && sym.shndx > 0 ? (placed.get(sym.shndx) ?? 0n) : 0n;
      let value = (sym ? sym.value : 0n) + base + addend;
      if (kind.pcRel) value -= (placed.get(target.index) ?? 0n) + BigInt(offset);
      writeValue(out, offset, kind.bytes, value, elf.littleEndian);
    }
  }
  return out;
}

function readValue(buf: Buffer, offset: number, bytes: number, le: boolean): bigint {
  if (bytes === 8) return le ? buf.readBigUInt64LE(offset) : buf.readBigUInt64BE(offset);
  if (bytes === 4) return BigInt(le ? buf.readUInt32LE(offset) : buf.readUInt32BE(offset));
  return BigInt(le ? buf.readUInt16LE(offset) : buf.readUInt16BE(offset));
}

function writeValue(buf: Buffer, offset: number, bytes: number, value: bigint, le: boolean): void {
  const v = BigInt.asUintN(bytes * 8, value);
  if (bytes === 8) le ? buf.writeBigUInt64LE(v, offset) : buf.writeBigUInt64BE(v, offset);
  else if (bytes === 4) le ? buf.writeUInt32LE(Number(v), offset) : buf.writeUInt32BE(Number(v), offset);
  else le ? buf.writeUInt16LE(Number(v), offset) : buf.writeUInt16BE(Number(v), offset);
}
