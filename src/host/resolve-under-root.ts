import { lstat, readlink } from 'node:fs/promises';
import { join } from 'node:path';

/** Symlinks followed before giving up, as the kernel's MAXSYMLINKS. */
const MAX_LINKS = 40;

/**
 * The real path of `path` inside a sysroot, following symlinks the way they would resolve on
 * that system: an absolute target (`/etc/localtime -> /usr/share/zoneinfo/UTC`) starts again at
 * the sysroot, and `..` never climbs above it. Without this, an absolute link in a mounted
 * image would silently read the host's file instead. Undefined when a component is missing
 * or links loop.
 */
export async function resolveUnderRoot(root: string, path: string): Promise<string | undefined> {
  const pending = path.split('/').filter(Boolean);
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift() ?? '';
    if (part === '.') continue;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const here = join(root, ...resolved, part);
    let isLink = false;
    try {
      isLink = (await lstat(here)).isSymbolicLink();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // A missing component: report the path as it would be, so the caller's ENOENT names it.
      if (code === 'ENOENT' || code === 'ENOTDIR') return join(root, ...resolved, part, ...pending);
      throw e;
    }
    if (!isLink) {
      resolved.push(part);
      continue;
    }
    if (++links > MAX_LINKS) return undefined;
    const target = await readlink(here);
    if (target.startsWith('/')) resolved.length = 0;
    pending.unshift(...target.split('/').filter(Boolean));
  }
  return join(root, ...resolved);
}
