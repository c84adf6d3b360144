import { KtError } from '../../errors.js';
import { KIND } from '../btf.js';
import type { KernelObject } from '../kernel-object.js';
import type { KernelView } from '../kernel-view.js';

/** A member and its value, as `struct TYPE ADDRESS` prints it. */
export interface StructField {
  name: string;
  type: string;
  offset: number;
  /** A number, an address (`0x…`), a string, or the fields of a nested struct/union/array. */
  value: string | StructField[];
}

export interface StructDump {
  type: string;
  address: bigint;
  size: number;
  fields: StructField[];
}

const DEPTH_MAX = 4;
const ARRAY_SHOWN = 16;

/** `struct TYPE ADDRESS` (crash's `struct`, drgn's Object printing), typed by the dump's BTF. */
export function structCommand(view: KernelView, typeName: string, address: bigint): StructDump {
  const spec = /^(struct|union)\s/.test(typeName) || view.btf.findType(typeName) !== undefined ? typeName : `struct ${typeName}`;
  const type = view.btf.findType(spec);
  if (type === undefined) throw new KtError('KT_E_USAGE', `${view.source}: the kernel's BTF has no type '${typeName}'`);
  const obj = view.object(address, type);
  return { type: view.btf.typeName(type), address, size: obj.size, fields: fieldsOf(view, obj, 0) };
}

function fieldsOf(view: KernelView, obj: KernelObject, depth: number): StructField[] {
  const id = view.btf.resolve(obj.type);
  const kind = view.btf.kind(id);
  if (kind === KIND.ARRAY) {
    const { nelems } = view.btf.array(id);
    const out: StructField[] = [];
    for (let i = 0; i < Math.min(nelems, ARRAY_SHOWN); i++) {
      const el = obj.index(i);
      out.push({ name: `[${i}]`, type: el.typeName, offset: Number(el.address - obj.address), value: valueOf(view, el, depth + 1) });
    }
    return out;
  }
  return view.btf.members(id).map((m) => {
    const at = m.name ? obj.member(m.name) : obj.at(Math.floor(m.bitOffset / 8), m.type);
    return { name: m.name || '(anonymous)', type: view.btf.typeName(m.type), offset: Math.floor(m.bitOffset / 8), value: valueOf(view, at, depth + 1) };
  });
}

function valueOf(view: KernelView, obj: KernelObject, depth: number): string | StructField[] {
  const id = view.btf.resolve(obj.type);
  const kind = view.btf.kind(id);
  try {
    if (kind === KIND.STRUCT || kind === KIND.UNION) return depth > DEPTH_MAX ? '{...}' : fieldsOf(view, obj, depth);
    if (kind === KIND.ARRAY) {
      const el = view.btf.resolve(view.btf.array(id).type);
      if (view.btf.kind(el) === KIND.INT && view.btf.size(el) === 1) return JSON.stringify(obj.string(256));
      return depth > DEPTH_MAX ? '{...}' : fieldsOf(view, obj, depth);
    }
    if (kind === KIND.PTR) return `0x${obj.value().toString(16)}`;
    if (kind === KIND.ENUM || kind === KIND.ENUM64) {
      const v = obj.value();
      return view.btf.enumerators(id).find((e) => e.value === v)?.name ?? String(v);
    }
    if (kind === KIND.INT) return String(obj.value());
    return '?';
  } catch {
    return '(unreadable)';
  }
}
