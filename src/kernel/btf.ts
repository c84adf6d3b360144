import { KtError } from '../errors.js';

/** BTF kinds (include/uapi/linux/btf.h). */
export const KIND = {
  INT: 1, PTR: 2, ARRAY: 3, STRUCT: 4, UNION: 5, ENUM: 6, FWD: 7, TYPEDEF: 8, VOLATILE: 9, CONST: 10, RESTRICT: 11,
  FUNC: 12, FUNC_PROTO: 13, VAR: 14, DATASEC: 15, FLOAT: 16, DECL_TAG: 17, TYPE_TAG: 18, ENUM64: 19,
} as const;

const MAGIC = 0xeb9f;
const HEADER = 24;
const TYPES_MAX = 2_000_000;
/** How BTF (from DWARF) spells the C base types. */
const C_TYPE_NAMES: Readonly<Record<string, string>> = {
  'unsigned long': 'long unsigned int',
  'unsigned int': 'unsigned int',
  unsigned: 'unsigned int',
  long: 'long int',
  'long long': 'long long int',
  'unsigned long long': 'long long unsigned int',
  'unsigned short': 'short unsigned int',
  short: 'short int',
};
const QUALIFIERS: ReadonlySet<number> = new Set([KIND.TYPEDEF, KIND.VOLATILE, KIND.CONST, KIND.RESTRICT, KIND.TYPE_TAG]);

export interface BtfMember {
  name: string;
  type: number;
  bitOffset: number;
  /** 0 unless a bitfield. */
  bitSize: number;
}

/** Where a member path (`thread.sp`, `numbers[0].nr`) lands inside a type. */
export interface MemberAt {
  type: number;
  bitOffset: number;
  bitSize: number;
}

/**
 * The kernel's BTF type information, read from the blob between __start_BTF and __stop_BTF
 * (or a module's split BTF on top of it). Type ids are implicit (1, 2, … in order); records are
 * decoded on demand from the blob, so parsing is one pass that notes where each record starts.
 */
export class Btf {
  private readonly typeAt: Uint32Array;
  private readonly typeData: Buffer;
  private readonly strings: Buffer;
  private readonly firstId: number;
  private readonly stringBase: number;
  private byName: Map<string, number[]> | undefined;
  private enumValues: Map<string, bigint> | undefined;
  private readonly memberCache = new Map<string, MemberAt | undefined>();
  /** Type ids are 1..lastId across this BTF and its base. */
  readonly lastId: number;

  constructor(data: Buffer, private readonly source: string, readonly base?: Btf) {
    if (data.length < HEADER || data.readUInt16LE(0) !== MAGIC) throw this.bad('no BTF magic (0xeb9f)');
    const hdrLen = data.readUInt32LE(4);
    const typeOff = data.readUInt32LE(8);
    const typeLen = data.readUInt32LE(12);
    const strOff = data.readUInt32LE(16);
    const strLen = data.readUInt32LE(20);
    if (hdrLen < HEADER || hdrLen + typeOff + typeLen > data.length || hdrLen + strOff + strLen > data.length) throw this.bad('sections lie outside the blob');
    this.typeData = data.subarray(hdrLen + typeOff, hdrLen + typeOff + typeLen);
    this.strings = data.subarray(hdrLen + strOff, hdrLen + strOff + strLen);
    this.firstId = base ? base.lastId + 1 : 1;
    this.stringBase = base ? base.stringsLength : 0;
    const starts: number[] = [];
    for (let at = 0; at < this.typeData.length; ) {
      if (starts.length >= TYPES_MAX || at + 12 > this.typeData.length) throw this.bad(`type record ${starts.length + this.firstId} is cut short`);
      starts.push(at);
      at += 12 + this.extraBytes(at);
      if (at > this.typeData.length) throw this.bad(`type record ${starts.length + this.firstId - 1} runs past the type section`);
    }
    this.typeAt = Uint32Array.from(starts);
    this.lastId = this.firstId + starts.length - 1;
  }

