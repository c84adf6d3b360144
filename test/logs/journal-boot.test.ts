import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KtError } from '../../src/errors.js';
import { openJournalBoot } from '../../src/logs/journal-boot.js';
import type { LogLine } from '../../src/logs/log-line.js';
import { fixture } from './helpers.js';

const hasJournalctl = (() => {
  try {
    execFileSync('journalctl', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

let dir: string;
let journalDir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ktriage-journal-'));
  // A real journal file (see test/fixtures/README.md), in the layout journalctl expects.
  journalDir = join(dir, 'journal');
  await mkdir(join(journalDir, '3d1219c7c4c5404aaa1f6d2a48adfda4'), { recursive: true });
  await writeFile(
    join(journalDir, '3d1219c7c4c5404aaa1f6d2a48adfda4', 'system.journal'),
    gunzipSync(readFileSync(fixture('journal-dir-system.journal.gz'))),
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function failure(p: Promise<unknown>): Promise<KtError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(KtError);
  return e as KtError;
}

describe.skipIf(!hasJournalctl)('openJournalBoot runs the real journalctl', () => {
  it('reads the kernel messages of boot 0 of a journal directory', async () => {
    const log = await openJournalBoot(0, { directory: journalDir });
    expect(log.source).toBe('journal:0');
    expect(log.format).toBe('journal-export');
    const lines: LogLine[] = [];
    for await (const batch of log.batches) lines.push(...batch);
    // 348 entries, one of them two lines long.
    expect(lines).toHaveLength(349);
    expect(log.stats).toEqual({ lines: 349 });
    expect(lines[0]).toMatchObject({
      text: 'Linux version 6.18.44-fc-v669 (builder@sandboxing) (gcc (GCC) 15.3.0, GNU ld (GNU Binutils) 2.46) #1 SMP PREEMPT_DYNAMIC @0',
      ts: 0,
      level: 5,
      host: 'vm',
      boot: '5c69bc4270f9436ab63d23293b43fb62',
      origin: { source: 'journal:0', line: 1 },
    });
    expect(lines.at(-1)?.text).toMatch(/^systemd-journald\[5132\]: Attempted to remove disk file system/);
  });

  it('no such boot: KT_E_NO_JOURNAL with journalctl’s words', async () => {
    const e = await failure(openJournalBoot(-1, { directory: journalDir }));
    expect(e.code).toBe('KT_E_NO_JOURNAL');
    expect(e.message).toBe('journal:-1: Data from the specified boot (-1) is not available: No such boot ID in journal');
  });

  it('an empty journal directory: KT_E_NO_JOURNAL', async () => {
    const empty = join(dir, 'empty');
    await mkdir(empty);
    const e = await failure(openJournalBoot(0, { directory: empty }));
    expect(e.code).toBe('KT_E_NO_JOURNAL');
  });
});

describe('without journalctl', () => {
  it('KT_E_NO_JOURNAL saying so', async () => {
    const e = await failure(openJournalBoot(0, { journalctl: join(tmpdir(), 'no-such-dir', 'journalctl') }));
    expect(e.code).toBe('KT_E_NO_JOURNAL');
    expect(e.message).toMatch(/journalctl: not found; is systemd's journalctl installed\?$/);
  });
});
