import { KtError } from '../errors.js';
import { KIND, type Btf } from './btf.js';
import type { KernelReader } from './kernel-reader.js';

/**
 * A typed value in kernel memory: an address and a BTF type, read only when asked. `member`,
 * `deref` and `index` give further objects, like drgn's Object.
 */
export class KernelObject {
  constructor(
    readonly btf: Btf,
    readonly mem: KernelReader,
    readonly address: bigint,
    readonly type: number,
    /** Set for a bitfield member. */
    private readonly bits?: { offset: number; size: number },
  ) {}

  get typeName(): string {
    return this.btf.typeName(this.type);
  }

  get size(): number {
    return this.btf.size(this.type);
  }

  has(path: string): boolean {
    return this.btf.memberAt(this.type, path) !== undefined;
  }

  member(path: string): KernelObject {
    const at = this.btf.memberAt(this.type, path);
    if (at === undefined) throw new KtError('KT_E_DUMP_UNSUPPORTED', `this kernel's ${this.typeName} has no member '${path}'`);
    const byte = Math.floor(at.bitOffset / 8);
    const bits = at.bitSize > 0 ? { offset: at.bitOffset - byte * 8, size: at.bitSize } : undefined;
    return new KernelObject(this.btf, this.mem, this.address + BigInt(byte), at.type, bits);
  }

  /** The integer, enum, pointer or bool value (sign-extended when signed). */
  value(): bigint {
    const id = this.btf.resolve(this.type);
    const kind = this.btf.kind(id);
    let size = kind === KIND.PTR ? 8 : this.btf.size(id);
    let signed = kind === KIND.INT ? this.btf.intInfo(id).signed : false;
    if ((kind === KIND.STRUCT || kind === KIND.UNION) && size <= 8) {
      // atomic_t, atomic_long_t, refcount_t…: a struct around one integer.
      const [only] = this.btf.members(id);
      if (only) return this.member(only.name).value();
    }
    if (kind === KIND.ENUM || kind === KIND.ENUM64) signed = false;
    if (![1, 2, 4, 8].includes(size)) throw new KtError('KT_E_DUMP_UNSUPPORTED', `${this.typeName} at 0x${this.address.toString(16)} is not a scalar`);
    if (this.bits) size = Math.ceil((this.bits.offset + this.bits.size) / 8);
    const raw = this.mem.read(this.address, size);
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(raw[i] as number);
    if (this.bits) {
      v = (v >> BigInt(this.bits.offset)) & ((1n << BigInt(this.bits.size)) - 1n);
      return signed ? BigInt.asIntN(this.bits.size, v) : v;
    }
    return signed ? BigInt.asIntN(size * 8, v) : v;
  }

  number(): number {
    return Number(this.value());
  }

  /** The object a pointer points to (typed by the pointee). */
  deref(): KernelObject {
    const id = this.btf.resolve(this.type);
    if (this.btf.kind(id) !== KIND.PTR) throw new KtError('KT_E_DUMP_UNSUPPORTED', `${this.typeName} is not a pointer`);
    return new KernelObject(this.btf, this.mem, this.value(), this.btf.ref(id));
  }

  /** Element `i` of an array or of what a pointer points to; of anything else, the i-th object after it. */
  index(i: number): KernelObject {
    const id = this.btf.resolve(this.type);
    const kind = this.btf.kind(id);
    if (kind === KIND.ARRAY) {
      const { type } = this.btf.array(id);
      return new KernelObject(this.btf, this.mem, this.address + BigInt(i * this.btf.size(type)), type);
    }
    if (kind === KIND.PTR) {
      const type = this.btf.ref(id);
      return new KernelObject(this.btf, this.mem, this.value() + BigInt(i * this.btf.size(type)), type);
    }
    return new KernelObject(this.btf, this.mem, this.address + BigInt(i * this.size), this.type);
  }

  /** A char array's text, or the string a char pointer points to. */
  string(max = 256): string {
    const id = this.btf.resolve(this.type);
    if (this.btf.kind(id) === KIND.ARRAY) {
      const n = Math.min(max, this.btf.array(id).nelems);
      const b = this.mem.read(this.address, n);
      const nul = b.indexOf(0);
      return b.toString('latin1', 0, nul < 0 ? n : nul);
    }
    const p = this.value();
    return p === 0n ? '' : this.mem.cstring(p, max);
  }

  /** The object `offset` bytes into this one, of another type (an anonymous member). */
  at(offset: number, type: number): KernelObject {
    return new KernelObject(this.btf, this.mem, this.address + BigInt(offset), type);
  }

  /** The same memory seen as another type (`(struct foo *)` casts). */
  as(type: number): KernelObject {
    return new KernelObject(this.btf, this.mem, this.address, type);
  }
}
