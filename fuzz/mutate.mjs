// Mutations of real inputs, the way disks, serial lines, copies and attackers damage them.
// Deterministic: every choice comes from the seeded generator, so a case is (seed, index).
import { gzipSync } from 'node:zlib';

/** mulberry32: small, fast, and the same sequence on every machine. */
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (arr) => arr[Math.floor(next() * arr.length)],
    chance: (p) => next() < p,
  };
}

/** Text that means something to one parser or another: spliced in at random places. */
const TOKENS = [
  '[    1.000000] ', '[ 9999999999.999999] ', '[   12.345678][ T1234] ', '<4>', '<999>', '<6>[    0.000000] ',
  'BUG: ', 'BUG: KASAN: use-after-free in ', 'WARNING: CPU: 0 PID: 1 at ', 'general protection fault', 'Kernel panic - not syncing: ',
  'Call Trace:\n', ' <TASK>\n', ' </TASK>\n', 'RIP: 0010:', 'Code: ', '<48> 8b 07', 'Backtrace:\n', '[<c0101234>] (foo) from [<c0105678>] (bar+0x10/0x20)\n',
  ' ? foo+0x1/0x2\n', 'func+0xffffffffffffffff/0x1', '+0x', '/0x', '---[ end trace 0000000000000000 ]---\n',
  'Nov 23 00:10:45 host kernel: ', '2026-11-23T00:10:45.123456+00:00 host kernel: ', '-- Boot 0123456789abcdef0123456789abcdef --\n', '-- Reboot --\n',
  '6,1234,5678901,-;', '6,1,99999999999999999999,-,caller=T1;', ' SUBSYSTEM=pci\n', '\\x0a', '\\xff',
  '{"MESSAGE":"x","__REALTIME_TIMESTAMP":"', '"_SOURCE_MONOTONIC_TIMESTAMP":"1e300"', '}\n', '__CURSOR=s=0\n', 'MESSAGE=', '\n\n',
  'Modules linked in: ', 'Tainted: G    B D W  O      ', 'Hardware name: ', 'CPU: 0 PID: 1 Comm: swapper/0 ',
  '\x1b[31m', '\r', '\0', '\xff\xfe', '\u2028', 'é', '\t',
  '- id: x\n  title: y\n  note: z\n  match:\n    kind: oops\n', '&a [*a, *a, *a]', '!!binary', '{{{{{{{{', '[[[[[[[[', 'a: &x\n  b: *x\n',
  'ffffffff81000000 T _stext\n', 'ffffffffffffffff t zz\n', '0000000000000000 W\n',
  'KDUMP   ', 'makedumpfile\0', '\x7fELF', 'VMCOREINFO', 'OSRELEASE=', 'SYMBOL(prb)=', 'SIZE(printk_ringbuffer)=', 'NUMBER(',
];

/** Integers worth writing over a length, count or offset. */
const INFLATED = [0xffffffff, 0x7fffffff, 0x80000000, 0x10000, 0xfffffff0, 1, 0, 0x40000000, 0xffff, 0x100];

function insert(buf, at, piece) {
  return Buffer.concat([buf.subarray(0, at), piece, buf.subarray(at)]);
}

/** Start of a line near `at`, so that tokens land where a parser looks. */
function lineStartNear(buf, at) {
  const nl = buf.lastIndexOf(10, at);
  return nl < 0 ? 0 : nl + 1;
}