  get stringsLength(): number {
    return this.stringBase + this.strings.length;
  }

  kind(id: number): number {
    if (id === 0) return 0;
    const [btf, at] = this.locate(id);
    return (btf.typeData.readUInt32LE(at + 4) >>> 24) & 0x1f;
  }

  name(id: number): string {
    if (id === 0) return 'void';
    const [btf, at] = this.locate(id);
    return btf.string(btf.typeData.readUInt32LE(at));
  }

  /** The size-or-type word: a size for INT, ENUM, STRUCT, UNION, DATASEC, FLOAT; a type id otherwise. */
  ref(id: number): number {
    const [btf, at] = this.locate(id);
    return btf.typeData.readUInt32LE(at + 8);
  }

  /** The type behind typedefs and qualifiers. */
  resolve(id: number): number {
    for (let i = 0; i < 64 && id !== 0 && QUALIFIERS.has(this.kind(id)); i++) id = this.ref(id);
    return id;
  }

  /** Byte size of a type (0 for void and functions). */
  size(id: number): number {
    id = this.resolve(id);
    switch (this.kind(id)) {
      case KIND.INT: case KIND.ENUM: case KIND.ENUM64: case KIND.STRUCT: case KIND.UNION: case KIND.FLOAT: case KIND.DATASEC:
        return this.ref(id);
      case KIND.PTR:
        return 8;
      case KIND.ARRAY: {
        const a = this.array(id);
        return a.nelems * this.size(a.type);
      }
      default:
        return 0;
    }
  }

  /** INT encoding: signed, char or bool, and the width in bits. */
  intInfo(id: number): { signed: boolean; bits: number } {
    const [btf, at] = this.locate(this.resolve(id));
    const enc = btf.typeData.readUInt32LE(at + 12);
    return { signed: ((enc >>> 24) & 1) === 1, bits: enc & 0xff };
  }

  members(id: number): BtfMember[] {
    const [btf, at] = this.locate(id);
    const info = btf.typeData.readUInt32LE(at + 4);
    const kindFlag = info >>> 31 === 1;
    const out: BtfMember[] = [];
    for (let i = 0, p = at + 12; i < (info & 0xffff); i++, p += 12) {
      const raw = btf.typeData.readUInt32LE(p + 8);
      out.push({
        name: btf.string(btf.typeData.readUInt32LE(p)),
        type: btf.typeData.readUInt32LE(p + 4),
        bitOffset: kindFlag ? raw & 0xffffff : raw,
        bitSize: kindFlag ? raw >>> 24 : 0,
      });
    }
    return out;
  }

  array(id: number): { type: number; nelems: number } {
    const [btf, at] = this.locate(id);
    return { type: btf.typeData.readUInt32LE(at + 12), nelems: btf.typeData.readUInt32LE(at + 20) };
  }

  enumerators(id: number): { name: string; value: bigint }[] {
    const [btf, at] = this.locate(id);
    const info = btf.typeData.readUInt32LE(at + 4);
    const signed = info >>> 31 === 1;
    const wide = ((info >>> 24) & 0x1f) === KIND.ENUM64;
    const out: { name: string; value: bigint }[] = [];
    for (let i = 0, p = at + 12; i < (info & 0xffff); i++, p += wide ? 12 : 8) {
      const name = btf.string(btf.typeData.readUInt32LE(p));
      const value = wide
        ? (BigInt(btf.typeData.readUInt32LE(p + 8)) << 32n) | BigInt(btf.typeData.readUInt32LE(p + 4))
        : BigInt(signed ? btf.typeData.readInt32LE(p + 4) : btf.typeData.readUInt32LE(p + 4));
      out.push({ name, value });
    }
    return out;
  }

