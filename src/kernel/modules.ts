import type { KernelObject } from './kernel-object.js';
import type { KernelSymbol } from './kernel-symbols.js';
import type { KernelView } from './kernel-view.js';

/** Module taint bits (include/linux/panic.h) and the letters lsmod/oops print for them. */
export const MODULE_TAINTS: readonly { bit: number; letter: string; meaning: string }[] = [
  { bit: 0, letter: 'P', meaning: 'proprietary' },
  { bit: 1, letter: 'F', meaning: 'force-loaded' },
  { bit: 10, letter: 'C', meaning: 'staging' },
  { bit: 12, letter: 'O', meaning: 'out-of-tree' },
  { bit: 13, letter: 'E', meaning: 'unsigned' },
  { bit: 15, letter: 'K', meaning: 'livepatch' },
  { bit: 16, letter: 'X', meaning: 'auxiliary' },
  { bit: 18, letter: 'N', meaning: 'test' },
];

/** Symbols a module may keep; a hostile count is cut here. */
const MODULE_SYMBOLS_MAX = 200_000;
const ELF64_SYM = 24;
/** MOD_TEXT … MOD_RO_AFTER_INIT of `module.mem[]` (6.4+): the module's core memory. */
const CORE_MEM_TYPES = 4;

export interface LoadedModule {
  /** Address of struct module. */
  address: bigint;
  name: string;
  /** Start of its text (core_layout.base, or mem[MOD_TEXT].base from 6.4). */
  base: bigint;
  /** Bytes of core memory (text, data, rodata). */
  size: number;
  /** Taint letters (`OE`) and what they mean. */
  taints: string;
  taintMeanings: string[];
  /** Address ranges its code lies in (core and init text). */
  ranges: { start: bigint; end: bigint }[];
  symbolCount: number;
  orc?: { count: number; ip: bigint; entries: bigint };
}

/** The loaded modules, in `modules` list order (the most recently loaded first, as lsmod). */
export function readModules(view: KernelView): LoadedModule[] {
  const out: LoadedModule[] = [];
  for (const mod of view.listEntries(view.global('modules'), 'struct module', 'list')) {
    try {
      out.push(readModule(view, mod));
    } catch (e) {
      view.unknowns.push(`module at 0x${mod.address.toString(16)}: ${(e as Error).message}`);
    }
  }
  return out;
}

function readModule(view: KernelView, mod: KernelObject): LoadedModule {
  const name = mod.member('name').string(64);
  const ranges: { start: bigint; end: bigint }[] = [];
  let base: bigint;
  let size = 0;
  if (mod.has('mem')) {
    base = mod.member('mem[0].base').value();
    for (let t = 0; t < CORE_MEM_TYPES; t++) size += mod.member(`mem[${t}].size`).number();
    const types = view.btf.array(view.btf.resolve(mod.member('mem').type)).nelems;
    for (let t = 0; t < types; t++) {
      const start = mod.member(`mem[${t}].base`).value();
      const n = mod.member(`mem[${t}].size`).number();
      if (start !== 0n && n > 0) ranges.push({ start, end: start + BigInt(n) });
    }
  } else {
    base = mod.member('core_layout.base').value();
    size = mod.member('core_layout.size').number();
    ranges.push({ start: base, end: base + BigInt(size) });
    const init = mod.member('init_layout.base').value();
    const initSize = mod.member('init_layout.size').number();
    if (init !== 0n && initSize > 0) ranges.push({ start: init, end: init + BigInt(initSize) });
  }
  const taintBits = mod.member('taints').value();
  const taints = MODULE_TAINTS.filter((t) => (taintBits >> BigInt(t.bit)) & 1n);
  const symbols = moduleSymbols(view, mod, name);
  view.symbols.addModuleSymbols(symbols);
  const m: LoadedModule = {
    address: mod.address,
    name,
    base,
    size,
    taints: taints.map((t) => t.letter).join(''),
    taintMeanings: taints.map((t) => t.meaning),
    ranges,
    symbolCount: symbols.length,
  };
  if (mod.has('arch.num_orcs')) {
    const count = mod.member('arch.num_orcs').number();
    if (count > 0) m.orc = { count, ip: mod.member('arch.orc_unwind_ip').value(), entries: mod.member('arch.orc_unwind').value() };
  }
  return m;
}

/** The module's own symbol table (`module->kallsyms`: Elf64_Sym[], strtab, typetab). */
function moduleSymbols(view: KernelView, mod: KernelObject, module: string): KernelSymbol[] {
  const ks = mod.member('kallsyms').deref();
  const count = ks.member('num_symtab').number();
  if (count <= 0 || count > MODULE_SYMBOLS_MAX) return [];
  const symtab = view.mem.read(ks.member('symtab').value(), count * ELF64_SYM);
  const strtab = ks.member('strtab').value();
  const typetab = ks.member('typetab').value();
  const types = typetab === 0n ? undefined : view.mem.tryRead(typetab, count);
  const out: KernelSymbol[] = [];
  for (let i = 1; i < count; i++) {
    const at = i * ELF64_SYM;
    const nameOff = symtab.readUInt32LE(at);
    const address = symtab.readBigUInt64LE(at + 8);
    if (nameOff === 0 || address === 0n) continue;
    const name = view.mem.cstring(strtab + BigInt(nameOff), 128);
    if (name === '') continue;
    out.push({ name, address, type: types ? String.fromCharCode(types[i] as number) : 't', module });
  }
  return out;
}
