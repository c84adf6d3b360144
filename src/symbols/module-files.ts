import fs from 'node:fs';
import path from 'node:path';
import type { ReadableStream } from 'node:stream/web';
import { gunzipSync } from 'node:zlib';
import { KtError } from '../errors.js';
import { ElfFile } from './elf-file.js';
import { zstdDecompress } from './zstd.js';

/** Module file endings we look for, in order of preference. */
const MODULE_SUFFIXES = ['.ko', '.ko.zst', '.ko.gz', '.ko.xz'] as const;

/** Decompressed modules above this size are refused (the largest in-tree .ko with DWARF is ~100 MB). */
const MAX_MODULE_BYTES = 1 << 30;

/** The kernel treats `-` and `_` in module names alike (`snd-hda-intel` is `snd_hda_intel`). */
export function moduleKey(name: string): string {
  return name.replace(/-/g, '_');
}

/**
 * Finds `NAME.ko` (plain or compressed) anywhere under a modules directory such as
 * `/lib/modules/RELEASE` or Debian's `/usr/lib/debug/lib/modules/RELEASE`. The directory is
 * walked once, on first use.
 */
export class ModuleDirectory {
  private index?: Map<string, string>;

  constructor(readonly root: string) {}

  find(name: string): string | undefined {
    if (!this.index) this.index = indexModules(this.root);
    return this.index.get(moduleKey(name));
  }
}

function indexModules(root: string): Map<string, string> {
  const found = new Map<string, string>();
  const rank = (p: string): number => MODULE_SUFFIXES.findIndex((s) => p.endsWith(s));
  const walk = (dir: string, depth: number): void => {
    if (depth > 12) return;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      if (depth === 0) throw new KtError('KT_E_NO_SUCH_FILE', `--modules ${root}: ${(e as Error).message}`);
      return;
    }
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full, depth + 1);
      else if (rank(e.name) >= 0) {
        const suffix = MODULE_SUFFIXES[rank(e.name)] as string;
        const key = moduleKey(e.name.slice(0, -suffix.length));
        const prev = found.get(key);
        if (prev === undefined || rank(full) < rank(prev)) found.set(key, full);
      }
    }
  };
  walk(root, 0);
  return found;
}

/**
 * Decompresses a `.ko.xz` (xz-decompress: WebAssembly, streaming, so asynchronous; run before
 * the synchronous symbolization by FileSymbolSource.prefetchModules).
 */
export async function decompressXz(file: string): Promise<Buffer> {
  const [{ default: xz }, { Readable }] = await Promise.all([import('xz-decompress'), import('node:stream')]);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    const input = Readable.toWeb(fs.createReadStream(file)) as ReadableStream<Uint8Array>;
    for await (const chunk of new xz.XzReadableStream(input)) {
      size += chunk.length;
      if (size > MAX_MODULE_BYTES) throw new KtError('KT_E_BAD_COMPRESSION', `${file}: decompresses to more than ${MAX_MODULE_BYTES} bytes`);
      chunks.push(Buffer.from(chunk));
    }
  } catch (e) {
    if (e instanceof KtError) throw e;
    throw new KtError('KT_E_BAD_COMPRESSION', `${file}: does not decompress: ${(e as Error).message}`);
  }
  return Buffer.concat(chunks);
}

/** Opens a module file, decompressing `.ko.gz` and `.ko.zst` in memory (`.ko.xz`: see decompressXz). */
export function openModuleFile(file: string, xzContents?: Buffer): ElfFile {
  if (file.endsWith('.ko')) return ElfFile.open(file);
  if (file.endsWith('.xz') && xzContents) return ElfFile.fromBuffer(xzContents, file);
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch (e) {
    throw new KtError('KT_E_UNREADABLE', `${file}: ${(e as Error).message}`);
  }
  let plain: Buffer;
  try {
    if (file.endsWith('.gz')) plain = gunzipSync(data, { maxOutputLength: MAX_MODULE_BYTES });
    else if (file.endsWith('.zst')) plain = Buffer.from(zstdDecompress(data));
    else throw new KtError('KT_E_BAD_COMPRESSION', `${file}: an xz-compressed module must be decompressed before symbolizing (FileSymbolSource.prefetchModules)`);
  } catch (e) {
    if (e instanceof KtError) throw e;
    throw new KtError('KT_E_BAD_COMPRESSION', `${file}: does not decompress: ${(e as Error).message}`);
  }
  return ElfFile.fromBuffer(plain, file);
}
