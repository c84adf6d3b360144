import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandRun } from './host-reader.js';

/**
 * A sysroot carries the outputs of the commands doctor would run on a live host under
 * `.recorded/`: `<name>.out` is standard output, `<name>.err` standard error and `<name>.status`
 * the exit status (0 when absent). `<name>` is the command line with every character outside
 * [A-Za-z0-9._-] turned into `_`: `systemctl is-active kdump-tools` → `systemctl_is-active_kdump-tools`.
 * A recorded `<name>.missing` says the tool was not installed there.
 */
export function recordingName(argv: readonly string[]): string {
  return argv.join(' ').replace(/[^A-Za-z0-9._-]/g, '_');
}

export async function readRecordedCommand(root: string, argv: readonly string[]): Promise<CommandRun | undefined> {
  const base = join(root, '.recorded', recordingName(argv));
  const missing = await readOptional(`${base}.missing`);
  if (missing !== undefined) return { ok: false, why: 'no-tool', detail: `${argv[0] ?? ''}: not installed (recorded)` };
  const stdout = await readOptional(`${base}.out`);
  if (stdout === undefined) return undefined;
  const stderr = (await readOptional(`${base}.err`)) ?? '';
  const status = Number((await readOptional(`${base}.status`))?.trim() ?? '0');
  return { ok: true, result: { status: Number.isFinite(status) ? status : 1, stdout, stderr } };
}

/** A recorded journal of one boot fits easily; a bigger file is not a recording. */
const MAX_RECORDING = 64 << 20;

async function readOptional(path: string): Promise<string | undefined> {
  try {
    const info = await stat(path);
    if (!info.isFile() || info.size > MAX_RECORDING) return undefined;
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}
