import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { dumpFormatOf } from '../vmcore/sniff-dump.js';

export interface FoundDump {
  path: string;
  /** Device, inode, size and mtime: a dump is handled once, even renamed. */
  key: string;
  kind: 'dump' | 'dmesg';
}

/** Kernel logs kdump saves next to the dump: Debian's `dmesg.TIMESTAMP`, RHEL's `vmcore-dmesg.txt`. */
const DMESG_NAME = /^(?:dmesg\.\d+|vmcore-dmesg\.txt)$/;

/**
 * Dumps and their saved kernel logs under the crash directory and its subdirectories (one
 * level: `/var/crash/202401011200/dump.202401011200`, `/var/crash/127.0.0.1-…/vmcore`).
 * Symlinks are never followed (a link out of the directory is a path trick, listed as refused).
 */
export function findCrashFiles(dir: string): { found: FoundDump[]; refused: { path: string; why: string }[] } {
  const found: FoundDump[] = [];
  const refused: { path: string; why: string }[] = [];
  const visit = (d: string, depth: number): void => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const name of names.sort()) {
      const path = join(d, name);
      let st;
      try {
        st = lstatSync(path);
      } catch {
        continue;
      }
      if (st.isSymbolicLink()) {
        refused.push({ path, why: 'a symlink (refused)' });
        continue;
      }
      if (st.isDirectory()) {
        if (depth > 0) visit(path, depth - 1);
        continue;
      }
      if (!st.isFile() || st.size === 0) continue;
      const key = `dump:${st.dev}:${st.ino}:${st.size}:${Math.floor(st.mtimeMs)}`;
      if (DMESG_NAME.test(name)) found.push({ path, key, kind: 'dmesg' });
      else if (dumpFormatOf(path) !== undefined) found.push({ path, key, kind: 'dump' });
    }
  };
  if (lstatSync(dir, { throwIfNoEntry: false })?.isDirectory()) visit(dir, 1);
  return { found, refused };
}
