import type { MemoryAccess } from '../crash-report.js';
import { hexToBigInt, stripHexPrefix, toInt } from './hex.js';

/** `comm/pid` as KASAN prints the task (`syz-executor.3/18348`, `kworker/0:1/25`): the pid is after the last `/`. */
function splitTask(text: string): { task: string; pid?: number } {
  const at = text.lastIndexOf('/');
  const pid = at > 0 ? toInt(text.slice(at + 1)) : undefined;
  return pid === undefined ? { task: text } : { task: text.slice(0, at), pid };
}

function header(lines: readonly string[], tool: string): { bugType: string; at: number; access?: MemoryAccess['access'] } | undefined {
  const re = new RegExp(`^BUG: ${tool}: ([a-z][a-z -]{1,40}?)(?: (read|write))? in `);
  for (let i = 0; i < lines.length; i++) {
    const t = (lines[i] ?? '').trim();
    const at = t.indexOf(`BUG: ${tool}: `);
    if (at < 0) continue;
    const m = re.exec(t.slice(at)) ?? new RegExp(`^BUG: ${tool}: ([a-z][a-z-]{1,40})`).exec(t.slice(at));
    if (!m) continue;
    const out: { bugType: string; at: number; access?: MemoryAccess['access'] } = { bugType: (m[1] ?? '').trim(), at: i };
    if (m[2] === 'read' || m[2] === 'write') out.access = m[2];
    return out;
  }
  return undefined;
}

