/** The part of xz-decompress (XZ Embedded compiled to WebAssembly) that ktriage uses. */
declare module 'xz-decompress' {
  import type { ReadableStream } from 'node:stream/web';
  class XzReadableStream extends ReadableStream<Uint8Array> {
    constructor(compressedStream: ReadableStream<Uint8Array>);
  }
  const xz: { XzReadableStream: typeof XzReadableStream };
  export default xz;
}
