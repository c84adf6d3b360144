import { parseArgs } from 'node:util';
import { INPUT_FORMATS, type InputFormat } from '../logs/log-line.js';
import { KtError } from '../errors.js';
import { defaultCacheDir, dumpIndexCacheDir } from '../cache-dir.js';

export interface AnalyzeOptions {
  inputs: string[];
  inputFormat: InputFormat;
  /** `--boot N`: read the local journal's boot N (0 current, -1 previous) instead of files. */
  boot?: number;
  format: OutputFormat;
  /** Extra known-issues rule files (`--known-issues`, then `KTRIAGE_KNOWN_ISSUES`), after the bundled ones. */
  knownIssues: string[];
  /** Exit 1 when a crash was found (like `git diff --exit-code`). */
  exitCode: boolean;
  color: boolean;
  /** `--vmlinux PATH`: the kernel with debug info, for file:line of each frame. */
  vmlinux?: string;
  /** `--modules DIR`: where to find NAME.ko for module frames (and vmlinux, Debian's layout). */
  modules?: string;
  /** Directory of the symbol answer cache; absent with `--no-symbol-cache`. */
  symbolCache?: string;
  /** `--debug-dir DIR` (repeatable): directories with a `.build-id/` tree. */
  debugDirs?: string[];
  /** `--system-map FILE`: function-level answers when there is no vmlinux. */
  systemMap?: string;
  /** `--disassemble`: decode the Code: bytes and explain the faulting instruction. */
  disassemble?: boolean;
  /**
   * Decode in a worker thread (KTRIAGE_ANALYZE_WORKER=1) or on the reading thread (=0); unset,
   * inputs of 64 MiB and more use the worker.
   */
  decodeWorker?: boolean;
  /** Where a flattened dump's record index is kept between runs (none with KTRIAGE_NO_DUMP_INDEX_CACHE=1). */
  dumpIndexCache?: string;
  /** `--follow`: read a growing file or a pipe and print each report as soon as it is complete. */
  follow?: boolean;
  /** `--quiet-seconds N`: with --follow, a report is complete after this long without a line. */
  quietSeconds?: number;
}

