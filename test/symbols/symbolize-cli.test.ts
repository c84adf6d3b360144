/** `ktriage symbolize` as a user runs it (the built CLI). */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, readAddr2LineOutput } from './helpers.js';

const BIN = path.join(import.meta.dirname, '..', '..', 'bin', 'ktriage.js');

function run(args: string[], input: string, cache: string) {
  const r = spawnSync('node', [BIN, 'symbolize', ...args], { input, encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: cache } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('ktriage symbolize --addr2line', () => {
  it('prints what addr2line -f -i -a prints, from arguments or standard input', () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'kt-cache-'));
    const expected = fs.readFileSync(fixture('inline-demo-dwarf4.addr2line.txt'), 'utf8');
    const blocks = expected.split(/^(?=0x[0-9a-f]+$)/m).slice(40, 90);
    const addresses = blocks.map((b) => b.split('\n')[0] ?? '');
    const viaStdin = run(['--addr2line', '-f', '-i', '-a', '-e', fixture('inline-demo-dwarf4')], `${addresses.join('\n')}\n`, cache);
    expect(viaStdin.status).toBe(0);
    expect(viaStdin.stdout).toBe(blocks.join(''));
    const viaArgs = run(['--addr2line', '-fia', '-e', fixture('inline-demo-dwarf4'), ...addresses.slice(0, 3)], '', cache);
    expect(viaArgs.stdout).toBe(blocks.slice(0, 3).join(''));
  });

  it('a second run answers from the cache keyed by build id, with the same output', () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'kt-cache-'));
    const args = ['--addr2line', '-f', '-i', '-e', fixture('inline-demo-dwarf5'), '--binutils-2.40', '0x1060', '0x10a0'];
    const first = run(args, '', cache);
    // Beside the answers: code-cache/, V8's compiled bundles (bin/code-cache.js).
    const files = fs.readdirSync(path.join(cache, 'ktriage')).filter((f) => f !== 'code-cache');
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^[0-9a-f]{40}-binutils-2\.40\.json$/);
    const second = run(args, '', cache);
    expect(second.stdout).toBe(first.stdout);
    const expected = readAddr2LineOutput('inline-demo-dwarf5.addr2line.txt');
    expect(first.stdout).toBe(`${expected.get(0x1060n)}${expected.get(0x10a0n)}`);
  });

  it('a missing -e file is one clear error line', () => {
    const r = run(['--addr2line', '-e', '/nonexistent/vmlinux', '0x1'], '', os.tmpdir());
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^ktriage: \/nonexistent\/vmlinux: .* \[KT_E_NO_SUCH_FILE\]\n$/);
  });
});

describe('ktriage symbolize (annotate a report)', () => {
  it('adds file:line to the lkdtm frames of a real oops read from standard input', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kt-modules-'));
    fs.copyFileSync(fixture('lkdtm.ko.gz'), path.join(dir, 'lkdtm.ko.gz'));
    const log = fs.readFileSync(fixture('lkdtm-access-null-console.log'), 'utf8');
    const r = run(['--modules', dir, '--no-symbol-cache'], log, os.tmpdir());
    expect(r.status).toBe(0);
    const out = r.stdout.split('\n').map((l) => l.replace(/\r$/, ''));
    expect(out.find((l) => l.includes('RIP: 0010:'))).toMatch(/lkdtm_ACCESS_NULL\+0x14\/0x53 \[lkdtm\] \S+\/drivers\/misc\/lkdtm\/perms\.c:265$/);
    expect(out.length).toBe(log.split('\n').length);
  });

  it('without --vmlinux or --modules it says what to give', () => {
    const r = run([], 'x\n', os.tmpdir());
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('give --vmlinux and/or --modules');
  });
});
