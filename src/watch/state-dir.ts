import { closeSync, constants, fsyncSync, lstatSync, mkdirSync, openSync, readFileSync, realpathSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { KtError } from '../errors.js';

/** A name the agent writes under its state directory: one plain component, nothing to climb out with. */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * The only place the agent writes. Every write goes to `dir/NAME` (or `dir/SUB/NAME`) with a
 * checked name, through a temporary file, fsync and rename, then an fsync of the directory: a
 * write the agent acknowledged survives a crash of the agent or the host.
 */
export class StateDir {
  /** The directory as given is the admin's choice and resolved once (systemd's DynamicUser= makes it a link into /var/lib/private); nothing under it is followed. */
  readonly dir: string;
  constructor(given: string) {
    try {
      mkdirSync(given, { recursive: true, mode: 0o700 });
      this.dir = realpathSync(given);
    } catch (e) {
      throw new KtError('KT_E_WATCH_STATE', `${given}: cannot create the state directory: ${(e as Error).message}`);
    }
    if (!lstatSync(this.dir).isDirectory()) throw new KtError('KT_E_WATCH_STATE', `${given}: the state directory is not a directory`);
  }

  /** The path of `name` (in `sub`), refusing anything but one plain component each. */
  path(name: string, sub?: string): string {
    for (const part of sub === undefined ? [name] : [sub, name]) {
      if (!SAFE_NAME.test(part)) throw new KtError('KT_E_WATCH_STATE', `refusing state file name '${part}'`);
    }
    return sub === undefined ? join(this.dir, name) : join(this.dir, sub, name);
  }

  /** A subdirectory, created when missing; refused when it is a symlink. */
  subdir(sub: string): string {
    const p = this.path(sub);
    const st = lstatSync(p, { throwIfNoEntry: false });
    if (st === undefined) mkdirSync(p, { mode: 0o700 });
    else if (!st.isDirectory()) throw new KtError('KT_E_WATCH_STATE', `${p}: refusing a state subdirectory that is a symlink or a file`);
    return p;
  }

  /** Writes durably (temp, fsync, rename, fsync of the directory). */
  writeDurable(name: string, data: string | Buffer, sub?: string): void {
    const target = this.path(name, sub);
    const tmp = `${target}.tmp`;
    const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600);
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      let off = 0;
      while (off < bytes.length) off += writeSync(fd, bytes, off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target);
    syncDir(sub === undefined ? this.dir : join(this.dir, sub));
  }

  readJson<T>(name: string, fallback: T, sub?: string): T {
    try {
      const fd = openSync(this.path(name, sub), constants.O_RDONLY | constants.O_NOFOLLOW);
      try {
        return JSON.parse(readFileSync(fd, 'utf8')) as T;
      } finally {
        closeSync(fd);
      }
    } catch {
      return fallback;
    }
  }

  writeJson(name: string, value: unknown, sub?: string): void {
    this.writeDurable(name, `${JSON.stringify(value)}\n`, sub);
  }
}

export function syncDir(dir: string): void {
  const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