const MUTATORS = {
  bitFlip(b, r) {
    const out = Buffer.from(b);
    for (let k = 1 + r.int(8); k > 0 && out.length; k--) out[r.int(out.length)] ^= 1 << r.int(8);
    return out;
  },
  byteSet(b, r) {
    const out = Buffer.from(b);
    for (let k = 1 + r.int(4); k > 0 && out.length; k--) out[r.int(out.length)] = r.pick([0, 0xff, 0x7f, 0x80, 10, 13, 0x1b, 32, 0x5b, 0x3c, r.int(256)]);
    return out;
  },
  truncate(b, r) {
    return b.subarray(0, r.int(b.length + 1));
  },
  cutHead(b, r) {
    return b.subarray(r.int(b.length + 1));
  },
  deleteRange(b, r) {
    const at = r.int(b.length + 1);
    return Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + r.int(4096)))]);
  },
  splice(b, r, other) {
    const o = other ?? b;
    const at = r.int(b.length + 1);
    const from = r.int(o.length + 1);
    return Buffer.concat([b.subarray(0, at), o.subarray(from, from + 1 + r.int(16384))]);
  },
  repeat(b, r) {
    if (b.length === 0) return b;
    const from = r.int(b.length);
    const piece = b.subarray(from, from + 1 + r.int(Math.min(4096, b.length - from)));
    const times = 1 + r.int(r.chance(0.1) ? 2000 : 50);
    return insert(b, r.int(b.length + 1), Buffer.concat(Array.from({ length: times }, () => piece)));
  },
  token(b, r) {
    const t = Buffer.from(r.pick(TOKENS), 'latin1');
    const at = r.chance(0.7) ? lineStartNear(b, r.int(b.length + 1)) : r.int(b.length + 1);
    return insert(b, at, r.chance(0.1) ? Buffer.concat(Array.from({ length: 1 + r.int(500) }, () => t)) : t);
  },
  inflateInteger(b, r) {
    if (b.length < 8) return MUTATORS.byteSet(b, r);
    const out = Buffer.from(b);
    const at = r.int(b.length - 8) & ~3;
    const v = r.pick(INFLATED);
    if (r.chance(0.5)) out.writeUInt32LE(v >>> 0, at);
    else out.writeUInt32BE(v >>> 0, at);
    if (r.chance(0.3)) out.writeUInt32LE(r.pick(INFLATED) >>> 0, at + 4);
    return out;
  },
  hugeLine(b, r) {
    const ch = r.pick(['A', ' ', '[', '0', '\t', '(', '+0x', ', ', 'a.', '\\x']);
    const n = r.pick([1 << 10, 1 << 14, 1 << 16, 1 << 18]) + r.int(1000);
    return insert(b, lineStartNear(b, r.int(b.length + 1)), Buffer.from(ch.repeat(Math.ceil(n / ch.length)) + '\n', 'latin1'));
  },
  emptyLines(b, r) {
    const eol = r.pick(['\n', '\r', '\r\n', '\n\r']);
    return insert(b, lineStartNear(b, r.int(b.length + 1)), Buffer.from(eol.repeat(1 + r.int(1 << 16))));
  },
  gzipWhole(b) {
    return gzipSync(b, { level: 1 });
  },
};

export const MUTATOR_NAMES = Object.keys(MUTATORS);

/** 1-4 stacked mutations of `input` (another seed may be spliced in). */
export function mutate(input, r, other, names = MUTATOR_NAMES) {
  let b = input;
  const applied = [];
  for (let k = 1 + (r.chance(0.3) ? r.int(4) : 0); k > 0; k--) {
    const name = r.pick(names);
    b = MUTATORS[name](b, r, other);
    applied.push(name);
  }
  return { bytes: b, applied };
}

/**
 * Compression bombs, built here rather than stored: gzip of zeros and of one repeated line
 * (ratio ~1000:1), and a zstd frame of RLE blocks (4 bytes each for 128 KiB of output).
 */
export function gzipBomb(r) {
  const line = Buffer.from(r.pick(['\0', '\n', 'A', '[    1.000000] x\n']));
  return gzipSync(Buffer.alloc((8 + r.int(56)) << 20, line), { level: 9 });
}

export function zstdRleBomb(r) {
  const windowLog = 10 + r.int(8); // 1 KiB..128 KiB window
  const header = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, (windowLog - 10) << 3]);
  const blocks = 64 + r.int(448); // at most 64 MiB out: a bomb, not a benchmark of output speed
  const blockSize = Math.min(1 << 17, 1 << windowLog);
  const body = Buffer.alloc(blocks * 4);
  for (let i = 0; i < blocks; i++) {
    const last = i === blocks - 1 ? 1 : 0;
    const bits = last | (1 << 1) | (blockSize << 3);
    body.writeUIntLE(bits, i * 4, 3);
    body[i * 4 + 3] = r.pick([0x41, 0x0a, 0x00, 0x20]);
  }
  return Buffer.concat([header, body]);
}
