/**
 * The recent-crash-reports verdicts: real kernel logs of the reports fixtures (panic lab boots of
 * Debian's 6.1 kernel) stand in as the recorded outputs of `dmesg` (this boot) and
 * `journalctl -k -b -1` (the previous one) in a temporary sysroot.
 */
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openHostReader } from '../../src/host/host-reader.js';
import { recordingName } from '../../src/host/recorded-commands.js';
import { runDoctor } from '../../src/host/run-doctor.js';

const REPORTS = join(import.meta.dirname, '..', 'fixtures', 'reports');
const PREVIOUS = ['journalctl', '-k', '-b', '-1', '--no-pager', '-q', '-o', 'short-monotonic'];

async function verdictWith(thisBoot: string, previousBoot?: string) {
  const root = mkdtempSync(join(tmpdir(), 'ktriage-logs-'));
  mkdirSync(join(root, '.recorded'));
  copyFileSync(join(REPORTS, thisBoot), join(root, '.recorded', 'dmesg.out'));
  if (previousBoot) copyFileSync(join(REPORTS, previousBoot), join(root, '.recorded', `${recordingName(PREVIOUS)}.out`));
  const report = await runDoctor(openHostReader(root));
  return report.checks.find((c) => c.id === 'recent-crash-reports');
}

describe('recent-crash-reports', () => {
  it('fails when this boot already oopsed (kernel BUG from lkdtm)', async () => {
    const c = await verdictWith('x86-kernel-bug-lkdtm.log');
    expect(c?.status).toBe('fail');
    expect(c?.summary).toMatch(/^this boot already oopsed: kernel-bug "kernel BUG in lkdtm_BUG"/);
  });

  it('warns about a previous boot that ended in a soft-lockup panic when this boot is clean', async () => {
    const c = await verdictWith('x86-clean-boot-poweroff.log', 'x86-soft-lockup-panic-lkdtm.log');
    expect(c?.status).toBe('warn');
    expect(c?.summary).toMatch(/^previous boot: soft-lockup "BUG: soft lockup in lkdtm_SOFTLOCKUP".*\(ktriage analyze --boot -1\)$/);
    expect(c?.evidence[0]).toBe('dmesg: no reports');
  });

  it('passes on a clean boot, and says the previous boot was not recorded', async () => {
    const c = await verdictWith('x86-clean-boot-poweroff.log');
    expect(c?.status).toBe('pass');
    expect(c?.evidence).toEqual([
      'dmesg: no reports',
      `no recorded output .recorded/${recordingName(PREVIOUS)}.out in the sysroot`,
    ]);
  });
});
