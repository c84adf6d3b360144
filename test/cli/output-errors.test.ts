/** A failed write of the output is never silent: one KT_E_OUTPUT line and status 2, on every path. */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'ktriage.js');
const LOG = join(ROOT, 'test', 'fixtures', 'reports', 'x86-warning-panic-on-warn-lkdtm.log');

/** Runs the CLI with standard output (or error) on /dev/full, where every write fails with ENOSPC. */
function intoFull(args: string[], env: Record<string, string> = {}, stream: 'stdout' | 'stderr' = 'stdout') {
  const full = openSync('/dev/full', 'w');
  try {
    const stdio: ['ignore', number | 'pipe', number | 'pipe'] = stream === 'stdout' ? ['ignore', full, 'pipe'] : ['ignore', 'pipe', full];
    const r = spawnSync('node', [BIN, ...args], { stdio, encoding: 'utf8', env: { ...process.env, ...env } });
    return { status: r.status, stderr: r.stderr ?? '' };
  } finally {
    closeSync(full);
  }
}

describe.skipIf(!existsSync('/dev/full'))('output errors', () => {
  for (const format of ['text', 'json', 'markdown', 'html']) {
    for (const worker of ['0', '1']) {
      it(`analyze --format ${format} > /dev/full on ${worker === '1' ? 'two threads' : 'one thread'}: KT_E_OUTPUT, status 2`, () => {
        const r = intoFull(['analyze', '--format', format, LOG], { KTRIAGE_ANALYZE_WORKER: worker });
        expect(r.status).toBe(2);
        expect(r.stderr).toBe('ktriage: cannot write the output: no space left on device [KT_E_OUTPUT]\n');
      });
    }
  }

  it('other commands too (symbolize)', () => {
    const dump = join(ROOT, 'test', 'fixtures', 'symbols', 'inline-demo-dwarf5');
    const r = intoFull(['symbolize', '--addr2line', '-f', '-e', dump, '0x1169']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^ktriage: cannot write the output: no space left on device \[KT_E_OUTPUT\]\n$/);
  });

  it('an error with standard error gone still exits with its own status', () => {
    expect(intoFull(['analyze', '/nonexistent/kern.log'], {}, 'stderr').status).toBe(2);
  });
});
