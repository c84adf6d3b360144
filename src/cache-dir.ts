import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** `$XDG_CACHE_HOME/ktriage`, else `~/.cache/ktriage`: symbol answers, dump indexes (the compiled-code cache of bin/ sits there too). */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env['XDG_CACHE_HOME'] || path.join(env['HOME'] || os.homedir(), '.cache');
  return path.join(base, 'ktriage');
}

/** Where flattened dumps' record indexes are kept (src/vmcore/flattened-index-cache.ts); none with KTRIAGE_NO_DUMP_INDEX_CACHE=1. */
export function dumpIndexCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env['KTRIAGE_NO_DUMP_INDEX_CACHE'] ? undefined : path.join(defaultCacheDir(env), 'dump-index');
}

/**
 * `mkdir -p`, one level at a time. Node's `mkdirSync(dir, { recursive: true })` never returns
 * where mkdir fails with ENOENT under an existing parent (anything under /proc), and a cache
 * directory is whatever `$XDG_CACHE_HOME` says. Throws the first mkdir error.
 */
export function makeDirs(dir: string): void {
  const missing: string[] = [];
  for (let d = path.resolve(dir); !fs.existsSync(d); d = path.dirname(d)) {
    missing.push(d);
    if (path.dirname(d) === d) break;
  }
  for (const d of missing.reverse()) fs.mkdirSync(d);
}
