import { EXIT, KtError } from '../errors.js';
import { errorLine } from './error-line.js';

export { outputErrorMessage } from '../errors.js';

/** A failed write of the output was already reported (the launcher then says nothing more). */
let outputErrorSaid = false;
export const outputErrorReported = (): boolean => outputErrorSaid;

/** What a command gives the dispatcher once loaded. */
interface LoadedCommand {
  usage: string;
  run: (args: string[]) => Promise<number>;
}

interface CommandRow {
  synopsis: string;
  summary: string;
  /** Commands load on demand: `vmcore dmesg` and `symbolize` should not pay for the analysis modules. */
  load: () => Promise<LoadedCommand>;
}

const isTty = () => process.stdout.isTTY === true;

const COMMANDS: Record<string, CommandRow> = {
  analyze: {
    synopsis: 'analyze [FILE|-]...',
    summary: 'find, decode and diagnose kernel crash reports in kernel logs',
    load: async () => {
      const [{ runAnalyze }, { ANALYZE_USAGE, parseAnalyzeArgs }] = await Promise.all([import('./analyze-command.js'), import('./parse-args.js')]);
      return { usage: ANALYZE_USAGE, run: (args) => runAnalyze(parseAnalyzeArgs(args, process.env, isTty()), process.stdout) };
    },
  },
  vmcore: {
    synopsis: 'vmcore DUMP',
    summary: "the same on a crash dump's kernel log; 'vmcore dmesg', 'vmcore info'",
    load: async () => {
      const { runVmcore, VMCORE_USAGE } = await import('./vmcore-command.js');
      return { usage: VMCORE_USAGE, run: (args) => runVmcore(args, process.env, isTty(), process.stdout, process.stderr) };
    },
  },
  symbolize: {
    synopsis: 'symbolize [FILE|-]',
    summary: "add file:line to a report's frames (or --addr2line: an addr2line drop-in)",
    load: async () => {
      const [{ runSymbolize }, { SYMBOLIZE_USAGE }] = await Promise.all([import('./symbolize-command.js'), import('./symbolize-usage.js')]);
      return { usage: SYMBOLIZE_USAGE, run: (args) => runSymbolize(args, process.stdin, process.stdout) };
    },
  },
  doctor: {
    synopsis: 'doctor',
    summary: 'check whether this machine is ready for its next panic',
    load: async () => {
      const { DOCTOR_USAGE, parseDoctorArgs, runDoctorCommand } = await import('./doctor-command.js');
      return { usage: DOCTOR_USAGE, run: (args) => runDoctorCommand(parseDoctorArgs(args, process.env, isTty()), process.stdout) };
    },
  },
  watch: {
    synopsis: 'watch',
    summary: 'the host agent: kernel log, previous boot, pstore and dumps to the collector, alerts, metrics',
    load: async () => {
      const [{ runWatch }, { WATCH_USAGE, parseWatchArgs }] = await Promise.all([import('./watch-command.js'), import('./watch-args.js')]);
      return { usage: WATCH_USAGE, run: (args) => runWatch(parseWatchArgs(args, process.env), process.stdout) };
    },
  },
  serve: {
    synopsis: 'serve',
    summary: 'the fleet collector: ingest from every host, buckets, regressions, API',
    load: async () => {
      const [{ runServe }, { SERVE_USAGE, parseServeArgs }] = await Promise.all([import('./serve-command.js'), import('./serve-args.js')]);
      return { usage: SERVE_USAGE, run: (args) => runServe(parseServeArgs(args, process.env), process.stderr) };
    },
  },
  token: {
    synopsis: 'token create|list|revoke',
    summary: "manage the collector's API tokens",
    load: async () => {
      const [{ runToken }, { TOKEN_USAGE, parseTokenArgs }] = await Promise.all([import('./serve-command.js'), import('./serve-args.js')]);
      return { usage: TOKEN_USAGE, run: (args) => runToken(parseTokenArgs(args, process.env), process.stdout) };
    },
  },
};

const USAGE = `usage: ktriage <command> [options]

commands:
${Object.values(COMMANDS)
  .map((c) => `  ${c.synopsis.padEnd(22)}${c.summary}`)
  .join('\n')}

Run 'ktriage <command> --help' for its options.`;

/** Parses the command line, runs one command and returns the exit status. Never throws. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '-h' || command === '--help') {
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? EXIT.badInput : EXIT.noCrash;
    }
    if (command === '--version' || command === '-V') {
      process.stdout.write('ktriage 0.1.0\n');
      return EXIT.noCrash;
    }
    const row = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
    if (!row) throw new KtError('KT_E_USAGE', `unknown command '${command}'\n\n${USAGE}`);
    const loaded = await row.load();
    if (rest.includes('-h') || rest.includes('--help')) {
      process.stdout.write(`${loaded.usage}\n`);
      return EXIT.noCrash;
    }
    return await loaded.run(rest);
  } catch (e) {
    if (e instanceof KtError) {
      if (e.code === 'KT_E_OUTPUT') outputErrorSaid = true;
      process.stderr.write(`${errorLine(e, command)}\n`);
      return e.exitCode;
    }
    const err = e as Error;
    process.stderr.write(`${errorLine({ message: `internal error: ${err?.message ?? String(e)}`, code: 'KT_E_INTERNAL' }, command)}\n`);
    if (process.env['KTRIAGE_DEBUG']) process.stderr.write(`${err?.stack ?? ''}\n`);
    return EXIT.internal;
  }
}
