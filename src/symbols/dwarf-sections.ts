import { KtError } from '../errors.js';
import type { ElfFile, ElfSection } from './elf-file.js';
import type { SymbolTable } from './elf-symbols.js';
import { relocatedContents } from './relocate-debug.js';

type SmallSection = 'abbrev' | 'str' | 'lineStr' | 'strOffsets' | 'addr' | 'ranges' | 'rnglists' | 'aranges';

const SECTION_NAMES: Record<SmallSection | 'info' | 'line', string> = {
  info: '.debug_info',
  line: '.debug_line',
  abbrev: '.debug_abbrev',
  str: '.debug_str',
  lineStr: '.debug_line_str',
  strOffsets: '.debug_str_offsets',
  addr: '.debug_addr',
  ranges: '.debug_ranges',
  rnglists: '.debug_rnglists',
  aranges: '.debug_aranges',
};

/**
 * The DWARF sections of one ELF file. `.debug_info` and `.debug_line` of a linked file are read
 * a unit at a time, straight from the file; the small sections are read whole on first use. A
 * relocatable object (`.ko`) has every section read whole with its relocations applied.
 */
export class DwarfSections {
  private readonly whole = new Map<string, Buffer>();
  readonly littleEndian: boolean;

  constructor(
    readonly elf: ElfFile,
    private readonly relocation?: { symbols: SymbolTable; placed: Map<number, bigint> },
  ) {
    this.littleEndian = elf.littleEndian;
  }

  private find(key: keyof typeof SECTION_NAMES): ElfSection | undefined {
    const name = SECTION_NAMES[key];
    return this.elf.section(name) ?? this.elf.section(name.replace('.debug_', '.zdebug_'));
  }

  has(key: keyof typeof SECTION_NAMES): boolean {
    const s = this.find(key);
    return s !== undefined && s.size > 0;
  }

  /** A small section, whole (empty when absent). */
  get(key: SmallSection | 'info' | 'line'): Buffer {
    const hit = this.whole.get(key);
    if (hit) return hit;
    const s = this.find(key);
    let buf: Buffer;
    if (!s) buf = Buffer.alloc(0);
    else if (this.relocation) buf = relocatedContents(this.elf, s, this.relocation.symbols, this.relocation.placed);
    else buf = this.elf.contentsOf(s);
    this.whole.set(key, buf);
    return buf;
  }

  size(key: 'info' | 'line'): number {
    const s = this.find(key);
    if (!s) return 0;
    return this.relocation || this.elf.isCompressed(s) ? this.get(key).length : s.size;
  }

  private readonly scratch = { info: { buf: Buffer.alloc(0) }, line: { buf: Buffer.alloc(0) } };

  /** Like `slice`, into a reused buffer: valid only until the next `transient` call for that section. */
  transient(key: 'info' | 'line', offset: number, length: number): Buffer {
    const s = this.find(key);
    if (!s) throw new KtError('KT_E_BAD_DWARF', `${this.elf.path}: no ${SECTION_NAMES[key]} section`);
    if (this.relocation || this.elf.isCompressed(s) || this.whole.has(key)) return this.get(key).subarray(offset, offset + length);
    return this.elf.bytesInto(s, offset, length, this.scratch[key]);
  }

  /** `length` bytes from `offset` of .debug_info or .debug_line, without reading the rest. */
  slice(key: 'info' | 'line', offset: number, length: number): Buffer {
    const s = this.find(key);
    if (!s) throw new KtError('KT_E_BAD_DWARF', `${this.elf.path}: no ${SECTION_NAMES[key]} section`);
    if (this.relocation || this.elf.isCompressed(s) || this.whole.has(key)) return this.get(key).subarray(offset, offset + length);
    return this.elf.bytesAt(s, offset, length);
  }
}
