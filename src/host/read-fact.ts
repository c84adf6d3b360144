import type { HostReader } from './host-reader.js';
import { known, unknown, type Fact } from './fact.js';

/** Reads and parses one file; a parse error is an `error` fact, never a thrown exception. */
export async function readFact<T>(reader: HostReader, path: string, parse: (text: string) => T, fallback?: string): Promise<Fact<T>> {
  const r = await reader.readText(path);
  if (!r.ok) {
    if (fallback !== undefined && r.why === 'absent') return readFact(reader, fallback, parse);
    return unknown(path, r.why, r.detail);
  }
  try {
    return known(parse(r.text), path);
  } catch (e) {
    return unknown(path, 'error', `${path}: ${(e as Error).message}`);
  }
}

export async function firstPresent(reader: HostReader, paths: readonly string[]): Promise<Fact<string>> {
  for (const p of paths) if (await reader.info(p)) return known(p, p);
  const denied = await deniedDetail(reader, paths);
  if (denied !== undefined) return unknown(paths.join(', '), 'denied', denied);
  return unknown(paths.join(', '), 'absent', `none of ${paths.join(', ')} is installed`);
}

export async function presence(reader: HostReader, paths: readonly string[]): Promise<Fact<boolean>> {
  for (const p of paths) if (await reader.info(p)) return known(true, p);
  const denied = await deniedDetail(reader, paths);
  if (denied !== undefined) return unknown(paths.join(', '), 'denied', denied);
  return known(false, paths.join(', '));
}

/**
 * Whether a path not found may exist unseen: a directory on the way could not be searched (a
 * root or /etc we may not read). Then its absence is unknown, not a fact.
 */
export async function deniedDetail(reader: HostReader, paths: readonly string[]): Promise<string | undefined> {
  for (const p of paths) {
    const r = await reader.readBytes(p, 0);
    if (!r.ok && r.why === 'denied') return r.detail;
  }
  return undefined;
}

export async function presentFiles(reader: HostReader, paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) if ((await reader.info(p))?.isDirectory === false) out.push(p);
  return out;
}
