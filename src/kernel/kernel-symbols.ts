import { indexOfName, type Kallsyms } from './kallsyms.js';

/** One named address: a kernel or module symbol. */
export interface KernelSymbol {
  name: string;
  address: bigint;
  /** nm type letter (T t D d B b R r A …). */
  type: string;
  /** The module the symbol belongs to; undefined for vmlinux. */
  module?: string;
}

/** Where an address falls: symbol + offset, as `bt` prints it. */
export interface SymbolHit {
  symbol: KernelSymbol;
  offset: bigint;
}

/** A symbol covers at most this much past its start when nothing follows it (drgn does the same). */
const LAST_SYMBOL_SPAN = 0x10000n;

/**
 * Every symbol of the dumped kernel: vmlinux's straight from the decoded kallsyms (searched in
 * place, never turned into 87,000 objects), the modules' from their own symbol tables.
 */
export class KernelSymbols {
  /** vmlinux symbol indexes in address order (kallsyms is sorted but for the per-CPU ones). */
  private readonly order: Uint32Array;
  private readonly sortedAddresses: BigUint64Array;
  private readonly found = new Map<string, bigint | undefined>();
  private moduleSymbols: KernelSymbol[] = [];

  constructor(private readonly k: Kallsyms) {
    const n = k.addresses.length;
    let order = Uint32Array.from({ length: n }, (_, i) => i);
    let sorted = true;
    for (let i = 1; i < n && sorted; i++) if ((k.addresses[i] as bigint) < (k.addresses[i - 1] as bigint)) sorted = false;
    if (!sorted) order = order.sort((a, b) => ((k.addresses[a] as bigint) < (k.addresses[b] as bigint) ? -1 : (k.addresses[a] as bigint) > (k.addresses[b] as bigint) ? 1 : 0));
    this.order = order;
    this.sortedAddresses = BigUint64Array.from(order, (i) => k.addresses[i] as bigint);
  }

  get count(): number {
    return this.order.length + this.moduleSymbols.length;
  }

  addModuleSymbols(symbols: readonly KernelSymbol[]): void {
    this.moduleSymbols = [...this.moduleSymbols, ...symbols].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  }

  /** Address of a vmlinux symbol. */
  vmlinuxAddress(name: string): bigint | undefined {
    if (this.found.has(name)) return this.found.get(name);
    const i = indexOfName(this.k.text, this.k.starts, name);
    const a = i < 0 ? undefined : this.k.addresses[i];
    this.found.set(name, a);
    return a;
  }

  /** Address of a symbol of vmlinux, else of a module. */
  address(name: string): bigint | undefined {
    return this.vmlinuxAddress(name) ?? this.moduleSymbols.find((s) => s.name === name)?.address;
  }

  /** The symbol an address falls in, or undefined when it is past the last one's reach. */
  at(address: bigint): SymbolHit | undefined {
    const v = this.vmlinuxAt(address);
    const m = this.moduleAt(address);
    if (v && m) return v.offset <= m.offset ? v : m;
    return v ?? m;
  }

  /** `name+0xoff [module]`, or the bare hex address when no symbol covers it. */
  describe(address: bigint): string {
    const hit = this.at(address);
    if (!hit) return `0x${address.toString(16)}`;
    return `${hit.symbol.name}+0x${hit.offset.toString(16)}${hit.symbol.module ? ` [${hit.symbol.module}]` : ''}`;
  }

  private vmlinuxAt(address: bigint): SymbolHit | undefined {
    const a = this.sortedAddresses;
    let lo = 0;
    let hi = a.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((a[mid] as bigint) <= address) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0) return undefined;
    const offset = address - (a[found] as bigint);
    if (found === a.length - 1 && offset >= LAST_SYMBOL_SPAN) return undefined;
    const i = this.order[found] as number;
    const name = this.k.text.slice(this.k.starts[i] as number, (this.k.starts[i + 1] as number) - 1);
    return { symbol: { name, address: a[found] as bigint, type: this.k.types[i] as string }, offset };
  }

  private moduleAt(address: bigint): SymbolHit | undefined {
    const s = this.moduleSymbols;
    let lo = 0;
    let hi = s.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((s[mid] as KernelSymbol).address <= address) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0) return undefined;
    const symbol = s[found] as KernelSymbol;
    const offset = address - symbol.address;
    return offset < LAST_SYMBOL_SPAN ? { symbol, offset } : undefined;
  }
}
