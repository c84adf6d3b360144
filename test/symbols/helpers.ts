import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ElfFile } from '../../src/symbols/elf-file.js';
import { SymbolFile, type SymbolFileOptions } from '../../src/symbols/symbol-file.js';

export const FIXTURES = path.join(import.meta.dirname, '../fixtures/symbols');

export function fixture(name: string): string {
  return path.join(FIXTURES, name);
}

/** lkdtm.ko from the panic lab, stored gzip-compressed. */
export function lkdtm(options: SymbolFileOptions = {}): SymbolFile {
  return new SymbolFile(ElfFile.fromBuffer(gunzipSync(fs.readFileSync(fixture('lkdtm.ko.gz'))), 'lkdtm.ko'), options);
}

/** `addr2line -a` output split per address: address → the lines printed for it. */
export function readAddr2LineOutput(name: string): Map<bigint, string> {
  const out = new Map<bigint, string>();
  const text = fs.readFileSync(fixture(name), 'utf8').replace(/^#.*\n/, '');
  for (const block of text.split(/^(?=0x[0-9a-f]+$)/m)) {
    const nl = block.indexOf('\n');
    if (nl < 0) continue;
    out.set(BigInt(block.slice(0, nl)), block.slice(nl + 1));
  }
  return out;
}
