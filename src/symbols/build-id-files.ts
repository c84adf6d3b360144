import fs from 'node:fs';
import path from 'node:path';

/** Debian/Fedora debug directories: `DIR/.build-id/ab/cdef….debug` holds the file of build id abcdef…. */
export const DEFAULT_DEBUG_DIRS = ['/usr/lib/debug'];

/** The path of a build id's debug file under one of `dirs`, if there is one. */
export function findByBuildId(buildId: string, dirs: readonly string[]): string | undefined {
  if (!/^[0-9a-f]{4,128}$/.test(buildId)) return undefined;
  for (const dir of dirs) {
    const file = path.join(dir, '.build-id', buildId.slice(0, 2), `${buildId.slice(2)}.debug`);
    if (fs.existsSync(file)) return file;
  }
  return undefined;
}
