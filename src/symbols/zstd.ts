import { createRequire } from 'node:module';

let fzstd: typeof import('fzstd') | undefined;

/** fzstd's decompress, loaded on first use: only zstd-compressed sections and modules need it, and loading it cost every symbolize run ~8 ms. */
export function zstdDecompress(data: Uint8Array, out?: Uint8Array): Uint8Array {
  fzstd ??= createRequire(import.meta.url)('fzstd') as typeof import('fzstd');
  return fzstd.decompress(data, out);
}
