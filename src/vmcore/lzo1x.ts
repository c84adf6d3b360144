/**
 * LZO1X decompression (what `makedumpfile -l` writes with liblzo2's lzo1x_1_compress), written
 * from the bitstream description in the kernel's Documentation/staging/lzo.rst. Output is
 * bounded by `out.length`: a stream that wants more, reads past its input or copies from
 * before the output's start throws, so a hostile page cannot grow memory or loop.
 * Returns the number of bytes written.
 */
/** Shorter copies go byte by byte: a subarray or copyWithin call costs more than a few bytes. */
const BULK = 32;

export function lzo1xDecompress(src: Uint8Array, out: Uint8Array): number {
  let ip = 0;
  let op = 0;
  const fail = (why: string): never => {
    throw new LzoError(`LZO stream ${why} (input byte ${ip}, output byte ${op})`);
  };
  const next = (): number => {
    if (ip >= src.length) fail('ends early');
    return src[ip++] as number;
  };
  /** Length with a zero-byte extension: each 0 adds 255, the first non-zero byte ends it. */
  const extended = (base: number): number => {
    let n = base;
    let b = next();
    while (b === 0) {
      n += 255;
      if (n > out.length) fail('asks for more output than a page');
      b = next();
    }
    return n + b;
  };
  const literals = (n: number): void => {
    if (ip + n > src.length) fail('ends inside a literal run');
    if (op + n > out.length) fail('asks for more output than a page');
    if (n < BULK) {
      for (let i = 0; i < n; i++) out[op++] = src[ip++] as number;
      return;
    }
    out.set(src.subarray(ip, ip + n), op);
    ip += n;
    op += n;
  };
  const match = (distance: number, n: number): void => {
    if (distance > op) fail(`copies from ${distance} bytes back, before the start`);
    if (op + n > out.length) fail('asks for more output than a page');
    let from = op - distance;
    if (n >= BULK && distance >= n) {
      out.copyWithin(op, from, from + n);
      op += n;
      return;
    }
    for (let i = 0; i < n; i++) out[op++] = out[from++] as number; // overlapping: a repeating run
  };

  // State: how many literals the previous instruction copied (4 = four or more).
  let state = 0;
  const first = src[0] ?? fail('is empty');
  if (first > 17) {
    ip = 1;
    const n = first - 17;
    literals(n);
    state = n < 4 ? n : 4;
  }
  for (;;) {
    const t = next();
    let trailing: number;
    if (t < 16) {
      if (state === 0) {
        const n = 3 + (t !== 0 ? t : extended(15));
        literals(n);
        state = 4;
        continue;
      }
      const h = next();
      if (state === 4) match((h << 2) + ((t >> 2) & 3) + 2049, 3);
      else match((h << 2) + ((t >> 2) & 3) + 1, 2);
      trailing = t & 3;
    } else if (t < 32) {
      const n = 2 + ((t & 7) !== 0 ? t & 7 : extended(7));
      const le = next() | (next() << 8);
      const distance = 16384 + ((t & 8) << 11) + (le >> 2);
      if (distance === 16384) return op; // end of stream
      match(distance, n);
      trailing = le & 3;
    } else if (t < 64) {
      const n = 2 + ((t & 31) !== 0 ? t & 31 : extended(31));
      const le = next() | (next() << 8);
      match((le >> 2) + 1, n);
      trailing = le & 3;
    } else if (t < 128) {
      const h = next();
      match((h << 3) + ((t >> 2) & 7) + 1, 3 + ((t >> 5) & 1));
      trailing = t & 3;
    } else {
      const h = next();
      match((h << 3) + ((t >> 2) & 7) + 1, 5 + ((t >> 5) & 3));
      trailing = t & 3;
    }
    literals(trailing);
    state = trailing;
  }
}

export class LzoError extends Error {}
