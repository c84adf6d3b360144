import { readFile } from 'node:fs/promises';
import { KtError } from '../errors.js';

/** A YAML rules file read as a list under `key`: a clear KT_E_BAD_RULES naming the file otherwise. */
export async function readRuleList(path: string | URL, key: string): Promise<{ rows: Record<string, unknown>[]; source: string }> {
  const source = path instanceof URL ? path.pathname : path;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new KtError(code === 'ENOENT' ? 'KT_E_NO_SUCH_FILE' : 'KT_E_UNREADABLE', `${source}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  const { parse } = await import('yaml');
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new KtError('KT_E_BAD_RULES', `${source}: not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const list = typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>)[key] : undefined;
  if (!Array.isArray(list)) throw new KtError('KT_E_BAD_RULES', `${source}: expected a top-level '${key}:' list`);
  const rows = list.map((row, i) => {
    if (typeof row !== 'object' || row === null || Array.isArray(row)) throw new KtError('KT_E_BAD_RULES', `${source}: ${key}[${i}] is not a mapping`);
    return row as Record<string, unknown>;
  });
  return { rows, source };
}

/** Where a rule is, for error messages: its name when it has one, its index otherwise. */
export function ruleWhere(source: string, key: string, i: number, row: Record<string, unknown>): string {
  return typeof row['name'] === 'string' ? `${source}: rule '${row['name']}'` : `${source}: ${key}[${i}]`;
}

/** Later files replace earlier rules of the same name and append new ones. */
export function mergeByName<T extends { name: string }>(lists: readonly (readonly T[])[]): T[] {
  const byName = new Map<string, T>();
  for (const list of lists) for (const rule of list) byName.set(rule.name, rule);
  return [...byName.values()];
}
