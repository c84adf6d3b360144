import fs from 'node:fs';
import { SHF_ALLOC, ElfFile, type ElfSection } from './elf-file.js';
import { AnswerCache, type FunctionSymbol } from './answer-cache.js';
import { deserializeUnits, serializeUnits } from './dwarf-unit-index.js';
import { SymbolTable, type ElfSymbol } from './elf-symbols.js';
import { DwarfInfo } from './dwarf-info.js';
import { DwarfSections } from './dwarf-sections.js';
import type { UnitInfo } from './dwarf-unit-index.js';
import { placeSections } from './section-placement.js';

/** One line of an answer: a function and where in the source (line 0 = unknown). */
export interface SourceFrame {
  function?: string;
  file?: string;
  line: number;
  discriminator: number;
}

/** What an address resolves to: innermost frame first, then each inlined-into caller. */
export interface AddressInfo {
  found: boolean;
  frames: SourceFrame[];
}

export interface SymbolFileOptions {
  /** The unit index, when already known. */
  units?: UnitInfo[];
  /** Directory of the on-disk answer cache (keyed by build id); none when absent. */
  cacheDir?: string;
  /** Reproduce binutils 2.40's DWARF 5 initial-file bug (see decodeLineTable). */
  binutils240?: boolean;
}

/**
 * An ELF file opened for symbolization: its symbol table, section addresses (placed like
 * binutils for a `.ko`) and its DWARF, read lazily. `lookup` answers exactly what
 * `addr2line -f -i -e FILE` answers.
 */
export class SymbolFile {
  private symtab?: SymbolTable;
  readonly placed: Map<number, bigint>;
  readonly dwarf?: DwarfInfo;
  readonly cache?: AnswerCache;

  constructor(readonly elf: ElfFile, options: SymbolFileOptions = {}) {
    this.placed = placeSections(elf);
    const buildId = options.cacheDir !== undefined ? elf.buildId() : undefined;
    if (options.cacheDir !== undefined && buildId) this.cache = new AnswerCache(options.cacheDir, buildId, options.binutils240 ? 'binutils-2.40' : '', fileStamp(elf.path));
    if (elf.section('.debug_info') || elf.section('.zdebug_info')) {
      const sections = new DwarfSections(elf, elf.isRelocatable ? { symbols: this.symbols, placed: this.placed } : undefined);
      const cachedUnits = options.units ?? (this.cache ? deserializeUnits(this.cache.loadExtra('units')) : undefined);
      this.hadUnitIndex = cachedUnits !== undefined;
      this.dwarf = new DwarfInfo(sections, elf.path, cachedUnits, options.binutils240 ?? false);
    }
  }

  private hadUnitIndex = false;

  /** Writes the answer cache, and the unit index when this run had to build it. */
  saveCache(): void {
    if (!this.cache) return;
    if (this.dwarf?.hasFullIndex && !this.hadUnitIndex) this.cache.saveExtra('units', serializeUnits(this.dwarf.units));
    this.cache.save();
  }

  /** The ELF symbol table, read on first use (a cached run may never need it). */
  get symbols(): SymbolTable {
    return (this.symtab ??= new SymbolTable(this.elf));
  }

  /** Names already resolved in this run (null: not in the table). */
  private readonly resolvedNames = new Map<string, FunctionSymbol | null>();

  /** A function (or any code) symbol by name, with its address here and kallsyms size. */
  functionSymbol(name: string): FunctionSymbol | undefined {
    if (!this.resolvedNames.has(name)) this.resolveFunctionSymbols([name]);
    return this.resolvedNames.get(name) ?? undefined;
  }

  /**
   * Resolves the names of a whole trace at once: one pass over the symbol table finds them all
   * and a second gives their kallsyms sizes, where name-by-name look-ups would need an index of
   * every symbol. Names the on-disk cache knows cost nothing.
   */
  resolveFunctionSymbols(names: Iterable<string>): void {
    const todo: string[] = [];
    for (const name of new Set(names)) {
      if (this.resolvedNames.has(name)) continue;
      const cached = this.cache?.symbol(name);
      if (cached !== undefined) this.resolvedNames.set(name, cached);
      else todo.push(name);
    }
    if (todo.length === 0) return;
    const found = todo.length === 1 ? new Map([[todo[0] as string, this.symbols.byName(todo[0] as string)]]) : this.symbols.byNames(todo);
    const syms = todo.map((name) => found.get(name)?.[0]);
    const sizes = this.symbols.kallsymsSizes(syms.filter((s) => s !== undefined));
    let k = 0;
    todo.forEach((name, i) => {
      const sym = syms[i];
      let out: FunctionSymbol | null = null;
      if (sym) {
        out = { address: this.symbolAddress(sym), size: sym.size };
        const size = sizes[k++];
        if (size !== undefined) out.kallsymsSize = size;
      }
      this.resolvedNames.set(name, out);
      this.cache?.setSymbol(name, out);
    });
  }

  static open(path: string, options: SymbolFileOptions = {}): SymbolFile {
    return new SymbolFile(ElfFile.open(path), options);
  }

  get buildId(): string | undefined {
    return this.elf.buildId();
  }

  /** The address a symbol has here (for a `.ko`: in the binutils layout). */
  symbolAddress(sym: ElfSymbol): bigint {
    return this.elf.isRelocatable ? (this.placed.get(sym.shndx) ?? 0n) + sym.value : sym.value;
  }

