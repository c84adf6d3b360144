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
 * Every symbol of the dumped kernel, sorted by address for `at` and indexed by name for
 * `address`. vmlinux comes from kallsyms (or a vmlinux/System.map), modules from their own
 * in-memory symbol tables.
 */
export class KernelSymbols {
  private readonly sorted: KernelSymbol[];
  private byName: Map<string, KernelSymbol> | undefined;

  constructor(symbols: KernelSymbol[]) {
    // Absolute per-CPU symbols (small offsets) and other non-code addresses sort first and never match code.
    const kept = symbols.filter((s) => s.address !== 0n);
    let ordered = true;
    for (let i = 1; i < kept.length && ordered; i++) if ((kept[i] as KernelSymbol).address < (kept[i - 1] as KernelSymbol).address) ordered = false;
    this.sorted = ordered ? kept : kept.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  }

  all(): readonly KernelSymbol[] {
    return this.sorted;
  }

  get count(): number {
    return this.sorted.length;
  }

  address(name: string): bigint | undefined {
    return this.lookup(name)?.address;
  }

  lookup(name: string): KernelSymbol | undefined {
    if (this.byName === undefined) {
      this.byName = new Map();
      // The first of equal names wins, and vmlinux comes before modules: `modules` is the list head, not a module's symbol.
      const map = this.byName;
      let modules = false;
      for (const s of this.sorted) {
        if (s.module !== undefined) modules = true;
        else if (!map.has(s.name)) map.set(s.name, s);
      }
      if (modules) for (const s of this.sorted) if (!map.has(s.name)) map.set(s.name, s);
    }
    return this.byName.get(name);
  }

  /** The symbol an address falls in, or undefined when it is past the last one's reach. */
  at(address: bigint): SymbolHit | undefined {
    let lo = 0;
    let hi = this.sorted.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((this.sorted[mid] as KernelSymbol).address <= address) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0) return undefined;
    const symbol = this.sorted[found] as KernelSymbol;
    const next = this.sorted[found + 1];
    const offset = address - symbol.address;
    if (next === undefined ? offset >= LAST_SYMBOL_SPAN : next.module !== symbol.module && offset >= LAST_SYMBOL_SPAN) return undefined;
    return { symbol, offset };
  }

  /** `name+0xoff [module]`, or the bare hex address when no symbol covers it. */
  describe(address: bigint): string {
    const hit = this.at(address);
    if (!hit) return `0x${address.toString(16)}`;
    return `${hit.symbol.name}+0x${hit.offset.toString(16)}${hit.symbol.module ? ` [${hit.symbol.module}]` : ''}`;
  }
}
