import { KtError } from '../errors.js';

/**
 * A cursor over little- or big-endian bytes, for ELF and DWARF. Every read is bounds-checked
 * against `end` and throws KT_E_BAD_DWARF naming `what` and the offset, so a truncated or
 * hostile file gives one clear error instead of garbage or a crash.
 */
export class ByteReader {
  pos: number;
  /** Never past the buffer: a caller's `end` from a header may promise bytes a short read did not give. */
  readonly end: number;
  constructor(
    readonly buf: Buffer,
    pos = 0,
    end = buf.length,
    readonly littleEndian = true,
    readonly what = 'debug data',
    /** Added to positions in error messages (the section offset of buf[0]). */
    readonly base = 0,
  ) {
    this.pos = pos;
    this.end = Math.min(end, buf.length);
  }

  get atEnd(): boolean {
    return this.pos >= this.end;
  }

  private need(n: number): void {
    if (this.pos + n > this.end || this.pos < 0) {
      throw new KtError('KT_E_BAD_DWARF', `${this.what}: truncated at offset 0x${(this.base + this.pos).toString(16)} (needed ${n} more bytes)`);
    }
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++] as number;
  }

  u16(): number {
    this.need(2);
    const v = this.littleEndian ? this.buf.readUInt16LE(this.pos) : this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.littleEndian ? this.buf.readUInt32LE(this.pos) : this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  u64(): bigint {
    this.need(8);
    const v = this.littleEndian ? this.buf.readBigUInt64LE(this.pos) : this.buf.readBigUInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  /** An unsigned value of `size` bytes (1, 2, 4 or 8) as a bigint. */
  uBig(size: number): bigint {
    switch (size) {
      case 1: return BigInt(this.u8());
      case 2: return BigInt(this.u16());
      case 4: return BigInt(this.u32());
      case 8: return this.u64();
      default:
        throw new KtError('KT_E_BAD_DWARF', `${this.what}: unsupported value size ${size} at offset 0x${(this.base + this.pos).toString(16)}`);
    }
  }

  /** An unsigned value of 1, 2, 4 or 8 bytes as a number (offsets: anything above 2^53 is corrupt anyway). */
  uNum(size: number): number {
    if (size === 4) return this.u32();
    if (size === 8) {
      const v = this.u64();
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new KtError('KT_E_BAD_DWARF', `${this.what}: offset 0x${v.toString(16)} out of range at 0x${(this.base + this.pos - 8).toString(16)}`);
      return Number(v);
    }
    if (size === 2) return this.u16();
    if (size === 1) return this.u8();
    return Number(this.uBig(size));
  }

  uleb(): number {
    let result = 0;
    let mul = 1;
    for (;;) {
      const b = this.u8();
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
      mul *= 128;
      if (mul > 2 ** 63) {
        // Keep consuming the bytes of an absurd value, but never loop forever.
        while (this.u8() & 0x80) { /* skip */ }
        return Number.MAX_SAFE_INTEGER;
      }
    }
  }

  ulebBig(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.u8();
      if (shift < 64n) result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if ((b & 0x80) === 0) return result & 0xffffffffffffffffn;
    }
  }

  sleb(): number {
    let result = 0;
    let mul = 1;
    let b: number;
    do {
      b = this.u8();
      if (mul < 2 ** 56) result += (b & 0x7f) * mul;
      mul *= 128;
    } while (b & 0x80);
    if (b & 0x40 && mul <= 2 ** 56) result -= mul;
    return result;
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  /** A NUL-terminated string. */
  cstr(): string {
    const start = this.pos;
    const nul = this.buf.indexOf(0, start);
    if (nul < 0 || nul >= this.end) throw new KtError('KT_E_BAD_DWARF', `${this.what}: unterminated string at offset 0x${(this.base + start).toString(16)}`);
    this.pos = nul + 1;
    return this.buf.toString('utf8', start, nul);
  }
}

/** The NUL-terminated string at `offset` of a string section. */
export function stringAt(buf: Buffer, offset: number, what: string): string {
  if (offset < 0 || offset >= buf.length) throw new KtError('KT_E_BAD_DWARF', `${what}: string offset 0x${offset.toString(16)} outside the section (size 0x${buf.length.toString(16)})`);
  const nul = buf.indexOf(0, offset);
  return buf.toString('utf8', offset, nul < 0 ? buf.length : nul);
}
