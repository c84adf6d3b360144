import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { inflateRawSync, inflateSync } from 'node:zlib';

/** One pstore file as read (bounded), before reassembly. */
export interface PstoreFile {
  name: string;
  bytes: Buffer;
  /** Where it is (for the evidence), and what identifies it to be handled once. */
  path: string;
  key: string;
}

/** One kernel log dump rebuilt from its parts, in log order. */
export interface PstoreRecord {
  /** `Panic#3`, `Oops#1`, or the file name when there is no header. */
  id: string;
  reason: string;
  text: string;
  /** The files it was rebuilt from. */
  files: string[];
  keys: string[];
  /** Parts missing between the ones found (a multi-part record cut short). */
  missingParts: number;
}

export interface RefusedFile {
  path: string;
  why: string;
}

export const PSTORE_FILE_LIMIT = 4 << 20;
const DECOMPRESSED_LIMIT = 16 << 20;
/** `Panic#1 Part2` / `Oops#3 Part1`: pstore's header of each part of a kmsg dump (kernel fs/pstore/platform.c). */
const PART_HEADER = /^(\w+)#(\d+) Part(\d+)\r?\n/;
const DMESG_FILE = /^dmesg-[\w-]+?(?:\.enc\.z)?$/;

/**
 * The `dmesg-*` files of a pstore directory (/sys/fs/pstore, or a systemd-pstore copy), each a
 * regular file no bigger than `limit`: symlinks, other file types and huge files are refused
 * and listed, never followed or read whole.
 */
export function readPstoreDir(dir: string, limit = PSTORE_FILE_LIMIT): { files: PstoreFile[]; refused: RefusedFile[] } {
  const files: PstoreFile[] = [];
  const refused: RefusedFile[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return { files, refused };
  }
  for (const name of names.sort()) {
    if (!DMESG_FILE.test(name)) continue;
    const path = join(dir, name);
    const file = readBoundedFile(path, limit);
    if ('why' in file) refused.push({ path, why: file.why });
    else files.push({ name, bytes: file.bytes, path, key: `pstore:${path}:${file.size}:${file.mtimeMs}` });
  }
  return { files, refused };
}

/** A regular file (never through a symlink) up to `limit` bytes. */
export function readBoundedFile(path: string, limit: number): { bytes: Buffer; size: number; mtimeMs: number; ino: number } | { why: string } {
  const st = lstatOrUndefined(path);
  if (!st) return { why: 'vanished' };
  if (st.isSymbolicLink()) return { why: 'a symlink (refused)' };
  if (!st.isFile()) return { why: 'not a regular file (refused)' };
  if (st.size > limit) return { why: `${st.size} bytes, over the ${limit}-byte limit (refused)` };
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    return { why: (e as NodeJS.ErrnoException).code ?? 'unreadable' };
  }
  try {
    const real = fstatSync(fd);
    if (!real.isFile() || real.ino !== st.ino) return { why: 'changed while opened (refused)' };
    // pstore files report size 0 on some backends: read up to the limit, whatever stat says.
    const buf = Buffer.allocUnsafe(Math.min(limit, Math.max(real.size, 64 * 1024)) + 1);
    let n = 0;
    for (;;) {
      if (n === buf.length) return { why: `over the ${limit}-byte limit (refused)` };
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
    }
    if (n > limit) return { why: `over the ${limit}-byte limit (refused)` };
    return { bytes: buf.subarray(0, n), size: real.size, mtimeMs: real.mtimeMs, ino: real.ino };
  } finally {
    closeSync(fd);
  }
}

/**
 * Rebuilds the kernel log dumps from pstore files: `.enc.z` files (the kernel could not
 * decompress them) inflated; parts of one dump (`Panic#1 Part1`, `Part2`, … where Part1 holds
 * the end of the log) joined oldest first. Pure: bytes in, records out, for the fuzzer.
 */
export function assemblePstore(files: readonly PstoreFile[]): { records: PstoreRecord[]; undecodable: string[] } {
  const groups = new Map<string, { reason: string; parts: Map<number, { text: string; file: PstoreFile }> }>();
  const records: PstoreRecord[] = [];
  const undecodable: string[] = [];
  for (const file of files) {
    const bytes = file.name.endsWith('.enc.z') ? inflateAny(file.bytes) : file.bytes;
    if (!bytes) {
      undecodable.push(file.path);
      continue;
    }
    const text = bytes.toString('utf8');
    const head = PART_HEADER.exec(text);
    if (!head) {
      records.push({ id: file.name, reason: 'unknown', text, files: [file.path], keys: [file.key], missingParts: 0 });
      continue;
    }
    const id = `${head[1]}#${head[2]}`;
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { reason: head[1] as string, parts: new Map() }));
    g.parts.set(Number(head[3]), { text: text.slice(head[0].length), file });
  }
  for (const [id, g] of groups) {
    const numbers = [...g.parts.keys()].sort((a, b) => b - a);
    const highest = numbers[0] ?? 0;
    const parts = numbers.map((n) => g.parts.get(n) as { text: string; file: PstoreFile });
    records.push({
      id,
      reason: g.reason,
      text: parts.map((p) => (p.text.endsWith('\n') ? p.text : `${p.text}\n`)).join(''),
      files: parts.map((p) => p.file.path),
      keys: parts.map((p) => p.file.key),
      missingParts: highest - numbers.length,
    });
  }
  return { records, undecodable };
}

/** zlib, then raw deflate (what the kernel's pstore compression writes), bounded. */
function inflateAny(bytes: Buffer): Buffer | undefined {
  for (const inflate of [inflateSync, inflateRawSync]) {
    try {
      return inflate(bytes, { maxOutputLength: DECOMPRESSED_LIMIT });
    } catch {
      // Try the next.
    }
  }
  return undefined;
}

function lstatOrUndefined(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/** systemd-pstore's archive: one directory per boot or record, each holding the files it moved. */
export function systemdPstoreDirs(root: string): string[] {
  const dirs: string[] = [];
  const walk = (dir: string, depth: number): void => {
    dirs.push(dir);
    if (depth === 0) return;
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names.sort()) {
      const p = join(dir, name);
      const st = lstatOrUndefined(p);
      if (st?.isDirectory()) walk(p, depth - 1);
    }
  };
  if (lstatOrUndefined(root)?.isDirectory()) walk(root, 2);
  return dirs;
}
