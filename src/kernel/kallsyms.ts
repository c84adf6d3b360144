import { KtError } from '../errors.js';
import type { VmcoreInfo } from '../vmcore/vmcoreinfo.js';
import type { KernelReader } from './kernel-reader.js';

/** The most bytes the compressed names may take (87k symbols take 1.1 MB on Debian 6.1). */
const NAMES_MAX = 32 << 20;
const SYMBOLS_MAX = 4_000_000;

/**
 * The kernel's own symbol table as `kallsyms` decodes it. The names are one string, each
 * between newlines (`starts[i]` is where name i begins): one string to search is far cheaper
 * than 87,000 small ones.
 */
export interface Kallsyms {
  text: string;
  starts: Uint32Array;
  /** nm type letter of each symbol. */
  types: string;
  addresses: BigUint64Array;
  /** How kallsyms_offsets were read (the one that puts _stext where VMCOREINFO says). */
  encoding: AddressEncoding;
}

export type AddressEncoding = 'absolute' | 'relative' | 'absolute-percpu' | 'place-relative';

/**
 * Decodes kallsyms from the tables VMCOREINFO locates (Linux >= 6.0): each name is a length
 * (one byte, or two with the high bit set since 6.1) then tokens expanded through
 * token_table/token_index; the first character is the nm type letter.
 */
export function readKallsyms(info: VmcoreInfo, mem: KernelReader, source: string): Kallsyms {
  const need = ['kallsyms_names', 'kallsyms_num_syms', 'kallsyms_token_table', 'kallsyms_token_index'];
  const missing = need.filter((n) => !info.has(`SYMBOL(${n})`));
  if (missing.length > 0) {
    const release = info.get('OSRELEASE') ?? 'unknown';
    throw new KtError(
      'KT_E_DUMP_UNSUPPORTED',
      `${source}: VMCOREINFO has no kallsyms tables (kernel ${release}; Linux exports them from 6.0 on), so the kernel's symbols cannot be read from this dump`,
    );
  }
  const count = mem.u32(info.symbol('kallsyms_num_syms'));
  if (count === 0 || count > SYMBOLS_MAX) throw new KtError('KT_E_BAD_DUMP', `${source}: kallsyms_num_syms is ${count}`);
  const tokens = readTokens(info, mem);
  const namesAt = info.symbol('kallsyms_names');
  const names = mem.read(namesAt, namesLength(info, namesAt));
  const longLengths = prefersLongLengths(info.get('OSRELEASE'));
  let decoded = decodeNames(names, count, tokens, longLengths) ?? decodeNames(names, count, tokens, !longLengths);
  if (decoded === undefined) throw new KtError('KT_E_BAD_DUMP', `${source}: kallsyms_names does not decode into ${count} names`);
  const { text, starts, types } = decoded;
  decoded = undefined;
  const { addresses, encoding } = readAddresses(info, mem, count, text, starts, source);
  return { text, starts, types, addresses, encoding };
}

function readTokens(info: VmcoreInfo, mem: KernelReader): string[] {
  const index = mem.read(info.symbol('kallsyms_token_index'), 512);
  const tableAt = info.symbol('kallsyms_token_table');
  let end = 0;
  for (let i = 0; i < 256; i++) end = Math.max(end, index.readUInt16LE(i * 2));
  const table = mem.read(tableAt, end + 256);
  const out: string[] = [];
  for (let i = 0; i < 256; i++) {
    const at = index.readUInt16LE(i * 2);
    const nul = table.indexOf(0, at);
    out.push(table.toString('latin1', at, nul < 0 ? table.length : nul));
  }
  return out;
}

/** The names end where the next kallsyms table begins (markers, token table…). */
function namesLength(info: VmcoreInfo, namesAt: bigint): number {
  let end = namesAt + BigInt(NAMES_MAX);
  for (const t of ['kallsyms_markers', 'kallsyms_token_table', 'kallsyms_token_index', 'kallsyms_offsets', 'kallsyms_relative_base', 'kallsyms_addresses', 'kallsyms_num_syms']) {
    if (!info.has(`SYMBOL(${t})`)) continue;
    const at = info.symbol(t);
    if (at > namesAt && at < end) end = at;
  }
  return Number(end - namesAt);
}

/** Two-byte lengths arrived in 6.1 and nothing in the dump says so: the release decides. */
function prefersLongLengths(release: string | undefined): boolean {
  const m = /^(\d+)\.(\d+)/.exec(release ?? '');
  if (!m) return true;
  const major = Number(m[1]);
  return major > 6 || (major === 6 && Number(m[2]) >= 1);
}

