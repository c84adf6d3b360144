/**
 * Raw Snappy decompression (`makedumpfile -p`), written from the format description in
 * google/snappy's format_description.txt. Bounded by `out.length` like lzo1xDecompress.
 * Returns the number of bytes written.
 */
/** Shorter copies go byte by byte: a subarray or copyWithin call costs more than a few bytes. */
const BULK = 32;

export function snappyDecompress(src: Uint8Array, out: Uint8Array): number {
  let ip = 0;
  let op = 0;
  const fail = (why: string): never => {
    throw new SnappyError(`Snappy stream ${why} (input byte ${ip}, output byte ${op})`);
  };
  const next = (): number => {
    if (ip >= src.length) fail('ends early');
    return src[ip++] as number;
  };
  let expected = 0;
  for (let shift = 0; ; shift += 7) {
    if (shift > 28) fail('has a bad length');
    const b = next();
    expected += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
  }
  if (expected > out.length) fail(`claims ${expected} bytes, more than a page`);
  while (ip < src.length) {
    const tag = next();
    const kind = tag & 3;
    if (kind === 0) {
      let n = tag >> 2;
      if (n >= 60) {
        const bytes = n - 59;
        n = 0;
        for (let i = 0; i < bytes; i++) n += next() * 2 ** (8 * i);
      }
      n += 1;
      if (ip + n > src.length || op + n > expected) fail('has a literal past its end');
      if (n < BULK) {
        for (let i = 0; i < n; i++) out[op++] = src[ip++] as number;
        continue;
      }
      out.set(src.subarray(ip, ip + n), op);
      ip += n;
      op += n;
      continue;
    }
    let n: number;
    let distance: number;
    if (kind === 1) {
      n = 4 + ((tag >> 2) & 7);
      distance = ((tag >> 5) << 8) | next();
    } else if (kind === 2) {
      n = (tag >> 2) + 1;
      distance = next() | (next() << 8);
    } else {
      n = (tag >> 2) + 1;
      distance = (next() | (next() << 8) | (next() << 16)) + next() * 2 ** 24;
    }
    if (distance === 0 || distance > op) fail(`copies from ${distance} bytes back`);
    if (op + n > expected) fail('copies past its end');
    let from = op - distance;
    if (n >= BULK && distance >= n) {
      out.copyWithin(op, from, from + n);
      op += n;
      continue;
    }
    for (let i = 0; i < n; i++) out[op++] = out[from++] as number; // overlapping: a repeating run
  }
  if (op !== expected) fail(`gave ${op} of ${expected} bytes`);
  return op;
}

export class SnappyError extends Error {}
