import { parseArgs } from 'node:util';
import { stat } from 'node:fs/promises';
import { EXIT, KtError } from '../errors.js';
import { openHostReader } from '../host/host-reader.js';
import { runDoctor } from '../host/run-doctor.js';
import { renderDoctorText } from '../render/doctor-text-renderer.js';

export const DOCTOR_USAGE = `usage: ktriage doctor [options]

Check whether this machine (or a sysroot) is ready for its next panic: crash capture,
panic policy, logs that survive a reboot, the boot path, present danger, and the
security of crash data. Reads only; every fix is printed, none is applied.

options:
  --root DIR     check the system installed under DIR instead of this machine
                 (commands are not run; DIR/.recorded/ may hold their outputs)
  --json         print the result as JSON (docs/doctor.md)
  --verbose      show what was read for passing checks too
  --no-color     no colour (also when NO_COLOR is set or output is not a terminal)
  -h, --help     this help

exit status: 0 no check failed, 1 at least one check failed, 2 bad usage, 3 internal error`;

export interface DoctorOptions {
  root: string;
  json: boolean;
  verbose: boolean;
  color: boolean;
}

export function parseDoctorArgs(argv: string[], env: NodeJS.ProcessEnv, isTty: boolean): DoctorOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: false,
      options: {
        root: { type: 'string', default: '/' },
        json: { type: 'boolean', default: false },
        verbose: { type: 'boolean', default: false },
        'no-color': { type: 'boolean', default: false },
      },
    });
  } catch (e) {
    throw new KtError('KT_E_USAGE', `${(e as Error).message}\n\n${DOCTOR_USAGE}`);
  }
  const v = parsed.values;
  return {
    root: v.root ?? '/',
    json: v.json ?? false,
    verbose: v.verbose ?? false,
    color: isTty && !v['no-color'] && !env['NO_COLOR'],
  };
}

export async function runDoctorCommand(options: DoctorOptions, out: NodeJS.WritableStream): Promise<number> {
  const root = options.root.replace(/(.)\/+$/, '$1');
  const info = await stat(root).catch(() => undefined);
  if (!info) throw new KtError('KT_E_NO_SUCH_FILE', `--root ${root}: no such directory`);
  if (!info.isDirectory()) throw new KtError('KT_E_UNREADABLE', `--root ${root}: not a directory`);
  const report = await runDoctor(openHostReader(root));
  out.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : renderDoctorText(report, options));
  return report.counts.fail > 0 ? EXIT.crashFound : EXIT.noCrash;
}
