import { spawn } from 'node:child_process';
import type { CommandRun } from './host-reader.js';

/** No check waits longer than this for a tool (smartctl on a sleeping disk, a stuck systemctl). */
const TIMEOUT_MS = 15_000;
/** Output kept per stream; a journal of one boot fits, a runaway tool does not fill memory. */
const MAX_OUTPUT = 64 << 20;

/**
 * Runs one read-only command with no shell, no stdin and a time limit. A tool that is not
 * installed is `no-tool`, not an error: the check that wanted it is skipped with that reason.
 */
export function runCommand(argv: readonly string[]): Promise<CommandRun> {
  const [bin, ...args] = argv;
  if (bin === undefined) return Promise.resolve({ ok: false, why: 'error', detail: 'empty command' });
  return new Promise((resolve) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C', SYSTEMD_PAGER: '' } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    child.stdout.on('data', (d: Buffer) => {
      if (outBytes < MAX_OUTPUT) out.push(d);
      outBytes += d.length;
    });
    child.stderr.on('data', (d: Buffer) => {
      if (errBytes < MAX_OUTPUT) err.push(d);
      errBytes += d.length;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(
        e.code === 'ENOENT'
          ? { ok: false, why: 'no-tool', detail: `${bin}: not installed` }
          : { ok: false, why: 'error', detail: `${bin}: ${e.message}` },
      );
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') {
        resolve({ ok: false, why: 'error', detail: `${argv.join(' ')}: no answer within ${TIMEOUT_MS / 1000} s` });
        return;
      }
      resolve({
        ok: true,
        result: { status: code ?? 1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') },
      });
    });
  });
}
