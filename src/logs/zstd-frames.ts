/**
 * The frame and block headers of a zstd stream, walked ahead of the decoder without decoding:
 * a decoder allocates the window a frame header declares, so 37 bytes claiming a 2 GB window
 * cost 2 GB. `zstd -d` refuses windows over 128 MiB (windowLog 27) unless told otherwise; so
 * does this. Format: RFC 8878.
 */
export const MAX_ZSTD_WINDOW_BYTES = 128 << 20;

const ZSTD_MAGIC = 0xfd2fb528;
const SKIPPABLE_MAGIC_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;

type Step = 'magic' | 'skippable-size' | 'frame-header' | 'block-header';

export class ZstdFrameWalker {
  private step: Step = 'magic';
  /** Header bytes gathered so far for the current step. */
  private head: number[] = [];
  /** Bytes to pass over (a block's or skippable frame's content, and a frame's checksum). */
  private skip = 0;
  private hasChecksum = false;
  /** Compressed bytes seen. */
  private offset = 0;
  /** Where the frame being read began (its magic number), in compressed bytes. */
  frameStart = 0;
  /** Set once the stream stops looking like zstd: the decoder says what is wrong then. */
  private lost = false;

  /** Reads a chunk's headers; returns why the stream must not be decoded further, or undefined. */
  feed(chunk: Uint8Array): string | undefined {
    let i = 0;
    while (i < chunk.length && !this.lost) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i);
        this.skip -= n;
        i += n;
        continue;
      }
      if (this.step === 'magic' && this.head.length === 0) this.frameStart = this.offset + i;
      this.head.push(chunk[i] as number);
      i++;
      const problem = this.headerByte();
      if (problem !== undefined) {
        this.offset += chunk.length;
        return problem;
      }
    }
    this.offset += chunk.length;
    return undefined;
  }

  /** One more byte in `head`: acts when the current header is complete. */
  private headerByte(): string | undefined {
    const h = this.head;
    switch (this.step) {
      case 'magic': {
        if (h.length < 4) return undefined;
        const magic = (h[0]! | (h[1]! << 8) | (h[2]! << 16) | (h[3]! << 24)) >>> 0;
        this.head = [];
        if (magic === ZSTD_MAGIC) this.step = 'frame-header';
        else if ((magic & SKIPPABLE_MAGIC_MASK) >>> 0 === SKIPPABLE_MAGIC) this.step = 'skippable-size';
        else this.lost = true;
        return undefined;
      }
      case 'skippable-size': {
        if (h.length < 4) return undefined;
        this.skip = (h[0]! | (h[1]! << 8) | (h[2]! << 16) | (h[3]! << 24)) >>> 0;
        this.head = [];
        this.step = 'magic';
        return undefined;
      }
      case 'frame-header': {
        const descriptor = h[0]!;
        const singleSegment = (descriptor >> 5) & 1;
        const contentSizeFlag = descriptor >> 6;
        const dictionaryIdBytes = [0, 1, 2, 4][descriptor & 3]!;
        const contentSizeBytes = contentSizeFlag === 0 ? singleSegment : 1 << contentSizeFlag;
        const length = 1 + (singleSegment ? 0 : 1) + dictionaryIdBytes + contentSizeBytes;
        if (h.length < length) return undefined;
        const window = singleSegment
          ? contentSize(h, length - contentSizeBytes, contentSizeBytes)
          : windowSize(h[1]!);
        this.hasChecksum = ((descriptor >> 2) & 1) === 1;
        this.head = [];
        this.step = 'block-header';
        if (window > MAX_ZSTD_WINDOW_BYTES) {
          return `declares a ${Math.round(window / 2 ** 20)} MiB window, over the ${MAX_ZSTD_WINDOW_BYTES >> 20} MiB zstd decodes by default,`;
        }
        return undefined;
      }
      case 'block-header': {
        if (h.length < 3) return undefined;
        const bits = h[0]! | (h[1]! << 8) | (h[2]! << 16);
        const last = bits & 1;
        const type = (bits >> 1) & 3;
        this.skip = type === 1 ? 1 : bits >>> 3; // an RLE block holds one byte
        this.head = [];
        if (type === 3) this.lost = true; // reserved: the decoder reports it
        if (last) {
          if (this.hasChecksum) this.skip += 4;
          this.step = 'magic';
        }
        return undefined;
      }
    }
  }

}

/** Window_Descriptor: 2^(10 + exponent) plus eighths of that by the mantissa. */
function windowSize(descriptor: number): number {
  const base = 2 ** (10 + (descriptor >> 3));
  return base + (base / 8) * (descriptor & 7);
}

/** Frame_Content_Size, little-endian, in `bytes` bytes (2-byte sizes are offset by 256). */
function contentSize(h: number[], at: number, bytes: number): number {
  let v = 0;
  for (let k = bytes - 1; k >= 0; k--) v = v * 256 + h[at + k]!;
  return bytes === 2 ? v + 256 : v;
}
