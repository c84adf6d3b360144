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

function tempDir(): string {
  if (dir === undefined) {
    dir = mkdtempSync(join(tmpdir(), 'ktriage-vmcore-'));
    afterAll(() => rmSync(dir as string, { recursive: true, force: true }));
  }
  return dir;
}

/** Path of the expanded dump `<name>.cut.gz` (a sparse file: cheap whatever the dump's size). */
export function dumpPath(name: string): string {
  let path = expanded.get(name);
  if (path === undefined) {
    path = expandCutDump(join(FIXTURES, `${name}.cut.gz`), join(tempDir(), name));
    expanded.set(name, path);
  }
  return path;
}

let copies = 0;
/** A fresh expanded copy of `<name>.cut.gz` that a test may damage. */
export function damageableDump(name: string): string {
  return expandCutDump(join(FIXTURES, `${name}.cut.gz`), join(tempDir(), `${name}.${++copies}`));
}

/** A reference tool's output kept beside the dumps (`<run>.truth.<tool>.txt.gz`). */
export function truth(run: string, tool: 'vmcore-dmesg' | 'makedumpfile-dmesg'): Buffer {
  return gunzipSync(readFileSync(join(FIXTURES, `${run}.truth.${tool}.txt.gz`)));
}
