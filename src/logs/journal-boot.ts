import { spawn } from 'node:child_process';
import { KtError } from '../errors.js';
import type { StreamEnd } from './decompress.js';
import { openedLog, type OpenedLog } from './read-log.js';
import { readHead } from './read-head.js';

export interface JournalBootOptions {
  /** The journalctl binary (default: `journalctl` from PATH). */
  journalctl?: string;
  /** Read the journal files of this directory (journalctl --directory), e.g. another machine's. */
  directory?: string;
}

/**
 * The kernel messages of one boot from the systemd journal (0 = this boot, -1 = the one
 * before…), read from `journalctl -k -b N -o export`. Throws KT_E_NO_JOURNAL, with journalctl's
 * own words, when there is no journalctl, no journal, or no such boot in it.
 */
export async function openJournalBoot(boot: number, opts: JournalBootOptions = {}): Promise<OpenedLog> {
  if (!Number.isInteger(boot)) throw new KtError('KT_E_USAGE', `boot must be an integer offset (0, -1, …), not ${boot}`);
  const bin = opts.journalctl ?? 'journalctl';
  const args = ['-k', '-b', String(boot), '-o', 'export', '--no-pager', '-q'];
  if (opts.directory !== undefined) args.push('--directory', opts.directory);
  const source = `journal:${boot}`;
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    if (stderr.length < 4096) stderr += d;
  });
  const exited = new Promise<{ code: number | null; error?: Error }>((resolve) => {
    child.on('error', (error) => resolve({ code: null, error }));
    child.on('close', (code) => resolve({ code }));
  });
  const end: StreamEnd = {};
  async function* stdout(): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of child.stdout) yield chunk as Buffer;
    } finally {
      if (child.exitCode === null) child.kill();
    }
    const r = await exited;
    if (r.code !== 0) end.partial = `journalctl stopped with status ${r.code}: ${firstLine(stderr)}`;
  }
  // Wait for the first output or the exit, so that "no such boot" fails here, not mid-stream.
  const head = await readHead(stdout(), 1);
  const r = head.head.length === 0 ? await exited : undefined;
  if (r?.error) {
    const missing = (r.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new KtError(
      'KT_E_NO_JOURNAL',
      missing ? `${bin}: not found; is systemd's journalctl installed?` : `${bin}: ${r.error.message}`,
    );
  }
  if (r && r.code !== 0) throw new KtError('KT_E_NO_JOURNAL', `${source}: ${firstLine(stderr) || `journalctl failed with status ${r.code}`}`);
  if (r && r.code === 0) {
    // Exit 0 and nothing printed: no journal files, or none with kernel messages of that boot.
    const why = firstLine(stderr) || 'no kernel messages';
    throw new KtError('KT_E_NO_JOURNAL', `${source}: ${why} (is journald keeping a journal? try journalctl --list-boots)`);
  }
  if (boot !== 0 && /has no effect/.test(stderr)) {
    // journalctl ignores -b without a persistent journal and would show this boot instead.
    child.kill();
    throw new KtError('KT_E_NO_JOURNAL', `${source}: ${firstLine(stderr)}`);
  }
  return openedLog(source, 'journal-export', 'none', head.chunks, end);
}

function firstLine(s: string): string {
  return s.trim().split('\n')[0] ?? '';
}