export const OUTPUT_FORMATS = ['text', 'json', 'markdown', 'html'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export const ANALYZE_USAGE = `usage: ktriage analyze [options] [FILE|-]...

Find, decode and link every kernel crash report in kernel logs of any format
(console capture, dmesg, journalctl, syslog, /dev/kmsg, vmcore-dmesg; gzip/zstd).

options:
  --format FORMAT        text (default: the answer first, then the details), json
                         (docs/crash-report.md), markdown (an RCA note for a ticket),
                         html (one self-contained page)
  --json                 same as --format json
  --known-issues FILE    more known-issue rules (docs/known-issues.md); repeatable.
                         KTRIAGE_KNOWN_ISSUES=FILE[:FILE] adds more
  --input-format FORMAT  do not sniff: ${INPUT_FORMATS.filter((f) => f !== 'auto').join(', ')}
  --boot N               read boot N of the local journal (0 = this boot, -1 = previous)
  --exit-code            exit 1 when a crash report was found, 0 when none
  --follow               follow FILE as it grows (surviving rotation) or read a pipe
                         (-) until it closes, printing each report as soon as it is
                         complete; with --json, one JSON object a line (JSON Lines)
  --quiet-seconds N      with --follow: a report (and its incident) is complete once
                         its stream has been quiet this long (default 5)
  --vmlinux PATH         resolve frames to file:line and inlined calls with this vmlinux
  --modules DIR          find module .ko files (plain, .zst, .gz, .xz) under DIR, e.g.
                         /usr/lib/debug/lib/modules/RELEASE
  --debug-dir DIR        look up build ids in DIR/.build-id/ (default /usr/lib/debug);
                         with DEBUGINFOD_URLS set, missing ones are downloaded
  --system-map FILE      System.map or a /proc/kallsyms copy: check func+off/size
                         when there is no vmlinux
  --no-symbol-cache      do not read or write the answer cache ($XDG_CACHE_HOME/ktriage)
  --disassemble          disassemble the Code: bytes (x86-64, arm64) and explain the
                         faulting instruction with the registers
  --no-color             no colour (also when NO_COLOR is set or output is not a terminal)
  -h, --help             this help`;

export function parseAnalyzeArgs(argv: string[], env: NodeJS.ProcessEnv, isTty: boolean): AnalyzeOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: joinNegativeBoot(argv),
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        format: { type: 'string' },
        'known-issues': { type: 'string', multiple: true, default: [] },
        'input-format': { type: 'string', default: 'auto' },
        boot: { type: 'string' },
        'exit-code': { type: 'boolean', default: false },
        'no-color': { type: 'boolean', default: false },
        vmlinux: { type: 'string' },
        modules: { type: 'string' },
        'no-symbol-cache': { type: 'boolean', default: false },
        'debug-dir': { type: 'string', multiple: true },
        'system-map': { type: 'string' },
        disassemble: { type: 'boolean', default: false },
        follow: { type: 'boolean', default: false },
        'quiet-seconds': { type: 'string' },
      },
    });
  } catch (e) {
    throw new KtError('KT_E_USAGE', `${(e as Error).message}\n\n${ANALYZE_USAGE}`);
  }
  const { values, positionals } = parsed;
  const format = values['input-format'] ?? 'auto';
  if (!(INPUT_FORMATS as readonly string[]).includes(format)) {
    throw new KtError('KT_E_USAGE', `unknown --input-format '${format}'; one of: ${INPUT_FORMATS.join(', ')}`);
  }
  const output = values.format ?? (values.json ? 'json' : 'text');
  if (!(OUTPUT_FORMATS as readonly string[]).includes(output)) {
    throw new KtError('KT_E_USAGE', `unknown --format '${output}'; one of: ${OUTPUT_FORMATS.join(', ')}`);
  }
  if (values.json && values.format !== undefined && values.format !== 'json') throw new KtError('KT_E_USAGE', `--json and --format ${values.format} disagree`);
  const fromEnv = (env['KTRIAGE_KNOWN_ISSUES'] ?? '').split(':').filter((p) => p !== '');
  const options: AnalyzeOptions = {
    inputs: positionals,
    inputFormat: format as InputFormat,
    format: output as OutputFormat,
    knownIssues: [...(values['known-issues'] ?? []), ...fromEnv],
    exitCode: values['exit-code'] ?? false,
    color: isTty && !values['no-color'] && !env['NO_COLOR'],
  };
  if (values.vmlinux !== undefined) options.vmlinux = values.vmlinux;
  if (values.modules !== undefined) options.modules = values.modules;
  if (!values['no-symbol-cache']) options.symbolCache = defaultCacheDir(env);
  if (values['debug-dir'] !== undefined) options.debugDirs = values['debug-dir'];
  if (values['system-map'] !== undefined) options.systemMap = values['system-map'];
  if (values.disassemble) options.disassemble = true;
  const indexCache = dumpIndexCacheDir(env);
  if (indexCache) options.dumpIndexCache = indexCache;
  const worker = env['KTRIAGE_ANALYZE_WORKER'];
  if (worker === '0' || worker === '1') options.decodeWorker = worker === '1';
  if (values['quiet-seconds'] !== undefined) {
    const quiet = Number(values['quiet-seconds']);
    if (!values.follow) throw new KtError('KT_E_USAGE', '--quiet-seconds goes with --follow');
    if (!Number.isFinite(quiet) || quiet <= 0 || quiet > 3600) throw new KtError('KT_E_USAGE', `--quiet-seconds takes a number of seconds from 0.1 to 3600, not '${values['quiet-seconds']}'`);
    options.quietSeconds = quiet;
  }
  if (values.follow) {
    if (positionals.length !== 1 || values.boot !== undefined) throw new KtError('KT_E_USAGE', '--follow reads one FILE or - (standard input)');
    if (output === 'markdown' || output === 'html') throw new KtError('KT_E_USAGE', `--follow prints each report as it comes: text or --json, not ${output}`);
    options.follow = true;
  }
  if (values.boot !== undefined) {
    if (!/^-?\d+$/.test(values.boot)) throw new KtError('KT_E_USAGE', `--boot takes a number such as 0 or -1, not '${values.boot}'`);
    if (positionals.length > 0) throw new KtError('KT_E_USAGE', '--boot reads the local journal; give either --boot or files, not both');
    options.boot = Number(values.boot);
  } else if (positionals.length === 0) {
    throw new KtError('KT_E_USAGE', `no input given (use - for standard input)\n\n${ANALYZE_USAGE}`);
  }
  return options;
}

/** `--boot -1` is what users type (as for `journalctl -b -1`); parseArgs would read `-1` as an option. */
function joinNegativeBoot(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const next = argv[i + 1];
    if (argv[i] === '--boot' && next !== undefined && /^-\d+$/.test(next)) {
      out.push(`--boot=${next}`);
      i++;
    } else out.push(argv[i] ?? '');
  }
  return out;
}
