/** The cut lab dumps of test/fixtures/vmcore/, expanded once per test file into a temporary directory. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll } from 'vitest';
import { expandCutDump } from './cut-dump.mjs';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'vmcore');
export const LOG_FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'logs');

let dir: string | undefined;
const expanded = new Map<string, string>();

/** Path of the expanded dump `<name>.cut.gz` (a sparse file: cheap whatever the dump's size). */
export function dumpPath(name: string): string {
  if (dir === undefined) {
    dir = mkdtempSync(join(tmpdir(), 'ktriage-vmcore-'));
    afterAll(() => rmSync(dir as string, { recursive: true, force: true }));
  }
  let path = expanded.get(name);
  if (path === undefined) {
    path = expandCutDump(join(FIXTURES, `${name}.cut.gz`), join(dir, name));
    expanded.set(name, path);
  }
  return path;
}

/** A reference tool's output kept beside the dumps (`<run>.truth.<tool>.txt.gz`). */
export function truth(run: string, tool: 'vmcore-dmesg' | 'makedumpfile-dmesg'): Buffer {
  return gunzipSync(readFileSync(join(FIXTURES, `${run}.truth.${tool}.txt.gz`)));
}
