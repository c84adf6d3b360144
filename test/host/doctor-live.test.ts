/** `ktriage doctor` on the machine running the tests: whatever it lacks, every check gets a verdict and a reason. */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../src/host/checks/all-checks.js';
import { openHostReader } from '../../src/host/host-reader.js';
import { runDoctor } from '../../src/host/run-doctor.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'ktriage.js');

function run(args: string[]) {
  const r = spawnSync('node', [BIN, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('doctor on this machine (root /)', () => {
  it('judges every check without throwing, and explains every skip', async () => {
    const report = await runDoctor(openHostReader('/'));
    expect(report.live).toBe(true);
    expect(report.checks.map((c) => c.id)).toEqual(ALL_CHECKS.map((c) => c.id));
    for (const c of report.checks) {
      expect(['pass', 'warn', 'fail', 'skip'], c.id).toContain(c.status);
      expect(c.summary.length, c.id).toBeGreaterThan(3);
    }
    expect(report.score).toBeGreaterThanOrEqual(0);
    expect(report.score).toBeLessThanOrEqual(100);
  }, 60_000);

  it('the CLI exits 0 or 1 (never 2 or 3) and --json parses', () => {
    const r = run(['doctor', '--json']);
    expect([0, 1]).toContain(r.status);
    const doc = JSON.parse(r.stdout) as { schemaVersion: number; counts: { fail: number } };
    expect(doc.schemaVersion).toBe(1);
    expect(r.status).toBe(doc.counts.fail > 0 ? 1 : 0);
  }, 60_000);
});

describe('doctor CLI', () => {
  it('exits 1 when a check fails (the laptop) and 0 when none does (the server)', () => {
    expect(run(['doctor', '--root', join(ROOT, 'test/fixtures/host/laptop')]).status).toBe(1);
    const ok = run(['doctor', '--root', join(ROOT, 'test/fixtures/host/debian-server')]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^score 90\/100 {3}24 pass, 6 warn, 0 fail, 5 skipped$/m);
    expect(ok.stdout).toContain('Nothing was changed');
  });

  it.each([
    [['doctor', '--root', '/nonexistent/sysroot'], /KT_E_NO_SUCH_FILE/],
    [['doctor', '--root', BIN], /KT_E_UNREADABLE/],
    [['doctor', '--bogus'], /KT_E_USAGE/],
    [['doctor', 'extra'], /KT_E_USAGE/],
  ])('bad usage %j: one line, exit 2', (args, code) => {
    const r = run(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(code);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('crash-dir-permissions on a real directory', () => {
  it('fails when dumps are readable by everyone, passes when the directory is closed', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ktriage-doctor-'));
    const dir = join(root, 'var', 'crash', '202611230300');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'dmesg.202611230300'), 'x');
    chmodSync(join(root, 'var', 'crash'), 0o755);
    chmodSync(dir, 0o755);
    const open = await runDoctor(openHostReader(root));
    const c = open.checks.find((x) => x.id === 'crash-dir-permissions');
    expect(c?.status).toBe('fail');
    expect(c?.evidence[0]).toBe('/var/crash: mode 0755');
    chmodSync(join(root, 'var', 'crash'), 0o700);
    const closed = await runDoctor(openHostReader(root));
    expect(closed.checks.find((x) => x.id === 'crash-dir-permissions')?.status).toBe('pass');
  });
});
