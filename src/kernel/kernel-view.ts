import { KtError } from '../errors.js';
import type { Vmcore } from '../vmcore/open-vmcore.js';
import { Btf, KIND } from './btf.js';
import { GLOBAL_DECLARATIONS } from './declarations.js';
import { readKallsyms } from './kallsyms.js';
import { KernelObject } from './kernel-object.js';
import { KernelReader } from './kernel-reader.js';
import { KernelSymbols } from './kernel-symbols.js';

/** A list longer than this is a corrupt or hostile dump, not a kernel's. */
export const LIST_MAX = 1_000_000;
const BTF_MAX = 64 << 20;

/**
 * The dumped kernel as a program: its symbols (the dump's kallsyms), its types (the dump's
 * BTF), typed reads of its memory, per-CPU addressing and list walks. The commands are small
 * functions over this, like drgn's helpers over a Program.
 */
export class KernelView {
  readonly mem: KernelReader;
  readonly btf: Btf;
  /** vmlinux's symbols, and the modules' once they are read (loadedModules). */
  readonly symbols: KernelSymbols;
  private perCpuVars: Map<string, number> | undefined;
  private cpuOffsets = new Map<number, bigint>();
  /** Values a command could not read: it answers the rest and says so. */
  readonly unknowns: string[] = [];

  constructor(readonly core: Vmcore) {
    this.mem = new KernelReader(core.kernel);
    const k = readKallsyms(core.vmcoreinfo, this.mem, core.source);
    this.symbols = new KernelSymbols(k);
    this.btf = this.readBtf();
  }

  get source(): string {
    return this.core.source;
  }

  get release(): string {
    return this.core.vmcoreinfo.get('OSRELEASE') ?? '';
  }


  /** The kernel is at least `major.minor` (from OSRELEASE). */
  atLeast(major: number, minor: number): boolean {
    const m = /^(\d+)\.(\d+)/.exec(this.release);
    if (!m) return true;
    return Number(m[1]) > major || (Number(m[1]) === major && Number(m[2]) >= minor);
  }

  address(name: string): bigint {
    const a = this.symbols.vmlinuxAddress(name);
    if (a === undefined) throw new KtError('KT_E_DUMP_UNSUPPORTED', `${this.source}: the kernel has no symbol '${name}'`);
    return a;
  }

  hasSymbol(name: string): boolean {
    return this.symbols.vmlinuxAddress(name) !== undefined;
  }

  /** A BTF type by C spelling (`struct task_struct`, `unsigned long`, `atomic_t`). */
  type(spec: string): number {
    const id = this.btf.findType(spec);
    if (id === undefined) throw new KtError('KT_E_DUMP_UNSUPPORTED', `${this.source}: the kernel's BTF has no type '${spec}'`);
    return id;
  }

  hasType(spec: string): boolean {
    return this.btf.findType(spec) !== undefined;
  }

  object(address: bigint, typeSpec: string | number): KernelObject {
    return new KernelObject(this.btf, this.mem, address, typeof typeSpec === 'number' ? typeSpec : this.type(typeSpec));
  }

  /** A global variable: its address from kallsyms, its type from the declarations table. */
  global(name: string): KernelObject {
    const spec = GLOBAL_DECLARATIONS[name];
    if (spec === undefined) throw new Error(`no declaration for the global '${name}'`);
    const star = spec.endsWith('*');
    const base = this.type(star ? spec.slice(0, -1).trim() : spec);
    const obj = this.object(this.address(name), base);
    return star ? new KernelObject(this.btf, this.mem, obj.address, this.pointerTo(base)) : obj;
  }

  /** `per_cpu(name, cpu)`: a per-CPU variable (typed by its BTF VAR) on one CPU. */
  perCpu(name: string, cpu: number): KernelObject {
    const type = this.perCpuType(name);
    if (type === undefined) throw new KtError('KT_E_DUMP_UNSUPPORTED', `${this.source}: the kernel has no per-CPU variable '${name}'`);
    return this.object(this.address(name) + this.perCpuOffset(cpu), type);
  }