/** The report's lines after its header, with KASAN's two-line sentences joined (`…object at X` + ` which belongs to …`). */
function body(lines: readonly string[], from: number): string[] {
  const out: string[] = [];
  for (let i = from; i < lines.length && i < from + 400; i++) {
    const t = (lines[i] ?? '').trim();
    const prev = out.length - 1;
    if (prev >= 0 && (/^which belongs to the cache /.test(t) || /^(?:freed |allocated )?\d{1,12}-byte region \[/.test(t))) {
      out[prev] = `${out[prev] ?? ''} ${t}`;
    } else {
      out.push(t);
    }
  }
  return out;
}

/** 4.x prints the address in the header (`… in foo+0x1/0x2 at addr ffff…`), not here. */
const ACCESS = /^(Read|Write) (?:of size (\d{1,12})(?: at addr ([0-9a-f]{1,16}))?|at addr ([0-9a-f]{1,16})) by task (.{1,80})$/;
const HEADER_ADDRESS = / at addr ([0-9a-f]{6,16})\b/;
const FREE = /^Free of addr ([0-9a-f]{1,16}) by task (.{1,80})$/;
const OBJECT = /^The buggy address belongs to the object at ([0-9a-f]{1,16}) which belongs to the cache (\S{1,64}) of size (\d{1,12})/;
const LOCATED = /^The buggy address is located (\d{1,12} bytes (?:inside of|to the right of|to the left of))(?: (?:freed|allocated))? ?(?:(\d{1,12})-byte region \[([0-9a-f]{1,16}), ([0-9a-f]{1,16})\))?/;

/**
 * KASAN: `BUG: KASAN: slab-use-after-free in foo+0x…`, `Read of size 8 at addr … by task comm/pid`,
 * the object and cache (`…belongs to the object at … which belongs to the cache kmalloc-64 of size 64`)
 * and where the address lies (`… is located 8 bytes inside of 64-byte region […)`).
 */
export function parseKasanAccess(lines: readonly string[]): MemoryAccess | undefined {
  const h = header(lines, 'KASAN');
  if (!h) return undefined;
  const out: MemoryAccess = { bugType: h.bugType };
  if (/free/.test(h.bugType) && !/use-after-free/.test(h.bugType)) out.access = 'free';
  for (const t of body(lines, h.at + 1)) {
    // arm64 tag-based KASAN prints `Read at addr … by task …` without a size.
    const a = out.access === undefined || out.access === 'unknown' ? ACCESS.exec(t) : null;
    if (a) {
      out.access = a[1] === 'Read' ? 'read' : 'write';
      if (a[2] !== undefined) out.size = Number(a[2]);
      const address = a[3] ?? a[4] ?? HEADER_ADDRESS.exec(lines[h.at] ?? '')?.[1];
      if (address !== undefined) out.address = address;
      Object.assign(out, splitTask(a[5] ?? ''));
      continue;
    }
    const f = out.address === undefined ? FREE.exec(t) : null;
    if (f) {
      out.access = 'free';
      out.address = f[1] ?? '';
      Object.assign(out, splitTask(f[2] ?? ''));
      continue;
    }
    const o = out.cache === undefined ? OBJECT.exec(t) : null;
    if (o) {
      out.objectAddress = o[1] ?? '';
      out.cache = o[2] ?? '';
      out.objectSize = Number(o[3]);
      continue;
    }
    const l = out.relation === undefined ? LOCATED.exec(t) : null;
    if (l) {
      out.relation = l[1] ?? '';
      if (l[2] !== undefined) out.objectSize ??= Number(l[2]);
      if (l[3] !== undefined) out.objectAddress ??= l[3];
    }
  }
  return out;
}

const KFENCE_ACCESS = /^(?:Use-after-free|Out-of-bounds|Invalid|Corrupted memory)(?: (read|write))? at 0x([0-9a-f]{1,16})\b(?:.{0,120}?\((in|\d{1,6}B (?:left|right) of) kfence-#\d{1,6}\))?/;
const KFENCE_OBJECT = /^kfence-#\d{1,6} \[0x([0-9a-f]{1,16})-0x[0-9a-f]{1,16}, size=(\d{1,12}), cache=([^\]\s]{1,64})\]/;

/**
 * KFENCE: `BUG: KFENCE: use-after-free read in foo+0x…`, `Use-after-free read at 0x… (in kfence-#12):`
 * and the object line `kfence-#12 [0x…-0x…, size=32, cache=kmalloc-32] allocated by task 120:`.
 */
export function parseKfence(lines: readonly string[]): MemoryAccess | undefined {
  const h = header(lines, 'KFENCE');
  if (!h) return undefined;
  const out: MemoryAccess = { bugType: h.bugType === 'invalid' ? 'invalid-access' : h.bugType };
  if (h.access) out.access = h.access;
  if (h.bugType === 'invalid free') out.access = 'free';
  for (const t of body(lines, h.at + 1)) {
    const a = out.address === undefined ? KFENCE_ACCESS.exec(t) : null;
    if (a) {
      out.address = a[2] ?? '';
      if (a[1] === 'read' || a[1] === 'write') out.access ??= a[1];
      if (a[3] !== undefined) out.relation = a[3] === 'in' ? 'inside of' : a[3];
      continue;
    }
    const o = out.objectAddress === undefined ? KFENCE_OBJECT.exec(t) : null;
    if (o) {
      out.objectAddress = o[1] ?? '';
      out.objectSize = Number(o[2]);
      out.cache = o[3] ?? '';
    }
  }
  return out;
}

/**
 * KMSAN: `BUG: KMSAN: uninit-value in foo+0x…`, `kernel-infoleak in …`, with
 * `Memory access of size 8 starts at ffff…` and `Bytes 4-7 of 8 are uninitialized` when printed.
 */
export function parseKmsan(lines: readonly string[]): MemoryAccess | undefined {
  const h = header(lines, 'KMSAN');
  if (!h) return undefined;
  // KMSAN reports a use of an uninitialised value (a branch, a copy out), not a read or write.
  const out: MemoryAccess = { bugType: h.bugType };
  for (const t of body(lines, h.at + 1)) {
    const m = out.address === undefined ? /^Memory access of size (\d{1,12}) starts at ([0-9a-f]{1,16})/.exec(t) : null;
    if (m) {
      out.size = Number(m[1]);
      out.address = m[2] ?? '';
      continue;
    }
    const b = out.relation === undefined ? /^(Bytes \d{1,12}-\d{1,12} of \d{1,12}) are uninitialized/.exec(t) : null;
    if (b) out.relation = b[1] ?? '';
  }
  return out;
}

/** `KASAN: null-ptr-deref in range [0x0000000000000000-0x0000000000000007]` under a general protection fault. */
export function parseKasanRange(lines: readonly string[]): { kind: string; start: string; end: string } | undefined {
  for (const line of lines) {
    const m = /^KASAN: ([a-z-]{3,40}) in range \[0x([0-9a-f]{1,16})-0x([0-9a-f]{1,16})\]/.exec(line.trim());
    if (m) return { kind: m[1] ?? '', start: stripHexPrefix(m[2] ?? ''), end: stripHexPrefix(m[3] ?? '') };
  }
  return undefined;
}

const SLUB_BUG = /^BUG (\S{1,64}) \((?:Not tainted|Tainted: [^)]{0,40})\): (.{1,120})$/;
const SLUB_RANGE = /^0x([0-9a-f]{1,16})-0x([0-9a-f]{1,16}) @offset=\d{1,12}\. First byte (0x[0-9a-f]{1,2}) instead of (0x[0-9a-f]{1,2})/;
const SLUB_OBJECT = /^Object 0x([0-9a-f]{1,16}) @offset=\d{1,12}/;

/**
 * SLUB debug (`slub_debug=FZPU`): `BUG kmalloc-1k (Tainted: …): Poison overwritten`,
 * `0xffff…0600-0xffff…0603 @offset=1536. First byte 0xf0 instead of 0x6b`, `Object 0xffff…0400 @offset=1024`.
 */
export function parseSlubDebug(lines: readonly string[]): MemoryAccess | undefined {
  let out: MemoryAccess | undefined;
  for (const line of lines) {
    const t = line.trim();
    if (!out) {
      const b = SLUB_BUG.exec(t);
      if (b) out = { bugType: (b[2] ?? '').trim(), cache: b[1] ?? '', access: 'unknown' };
      continue;
    }
    const r = out.address === undefined ? SLUB_RANGE.exec(t) : null;
    if (r) {
      out.address = r[1] ?? '';
      const first = hexToBigInt(r[1] ?? '');
      const last = hexToBigInt(r[2] ?? '');
      if (first !== undefined && last !== undefined && last >= first) out.size = Number(last - first + 1n);
      if (/poison overwritten/i.test(out.bugType)) out.access = 'write';
      continue;
    }
    const o = out.objectAddress === undefined ? SLUB_OBJECT.exec(t) : null;
    if (o) out.objectAddress = o[1] ?? '';
  }
  if (out?.address !== undefined && out.objectAddress !== undefined) {
    const a = hexToBigInt(out.address);
    const o = hexToBigInt(out.objectAddress);
    if (a !== undefined && o !== undefined && a >= o) out.relation = `${(a - o).toString()} bytes inside of`;
  }
  return out;
}

/** Whichever checker reported: KASAN, KFENCE, KMSAN or SLUB debug. */
export function parseMemoryAccess(lines: readonly string[]): MemoryAccess | undefined {
  return parseKasanAccess(lines) ?? parseKfence(lines) ?? parseKmsan(lines) ?? parseSlubDebug(lines);
}
