import { KtError } from '../errors.js';
import { stringAt } from './byte-reader.js';
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

  /** Whether a section is read in pieces from the file (a linked file's uncompressed section not read whole yet). */
  private piecewise(key: keyof typeof SECTION_NAMES): ElfSection | undefined {
    const s = this.find(key);
    // A section that claims more bytes than the file has is read whole, to fail as such.
    return s && !this.relocation && !this.elf.isCompressed(s) && !this.whole.has(key) && this.elf.inFile(s) ? s : undefined;
  }

  /**
   * The NUL-terminated string at `offset` of a string section. A kernel's .debug_str is 3.5 MB
   * of which a symbolizer prints a few hundred names: read around the string, not the section.
   */
  stringAt(key: 'str' | 'lineStr', offset: number, what: string): string {
    // .debug_line_str is small and every file name of a line table is in it: read it whole.
    const s = key === 'str' ? this.piecewise(key) : undefined;
    if (!s) return stringAt(this.get(key), offset, what);
    if (offset < 0 || offset >= s.size) throw new KtError('KT_E_BAD_DWARF', `${what}: string offset 0x${offset.toString(16)} outside the section (size 0x${s.size.toString(16)})`);
    for (let length = 256; ; length *= 16) {
      const bytes = this.elf.bytesAt(s, offset, length);
      const nul = bytes.indexOf(0);
      if (nul >= 0 || offset + bytes.length >= s.size) return bytes.toString('utf8', 0, nul < 0 ? bytes.length : nul);
    }
  }

  /**
   * `length` bytes from `offset` of any section (fewer at its end), without reading the rest when
   * the section is read piecewise: for .debug_abbrev, of which a look-up needs a few tables of 5 MB.
   */
  part(key: SmallSection, offset: number, length: number): Buffer {
    const s = this.piecewise(key);
    if (!s) return this.get(key).subarray(offset, offset + length);
    if (offset >= s.size) return Buffer.alloc(0);
    return this.elf.bytesAt(s, offset, length);
  }

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