  /** DATASEC entries: the per-CPU variables and their offsets in `.data..percpu`. */
  datasecVars(id: number): { type: number; offset: number; size: number }[] {
    const [btf, at] = this.locate(id);
    const n = btf.typeData.readUInt32LE(at + 4) & 0xffff;
    const out = [];
    for (let i = 0, p = at + 12; i < n; i++, p += 12) {
      out.push({ type: btf.typeData.readUInt32LE(p), offset: btf.typeData.readUInt32LE(p + 4), size: btf.typeData.readUInt32LE(p + 8) });
    }
    return out;
  }

  /** The type named `name` of one of `kinds` (structs are never FWD records). */
  find(name: string, kinds: readonly number[]): number | undefined {
    for (const id of this.idsNamed(name)) if (kinds.includes(this.kind(id))) return id;
    return this.base?.find(name, kinds);
  }

  /** `struct task_struct`, `union foo`, `enum x`, or a typedef/base type name. */
  findType(spec: string): number | undefined {
    const m = /^(struct|union|enum)\s+(\w+)$/.exec(spec.trim());
    if (m) {
      const kinds = m[1] === 'struct' ? [KIND.STRUCT] : m[1] === 'union' ? [KIND.UNION] : [KIND.ENUM, KIND.ENUM64];
      return this.find(m[2] as string, kinds);
    }
    const name = C_TYPE_NAMES[spec.trim()] ?? spec.trim();
    return this.find(name, [KIND.TYPEDEF, KIND.INT, KIND.STRUCT, KIND.UNION, KIND.ENUM, KIND.ENUM64, KIND.FLOAT]);
  }

  /** The value of an enumerator (NR_FREE_PAGES…), from any enum. */
  enumValue(name: string): bigint | undefined {
    if (this.enumValues === undefined) {
      this.enumValues = new Map();
      for (let id = this.firstId; id <= this.lastId; id++) {
        const k = this.kind(id);
        if (k === KIND.ENUM || k === KIND.ENUM64) for (const e of this.enumerators(id)) if (!this.enumValues.has(e.name)) this.enumValues.set(e.name, e.value);
      }
    }
    return this.enumValues.get(name) ?? this.base?.enumValue(name);
  }

  /**
   * A member path inside a struct or union: names joined by `.`, anonymous members searched
   * through, `[n]` indexes into arrays. Undefined when a name is not there.
   */
  memberAt(id: number, path: string): MemberAt | undefined {
    const key = `${id}:${path}`;
    if (this.memberCache.has(key)) return this.memberCache.get(key);
    const at = this.walkMembers(id, path);
    this.memberCache.set(key, at);
    return at;
  }

  private walkMembers(id: number, path: string): MemberAt | undefined {
    let at: MemberAt = { type: id, bitOffset: 0, bitSize: 0 };
    for (const part of path.split('.')) {
      const m = /^(\w+)((?:\[\d+\])*)$/.exec(part);
      if (!m) return undefined;
      const found = this.findMember(this.resolve(at.type), m[1] as string);
      if (!found) return undefined;
      at = { type: found.type, bitOffset: at.bitOffset + found.bitOffset, bitSize: found.bitSize };
      for (const ix of (m[2] as string).match(/\d+/g) ?? []) {
        const arr = this.resolve(at.type);
        if (this.kind(arr) !== KIND.ARRAY) return undefined;
        const { type } = this.array(arr);
        at = { type, bitOffset: at.bitOffset + Number(ix) * this.size(type) * 8, bitSize: 0 };
      }
    }
    return at;
  }

  /** C spelling of a type, as `struct` and `ptype` print it (`struct list_head *`, `char [16]`). */
  typeName(id: number, depth = 0): string {
    if (id === 0) return 'void';
    if (depth > 16) return '…';
    const k = this.kind(id);
    const name = this.name(id);
    switch (k) {
      case KIND.STRUCT: return `struct ${name || '{...}'}`;
      case KIND.UNION: return `union ${name || '{...}'}`;
      case KIND.ENUM: case KIND.ENUM64: return `enum ${name || '{...}'}`;
      case KIND.FWD: return `${this.kindFlag(id) ? 'union' : 'struct'} ${name}`;
      case KIND.PTR: return `${this.typeName(this.ref(id), depth + 1)} *`;
      case KIND.CONST: return `const ${this.typeName(this.ref(id), depth + 1)}`;
      case KIND.VOLATILE: return `volatile ${this.typeName(this.ref(id), depth + 1)}`;
      case KIND.RESTRICT: case KIND.TYPE_TAG: return this.typeName(this.ref(id), depth + 1);
      case KIND.ARRAY: {
        const a = this.array(id);
        return `${this.typeName(a.type, depth + 1)} [${a.nelems}]`;
      }
      case KIND.FUNC_PROTO: return 'function';
      default: return name || `type#${id}`;
    }
  }

