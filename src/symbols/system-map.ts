import { KtError } from '../errors.js';
import { readBoundedFile } from '../read-bounded.js';

/** A kernel's System.map is ~6 MB, /proc/kallsyms with modules ~20 MB. */
const MAX_SYSTEM_MAP_BYTES = 64 << 20;

/** One line of System.map or /proc/kallsyms: `ffffffff81000000 T _stext [module]`. */
const LINE = /^([0-9a-fA-F]{8,16})\s+([a-zA-Z])\s+(\S+)(?:\s+\[(\S+)\])?\s*$/;

/**
 * Function names from `System.map` or a copy of `/proc/kallsyms`, for kernels without debug
 * info: `func+off/size` answers from it carry no file:line, only the check that `func` exists
 * and where it is (which also gives the KASLR slide of a kallsyms copy).
 */
export class SystemMap {
  private readonly addresses: bigint[] = [];
  private readonly names: string[] = [];
  private readonly byName = new Map<string, number>();

  constructor(readonly path: string, text: string) {
    const rows: { address: bigint; name: string }[] = [];
    for (const line of text.split('\n')) {
      const m = LINE.exec(line);
      if (!m || m[4] !== undefined) continue; // module symbols move with each load
      if (!'tTwW'.includes(m[2] as string)) continue;
      rows.push({ address: BigInt(`0x${m[1]}`), name: m[3] as string });
    }
    if (rows.length === 0) throw new KtError('KT_E_BAD_FORMAT', `${path}: no text symbols (expected 'ADDRESS T NAME' lines of System.map or /proc/kallsyms)`);
    rows.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
    rows.forEach((r, i) => {
      this.addresses.push(r.address);
      this.names.push(r.name);
      if (!this.byName.has(r.name)) this.byName.set(r.name, i);
    });
  }

  static read(path: string): SystemMap {
    try {
      return new SystemMap(path, readBoundedFile(path, { limit: MAX_SYSTEM_MAP_BYTES, what: 'System.map' }).toString('utf8'));
    } catch (e) {
      if (e instanceof KtError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      throw new KtError(code === 'ENOENT' ? 'KT_E_NO_SUCH_FILE' : 'KT_E_UNREADABLE', `${path}: ${(e as Error).message}`);
    }
  }

  /** A symbol's address and its kallsyms size (distance to the next symbol). */
  symbol(name: string): { address: bigint; size?: number } | undefined {
    const i = this.byName.get(name);
    if (i === undefined) return undefined;
    const next = this.addresses[i + 1];
    const address = this.addresses[i] as bigint;
    return next !== undefined ? { address, size: Number(next - address) } : { address };
  }

  /** The symbol holding an address: `name` and offset. */
  at(address: bigint): { name: string; offset: number } | undefined {
    let lo = 0;
    let hi = this.addresses.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.addresses[mid] as bigint) <= address) lo = mid + 1;
      else hi = mid;
    }
    if (lo === 0) return undefined;
    return { name: this.names[lo - 1] as string, offset: Number(address - (this.addresses[lo - 1] as bigint)) };
  }
}
