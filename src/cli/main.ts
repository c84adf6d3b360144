import { EXIT, KtError } from '../errors.js';
import { ANALYZE_USAGE, parseAnalyzeArgs } from './parse-args.js';
import { SYMBOLIZE_USAGE } from './symbolize-usage.js';

const USAGE = `usage: ktriage <command> [options]

commands:
  analyze [FILE|-]...   find and decode kernel crash reports in kernel logs
  symbolize [FILE|-]    add file:line to a report's frames (or --addr2line: addr2line drop-in)

Run 'ktriage analyze --help' for its options.`;

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
    if (command === 'analyze') {
      if (rest.includes('-h') || rest.includes('--help')) {
        process.stdout.write(`${ANALYZE_USAGE}\n`);
        return EXIT.noCrash;
      }
      // Commands are loaded when run: `symbolize` should not pay for the report extractor's start-up.
      const { runAnalyze } = await import('./analyze-command.js');
      return await runAnalyze(parseAnalyzeArgs(rest, process.env, process.stdout.isTTY === true), process.stdout);
    }
    if (command === 'symbolize') {
      if (rest.includes('-h') || rest.includes('--help')) {
        process.stdout.write(`${SYMBOLIZE_USAGE}\n`);
        return EXIT.noCrash;
      }
      const { runSymbolize } = await import('./symbolize-command.js');
      return await runSymbolize(rest, process.stdin, process.stdout);
    }
    throw new KtError('KT_E_USAGE', `unknown command '${command}'\n\n${USAGE}`);
  } catch (e) {
    if (e instanceof KtError) {
      process.stderr.write(`ktriage: ${e.message} [${e.code}]\n`);
      return e.exitCode;
    }
    const err = e as Error;
    process.stderr.write(`ktriage: internal error: ${err?.message ?? String(e)} [KT_E_INTERNAL]\n`);
    if (process.env['KTRIAGE_DEBUG']) process.stderr.write(`${err?.stack ?? ''}\n`);
    return EXIT.internal;
  }
}