  hasPerCpu(name: string): boolean {
    return this.perCpuType(name) !== undefined && this.hasSymbol(name);
  }

  perCpuOffset(cpu: number): bigint {
    let off = this.cpuOffsets.get(cpu);
    if (off === undefined) {
      off = this.mem.u64(this.address('__per_cpu_offset') + BigInt(cpu * 8));
      this.cpuOffsets.set(cpu, off);
    }
    return off;
  }

  /** The CPUs that were online (`__cpu_online_mask`), at most nr_cpu_ids. */
  onlineCpus(): number[] {
    const n = Math.min(this.global('nr_cpu_ids').number(), 8192);
    const out: number[] = [];
    const mask = this.mem.read(this.address('__cpu_online_mask'), Math.ceil(n / 64) * 8);
    for (let cpu = 0; cpu < n; cpu++) if (((mask[cpu >> 3] as number) >> (cpu & 7)) & 1) out.push(cpu);
    return out;
  }

  /** `container_of(ptr, type, member)`. */
  containerOf(ptr: bigint, typeSpec: string, memberPath: string): KernelObject {
    const type = this.type(typeSpec);
    const at = this.btf.memberAt(type, memberPath);
    if (at === undefined) throw new KtError('KT_E_DUMP_UNSUPPORTED', `this kernel's ${typeSpec} has no member '${memberPath}'`);
    return this.object(ptr - BigInt(at.bitOffset / 8), type);
  }

  /**
   * The entries of a circular `list_head` list (`list_for_each_entry`). Stops at the head, and
   * at a loop or an unreadable link, which it records in `unknowns`: a corrupt list yields the
   * entries before the damage.
   */
  *listEntries(head: KernelObject, typeSpec: string, memberPath: string): Generator<KernelObject> {
    const seen = new Set<bigint>();
    let next = head.member('next').value();
    while (next !== head.address) {
      if (seen.has(next) || seen.size >= LIST_MAX) {
        this.unknowns.push(`the list at 0x${head.address.toString(16)} loops`);
        return;
      }
      seen.add(next);
      const entry = this.containerOf(next, typeSpec, memberPath);
      yield entry;
      const link = this.mem.tryU64(next);
      if (link === undefined) {
        this.unknowns.push(`the list at 0x${head.address.toString(16)} is cut at 0x${next.toString(16)}`);
        return;
      }
      next = link;
    }
  }

  private pointerTo(type: number): number {
    // BTF has a PTR record for nearly every type; find one rather than invent one.
    for (let id = 1; id <= this.btf.lastId; id++) if (this.btf.kind(id) === KIND.PTR && this.btf.ref(id) === type) return id;
    throw new KtError('KT_E_DUMP_UNSUPPORTED', `the kernel's BTF has no pointer to ${this.btf.typeName(type)}`);
  }

  private perCpuType(name: string): number | undefined {
    if (this.perCpuVars === undefined) {
      this.perCpuVars = new Map();
      for (let id = 1; id <= this.btf.lastId; id++) if (this.btf.kind(id) === KIND.VAR) this.perCpuVars.set(this.btf.name(id), this.btf.ref(id));
    }
    return this.perCpuVars.get(name);
  }

  private readBtf(): Btf {
    const start = this.symbols.vmlinuxAddress('__start_BTF');
    const stop = this.symbols.vmlinuxAddress('__stop_BTF');
    if (start === undefined || stop === undefined || stop <= start) {
      throw new KtError('KT_E_DUMP_UNSUPPORTED', `${this.source}: the kernel has no BTF (no __start_BTF/__stop_BTF: built without CONFIG_DEBUG_INFO_BTF), so its structures cannot be read from this dump`);
    }
    const size = Number(stop - start);
    if (size > BTF_MAX) throw new KtError('KT_E_BAD_DUMP', `${this.source}: the kernel's BTF would be ${size} bytes`);
    return new Btf(this.mem.read(start, size), this.source);
  }
}