  private kindFlag(id: number): boolean {
    const [btf, at] = this.locate(id);
    return btf.typeData.readUInt32LE(at + 4) >>> 31 === 1;
  }

  private findMember(id: number, name: string, depth = 0): BtfMember | undefined {
    const k = this.kind(id);
    if ((k !== KIND.STRUCT && k !== KIND.UNION) || depth > 8) return undefined;
    for (const m of this.members(id)) {
      if (m.name === name) return m;
      if (m.name === '') {
        const inner = this.findMember(this.resolve(m.type), name, depth + 1);
        if (inner) return { ...inner, bitOffset: inner.bitOffset + m.bitOffset };
      }
    }
    return undefined;
  }

  /** Types are found by their name's offset in the string section (BTF deduplicates strings): no map of every name. */
  private idsNamed(name: string): number[] {
    let ids = this.byName?.get(name);
    if (ids !== undefined) return ids;
    ids = [];
    const needle = Buffer.from(`\0${name}\0`, 'latin1');
    const offsets = new Set<number>();
    for (let at = this.strings.indexOf(needle); at >= 0 && offsets.size < 8; at = this.strings.indexOf(needle, at + 1)) offsets.add(this.stringBase + at + 1);
    if (offsets.size > 0) {
      for (let id = this.firstId; id <= this.lastId; id++) {
        if (offsets.has(this.typeData.readUInt32LE(this.typeAt[id - this.firstId] as number))) ids.push(id);
      }
    }
    (this.byName ??= new Map()).set(name, ids);
    return ids;
  }

  private locate(id: number): [Btf, number] {
    if (id < this.firstId) {
      if (this.base) return this.base.locate(id);
      throw this.bad(`type id ${id} does not exist`);
    }
    const at = this.typeAt[id - this.firstId];
    if (at === undefined) throw this.bad(`type id ${id} does not exist (last is ${this.lastId})`);
    return [this, at];
  }

  private string(off: number): string {
    if (off < this.stringBase) return this.base ? this.base.string(off) : '';
    const at = off - this.stringBase;
    if (at >= this.strings.length) return '';
    const end = this.strings.indexOf(0, at);
    return this.strings.toString('latin1', at, end < 0 ? this.strings.length : end);
  }

  private extraBytes(at: number): number {
    const info = this.typeData.readUInt32LE(at + 4);
    const vlen = info & 0xffff;
    switch ((info >>> 24) & 0x1f) {
      case KIND.INT: case KIND.VAR: case KIND.DECL_TAG: return 4;
      case KIND.ARRAY: return 12;
      case KIND.STRUCT: case KIND.UNION: case KIND.DATASEC: case KIND.ENUM64: return 12 * vlen;
      case KIND.ENUM: case KIND.FUNC_PROTO: return 8 * vlen;
      case KIND.PTR: case KIND.FWD: case KIND.TYPEDEF: case KIND.VOLATILE: case KIND.CONST: case KIND.RESTRICT:
      case KIND.FUNC: case KIND.FLOAT: case KIND.TYPE_TAG:
        return 0;
      default:
        throw this.bad(`unknown type kind ${(info >>> 24) & 0x1f} at byte ${at}`);
    }
  }

  private bad(why: string): KtError {
    return new KtError('KT_E_BAD_DUMP', `${this.source}: BTF: ${why}`);
  }
}
