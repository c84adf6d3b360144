import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import { KtError } from '../errors.js';
import { ElfFile } from './elf-file.js';

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

/** Opens a module file, decompressing `.ko.gz` and `.ko.zst` in memory. */
export function openModuleFile(file: string): ElfFile {
  if (file.endsWith('.ko')) return ElfFile.open(file);
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
    else throw new KtError('KT_E_BAD_COMPRESSION', `${file}: xz-compressed modules are not supported; decompress it first (unxz -k ${file})`);
  } catch (e) {
    if (e instanceof KtError) throw e;
    throw new KtError('KT_E_BAD_COMPRESSION', `${file}: does not decompress: ${(e as Error).message}`);
  }
  return ElfFile.fromBuffer(plain, file);
}
