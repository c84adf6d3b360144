import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'ktriage.js');
const LOG = join(ROOT, 'test', 'fixtures', 'reports', 'x86-warning-panic-on-warn-lkdtm.log');
const home = mkdtempSync(join(tmpdir(), 'ktriage-code-cache-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

function analyze(extraEnv: Record<string, string> = {}) {
  const r = spawnSync('node', [BIN, 'analyze', '--json', LOG], { encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: home, ...extraEnv } });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as { reports: { kind: string; title: string }[] };
}

const require = createRequire(import.meta.url);
const { flagSetFor } = require('../../bin/jit-tuning.js') as { flagSetFor(command: string): string };
const flagSet = flagSetFor('analyze');
const cacheDir = () => join(home, 'ktriage', 'code-cache', `${process.version}-${process.arch}${flagSet ? `-${flagSet}` : ''}`);
const cacheFiles = () => readdirSync(cacheDir()).filter((f) => f.endsWith('.bin')).sort();

describe('compiled-code cache of the CLI bundles', () => {
  it('is written on the first run, for the bundles that run loaded, and leaves the answer unchanged', () => {
    const first = analyze();
    expect(first.reports.map((r) => r.kind)).toEqual(['warning', 'panic']);
    const files = cacheFiles();
    expect(files.some((f) => /^[0-9a-f]{8}-cli_main\.cjs-/.test(f))).toBe(true);
    expect(files.some((f) => f.includes('-cli_analyze-command.cjs-'))).toBe(true);
    expect(files.some((f) => f.includes('-cli_vmcore-command.cjs-'))).toBe(false);
    const written = files.map((f) => statSync(join(cacheDir(), f)).mtimeMs);
    // A second run uses the cache (nothing is rewritten) and answers the same.
    expect(analyze()).toEqual(first);
    expect(cacheFiles().map((f) => statSync(join(cacheDir(), f)).mtimeMs)).toEqual(written);
  });

  it('data V8 rejects (garbage, another build) is replaced, never trusted', () => {
    const main = join(cacheDir(), cacheFiles().find((f) => f.includes('-cli_main.cjs-')) as string);
    writeFileSync(main, Buffer.from('not V8 code cache at all'));
    const again = analyze();
    expect(again.reports[0]?.title).toBe('WARNING in lkdtm_WARNING');
    expect(readFileSync(main).length).toBeGreaterThan(1000);
  });

  it("an earlier build's code for a bundle is removed when the new one is written", () => {
    const current = cacheFiles().find((f) => f.includes('-cli_main.cjs-')) as string;
    const earlier = current.replace(/-\d+-\d+\.bin$/, '-1-1.bin');
    writeFileSync(join(cacheDir(), earlier), 'code of an earlier build');
    rmSync(join(cacheDir(), current));
    analyze();
    expect(cacheFiles().filter((f) => f.includes('-cli_main.cjs-'))).toEqual([current]);
  });

  it('KTRIAGE_NO_CODE_CACHE turns it off', () => {
    rmSync(cacheDir(), { recursive: true, force: true });
    analyze({ KTRIAGE_NO_CODE_CACHE: '1' });
    expect(() => readdirSync(cacheDir())).toThrow(/ENOENT/);
  });
});