  /** Like `addr2line -f -i`: try each allocated section holding the address until one answers. */
  lookup(pc: bigint): AddressInfo {
    return this.cached(`a${pc.toString(16)}`, () => this.lookupUncached(pc));
  }

  private cached(key: string, compute: () => AddressInfo): AddressInfo {
    const hit = this.cache?.answer(key);
    if (hit) return hit;
    const info = compute();
    this.cache?.setAnswer(key, info);
    return info;
  }

  private lookupUncached(pc: bigint): AddressInfo {
    for (const sec of this.elf.sections) {
      if ((sec.flags & SHF_ALLOC) === 0) continue;
      if (pc < sec.addr || pc >= sec.addr + BigInt(sec.size)) continue;
      const offset = pc - sec.addr;
      const answer = this.lookupInSection(sec, Number(offset), (this.placed.get(sec.index) ?? sec.addr) + offset);
      if (answer.found) return answer;
    }
    return { found: false, frames: [] };
  }

  /**
   * Many addresses at once, answers in the same order. They are looked up grouped by unit, so
   * each unit is read once however the addresses are spread (the unit cache stays small).
   */
  lookupMany(pcs: bigint[]): AddressInfo[] {
    const dwarf = this.dwarf;
    const order = pcs.map((pc, i) => ({ pc, i, key: dwarf && !this.cache?.answer(`a${pc.toString(16)}`) ? dwarf.unitKey(pc) : 0 }));
    order.sort((a, b) => a.key - b.key || (a.pc < b.pc ? -1 : a.pc > b.pc ? 1 : 0));
    const out = new Array<AddressInfo>(pcs.length);
    for (const { pc, i } of order) out[i] = this.lookup(pc);
    return out;
  }

  /** Looks up an address given in this file's own address space (placed, for a `.ko`). */
  lookupPlaced(address: bigint): AddressInfo {
    return this.cached(`p${address.toString(16)}`, () => this.lookupPlacedUncached(address));
  }

  private lookupPlacedUncached(address: bigint): AddressInfo {
    for (const sec of this.elf.sections) {
      if ((sec.flags & SHF_ALLOC) === 0) continue;
      const base = this.placed.get(sec.index) ?? sec.addr;
      if (address < base || address >= base + BigInt(sec.size)) continue;
      return this.lookupInSection(sec, Number(address - base), address);
    }
    return { found: false, frames: [] };
  }

  private lookupInSection(sec: ElfSection, offset: number, address: bigint): AddressInfo {
    const hit = this.dwarf?.find(address) ?? {};
    let found = hit.line !== undefined || hit.function !== undefined;
    const first: SourceFrame = { line: hit.line?.line ?? 0, discriminator: hit.line?.discriminator ?? 0 };
    if (hit.line) first.file = hit.line.file;
    const named = hit.function && this.dwarf ? this.dwarf.functionName(hit.function.fn, hit.function.unit) : undefined;
    if (named?.linkage) first.function = named.name;
    else {
      // No DWARF function, or a mangled-language name: binutils asks the symbol table.
      const sym = this.symbols.findFunction(sec, offset);
      if (sym) {
        first.function = sym.symbol.name;
        if (first.file === undefined && sym.file !== undefined) first.file = sym.file;
        found = true;
      } else if (named) first.function = named.name;
    }
    if (!found) return { found: false, frames: [] };
    const frames = [first];
    let inner = hit.inlined;
    for (let depth = 0; inner?.fn.caller && depth < 1000; depth++) {
      const caller = inner.fn.caller;
      const frame: SourceFrame = { line: inner.fn.callLine, discriminator: 0 };
      const name = this.dwarf?.functionName(caller, inner.unit).name;
      if (name !== undefined) frame.function = name;
      if (inner.fn.callFile !== undefined) frame.file = inner.unit.lines.fileName(inner.fn.callFile);
      frames.push(frame);
      inner = { fn: caller, unit: inner.unit };
    }
    return { found: true, frames };
  }
}

/** Formats an answer the way GNU addr2line prints it with -f (functions) and -i (inlines). */
export function formatAddr2Line(info: AddressInfo, opts: { functions: boolean; inlines: boolean; pretty: boolean }): string {
  if (!info.found) return opts.functions ? (opts.pretty ? '?? ??:0\n' : '??\n??:0\n') : '??:0\n';
  let out = '';
  const frames = opts.inlines ? info.frames : info.frames.slice(0, 1);
  // addr2line never resets the discriminator while it walks the inlined callers, so each of
  // their lines repeats the innermost line's discriminator.
  const discriminator = frames[0]?.discriminator ?? 0;
  frames.forEach((f, i) => {
    if (i > 0 && opts.pretty) out += ' (inlined by) ';
    if (opts.functions) out += `${f.function || '??'}${opts.pretty ? ' at ' : '\n'}`;
    out += `${f.file ?? '??'}:`;
    if (f.line !== 0) out += discriminator !== 0 ? `${f.line} (discriminator ${discriminator})\n` : `${f.line}\n`;
    else out += '?\n';
  });
  return out;
}

/** Size and modification time of a file, or '' when it cannot be stat'ed: what tells a rewritten file from the one cached. */
function fileStamp(file: string): string {
  try {
    const st = fs.statSync(file);
    return `${st.size}-${st.mtimeMs}`;
  } catch {
    return '';
  }
}
