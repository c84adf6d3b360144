import { constants } from 'node:fs';
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { readRecordedCommand, recordingName } from './recorded-commands.js';
import { resolveUnderRoot } from './resolve-under-root.js';
import { runCommand } from './run-command.js';

/** Why a file or command gave nothing: every "unknown" verdict names one of these. */
export type Absence = 'absent' | 'denied' | 'not-recorded' | 'no-tool' | 'error';

export type FileRead = { ok: true; text: string } | { ok: false; why: Absence; detail: string };
export type BytesRead = { ok: true; bytes: Buffer } | { ok: false; why: Absence; detail: string };

export interface CommandResult {
  status: number;
  stdout: string;
  stderr: string;
}
export type CommandRun = { ok: true; result: CommandResult } | { ok: false; why: Absence; detail: string };

export interface FileInfo {
  size: number;
  /** Permission bits, e.g. 0o700. */
  mode: number;
  isDirectory: boolean;
}

/**
 * Everything `ktriage doctor` learns about a host goes through this: files under a root, and
 * commands (run on the live host; on a sysroot, their recorded outputs). Read-only by design.
 */
export interface HostReader {
  /** `/` for the live machine, else the sysroot directory. */
  readonly root: string;
  readonly live: boolean;
  readText(path: string, maxBytes?: number): Promise<FileRead>;
  readBytes(path: string, maxBytes?: number): Promise<BytesRead>;
  readHead(path: string, bytes: number): Promise<Buffer | undefined>;
  list(dir: string): Promise<string[] | undefined>;
  info(path: string): Promise<FileInfo | undefined>;
  run(argv: readonly string[]): Promise<CommandRun>;
}

/** Files larger than this are cut (a /proc file or a config is far smaller). */
const DEFAULT_MAX_BYTES = 4 << 20;

export function openHostReader(root = '/'): HostReader {
  const live = root === '/';
  // Live paths resolve as usual; a sysroot's symlinks resolve inside the sysroot.
  const under = async (path: string): Promise<string> => {
    if (live) return path;
    const real = await resolveUnderRoot(root, path);
    if (real === undefined) throw Object.assign(new Error(`${path}: too many levels of symbolic links`), { code: 'ELOOP' });
    return real;
  };
  const reader: HostReader = {
    root,
    live,
    async readText(path, maxBytes) {
      const r = await reader.readBytes(path, maxBytes);
      return r.ok ? { ok: true, text: r.bytes.toString('utf8') } : r;
    },
    async readBytes(path, maxBytes = DEFAULT_MAX_BYTES) {
      try {
        const fh = await openRegular(await under(path));
        try {
          // /proc and /sys report size 0: read in chunks until EOF, never more than maxBytes.
          const chunks: Buffer[] = [];
          let total = 0;
          for (;;) {
            const buf = Buffer.alloc(Math.min(65536, maxBytes - total));
            if (buf.length === 0) break;
            const { bytesRead } = await fh.read(buf, 0, buf.length, null);
            if (bytesRead === 0) break;
            chunks.push(buf.subarray(0, bytesRead));
            total += bytesRead;
          }
          return { ok: true, bytes: Buffer.concat(chunks) };
        } finally {
          await fh.close();
        }
      } catch (e) {
        return fileError(path, e);
      }
    },
    async readHead(path, bytes) {
      try {
        const fh = await openRegular(await under(path));
        try {
          const buf = Buffer.alloc(bytes);
          const { bytesRead } = await fh.read(buf, 0, bytes, 0);
          return buf.subarray(0, bytesRead);
        } finally {
          await fh.close();
        }
      } catch {
        return undefined;
      }
    },
    async list(dir) {
      try {
        return (await readdir(await under(dir))).sort();
      } catch {
        return undefined;
      }
    },
    async info(path) {
      try {
        const s = await stat(await under(path));
        return { size: s.size, mode: s.mode & 0o7777, isDirectory: s.isDirectory() };
      } catch {
        return undefined;
      }
    },
    async run(argv) {
      if (live) return runCommand(argv);
      const recorded = await readRecordedCommand(root, argv);
      return recorded ?? { ok: false, why: 'not-recorded', detail: `no recorded output .recorded/${recordingName(argv)}.out in the sysroot` };
    },
  };
  return reader;
}

/**
 * Opens a regular file only: a FIFO or device planted in a sysroot would block or never end.
 * O_NONBLOCK keeps the open of a FIFO from waiting for a writer; /proc and /sys files are regular.
 */
async function openRegular(path: string): Promise<FileHandle> {
  const fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  if (!(await fh.stat()).isFile()) {
    await fh.close();
    throw Object.assign(new Error('not a regular file'), { code: 'ENOTREG' });
  }
  return fh;
}

function fileError(path: string, e: unknown): BytesRead & { ok: false } {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, why: 'absent', detail: `${path}: not present` };
  if (code === 'EACCES' || code === 'EPERM') return { ok: false, why: 'denied', detail: `${path}: permission denied` };
  if (code === 'ENOTREG' || code === 'EISDIR') return { ok: false, why: 'error', detail: `${path}: not a regular file` };
  return { ok: false, why: 'error', detail: `${path}: ${(e as Error).message}` };
}
