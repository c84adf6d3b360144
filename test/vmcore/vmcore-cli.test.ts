/** `ktriage vmcore …` and `ktriage analyze DUMP` as a user runs them (the built CLI). */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dumpPath, LOG_FIXTURES, truth } from './fixtures.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'ktriage.js');

function run(args: string[]) {
  const r = spawnSync('node', [BIN, ...args], { env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 1 << 26 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

describe('ktriage vmcore', () => {
  it('vmcore dmesg prints what vmcore-dmesg prints; --style makedumpfile what makedumpfile prints', () => {
    const dump = dumpPath('write-after-free.mdf-d31-zlib');
    const plain = run(['vmcore', 'dmesg', dump]);
    expect(plain.status).toBe(0);
    expect(plain.stderr).toBe('');
    expect(plain.stdout.equals(truth('write-after-free', 'vmcore-dmesg'))).toBe(true);
    const mdf = run(['vmcore', 'dmesg', '--style', 'makedumpfile', dump]);
    expect(mdf.stdout.equals(truth('write-after-free', 'makedumpfile-dmesg'))).toBe(true);
  });

  it('vmcore DUMP runs the analysis; analyze DUMP sniffs the same dump', () => {
    const dump = dumpPath('bug.mdf-d31-zlib');
    const viaVmcore = JSON.parse(run(['vmcore', '--json', dump]).stdout.toString());
    const viaAnalyze = JSON.parse(run(['analyze', '--json', dump]).stdout.toString());
    expect(viaVmcore.inputs).toEqual([{ source: dump, format: 'vmcore-dmesg', dump: 'kdump-compressed dump, zlib pages', lines: 410 }]);
    expect(viaVmcore.reports.map((r: { title: string }) => r.title)).toEqual(['kernel BUG in lkdtm_BUG', 'kernel panic: Fatal exception']);
    expect(viaAnalyze).toEqual(viaVmcore);
    expect(run(['vmcore', '--exit-code', dump]).status).toBe(1);
    // The human views name the dump, not the text format its log was read as.
    expect(run(['vmcore', dump]).stdout.toString().split('\n')[0]).toBe(`2 report(s) in 1 incident(s) in 410 lines (${dump}: kdump-compressed dump, zlib pages)`);
    expect(run(['analyze', '--format', 'markdown', dumpPath('bug.elf')]).stdout.toString()).toContain(`(elf dump, 410 lines)`);
  });

  it('vmcore info --json', () => {
    const r = run(['vmcore', 'info', '--json', dumpPath('sysrq-nokaslr-kdump.kdump-mdf-d31-lzo')]);
    expect(r.status).toBe(0);
    const facts = JSON.parse(r.stdout.toString());
    expect(facts).toMatchObject({
      format: 'kdump-compressed',
      compression: 'lzo',
      kaslrOffset: '0x0',
      physBase: '0x0',
      crashTime: '2026-11-23T00:32:37.000Z',
      panicMessage: 'Kernel panic - not syncing: sysrq triggered crash',
    });
    expect(facts.cpus[0].registers.rip).toMatch(/^ffffffff81[0-9a-f]{6}$/); // in the unrandomised kernel image
  });

  it.each([
    [['vmcore', join(LOG_FIXTURES, 'lab-bug-console.log')], /KT_E_DUMP_UNSUPPORTED/],
    [['vmcore', 'dmesg'], /KT_E_USAGE/],
    [['vmcore', 'dmesg', '--style', 'x', 'f'], /KT_E_USAGE/],
    [['vmcore', 'info', '/nonexistent/vmcore'], /KT_E_NO_SUCH_FILE/],
  ])('bad usage or input %j: one line, exit 2', (args, code) => {
    const r = run(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(code);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