function decodeNames(names: Buffer, count: number, tokens: string[], longLengths: boolean): { text: string; starts: Uint32Array; types: string } | undefined {
  const tokenBytes = tokens.map((t) => Uint8Array.from(Buffer.from(t, 'latin1')));
  const longestToken = Math.max(1, ...tokenBytes.map((t) => t.length));
  let out = Buffer.alloc(names.length * 2 + count + 1);
  const starts = new Uint32Array(count + 1);
  const types = Buffer.alloc(count);
  let n = 0;
  out[n++] = 0x0a;
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at >= names.length) return undefined;
    let len = names[at++] as number;
    if (longLengths && len & 0x80) {
      if (at >= names.length) return undefined;
      len = (len & 0x7f) | ((names[at++] as number) << 7);
    }
    if (len === 0 || at + len > names.length) return undefined;
    if (n + len * longestToken + 1 > out.length) {
      if (out.length > NAMES_MAX * 4) return undefined;
      const bigger = Buffer.alloc(out.length * 2 + len * longestToken);
      out.copy(bigger, 0, 0, n);
      out = bigger;
    }
    const first = n;
    for (let j = 0; j < len; j++) {
      const tok = tokenBytes[names[at + j] as number] as Uint8Array;
      for (let k = 0; k < tok.length; k++) out[n++] = tok[k] as number;
    }
    at += len;
    // The first character is the type letter: keep it apart, and the name where it was.
    types[i] = n > first ? (out[first] as number) : 0x3f;
    out.copyWithin(first, first + 1, n);
    n = Math.max(first, n - 1);
    starts[i] = first;
    out[n++] = 0x0a;
  }
  starts[count] = n;
  return { text: out.toString('latin1', 0, n), starts, types: types.toString('latin1') };
}

function readAddresses(info: VmcoreInfo, mem: KernelReader, count: number, text: string, starts: Uint32Array, source: string): { addresses: BigUint64Array; encoding: AddressEncoding } {
  const addresses = new BigUint64Array(count);
  if (info.has('SYMBOL(kallsyms_addresses)')) {
    const raw = mem.read(info.symbol('kallsyms_addresses'), count * 8);
    for (let i = 0; i < count; i++) addresses[i] = raw.readBigUInt64LE(i * 8);
    return { addresses, encoding: 'absolute' };
  }
  if (!info.has('SYMBOL(kallsyms_offsets)')) throw new KtError('KT_E_DUMP_UNSUPPORTED', `${source}: VMCOREINFO has neither kallsyms_offsets nor kallsyms_addresses`);
  const offsetsAt = info.symbol('kallsyms_offsets');
  const raw = mem.read(offsetsAt, count * 4);
  const base = info.has('SYMBOL(kallsyms_relative_base)') ? mem.u64(info.symbol('kallsyms_relative_base')) : 0n;
  const decoders: Record<Exclude<AddressEncoding, 'absolute'>, (i: number) => bigint> = {
    'absolute-percpu': (i) => {
      const v = raw.readInt32LE(i * 4);
      return v >= 0 ? BigInt(v) : BigInt.asUintN(64, base - 1n - BigInt(v));
    },
    relative: (i) => BigInt.asUintN(64, base + BigInt(raw.readUInt32LE(i * 4))),
    'place-relative': (i) => BigInt.asUintN(64, offsetsAt + BigInt(i * 4) + BigInt(raw.readInt32LE(i * 4))),
  };
  const stextIndex = indexOfName(text, starts, '_stext');
  const stext = info.has('SYMBOL(_stext)') ? info.symbol('_stext') : undefined;
  let chosen: Exclude<AddressEncoding, 'absolute'> = 'absolute-percpu';
  if (stextIndex >= 0 && stext !== undefined) {
    const match = (Object.keys(decoders) as (keyof typeof decoders)[]).find((k) => decoders[k](stextIndex) === stext);
    if (match === undefined) throw new KtError('KT_E_BAD_DUMP', `${source}: no kallsyms address encoding puts _stext at 0x${stext.toString(16)}`);
    chosen = match;
  }
  const decode = decoders[chosen];
  for (let i = 0; i < count; i++) addresses[i] = decode(i);
  return { addresses, encoding: chosen };
}

/** Index of the symbol named `name`, from where `\nname\n` is in the text. */
export function indexOfName(text: string, starts: Uint32Array, name: string): number {
  const at = text.indexOf(`\n${name}\n`);
  if (at < 0) return -1;
  let lo = 0;
  let hi = starts.length - 2;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = starts[mid] as number;
    if (s === at + 1) return mid;
    if (s < at + 1) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
