import { parseArgs } from 'node:util';
import { EXIT, KtError } from '../errors.js';
import { readBoundedFile, readBoundedStream } from '../read-bounded.js';
import { annotateTrace, moduleNamesIn } from '../symbols/annotate-trace.js';
import { SymbolFile, formatAddr2Line, type AddressInfo } from '../symbols/symbol-file.js';
import { defaultCacheDir } from '../cache-dir.js';
import { DEFAULT_DEBUG_DIRS, findByBuildId } from '../symbols/build-id-files.js';
import { debuginfodUrls, fetchDebuginfo } from '../symbols/debuginfod-client.js';
import { FileSymbolSource } from '../symbols/symbol-source.js';
import { SYMBOLIZE_USAGE } from './symbolize-usage.js';
import { escapeControls } from './error-line.js';

export async function runSymbolize(argv: string[], stdin: NodeJS.ReadableStream, out: NodeJS.WritableStream): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        vmlinux: { type: 'string' },
        modules: { type: 'string' },
        addr2line: { type: 'boolean', default: false },
        exe: { type: 'string', short: 'e' },
        functions: { type: 'boolean', short: 'f', default: false },
        inlines: { type: 'boolean', short: 'i', default: false },
        addresses: { type: 'boolean', short: 'a', default: false },
        pretty: { type: 'boolean', short: 'p', default: false },
        'binutils-2.40': { type: 'boolean', default: false },
        'no-symbol-cache': { type: 'boolean', default: false },
        'build-id': { type: 'string' },
        'debug-dir': { type: 'string', multiple: true },
      },
    });
  } catch (e) {
    throw new KtError('KT_E_USAGE', `${(e as Error).message}\n\n${SYMBOLIZE_USAGE}`);
  }
  const { values, positionals } = parsed;
  const cacheDir = values['no-symbol-cache'] ? undefined : defaultCacheDir(process.env);
  if (values.addr2line) {
    const exe = values.exe ?? (values['build-id'] !== undefined ? await fileOfBuildId(values['build-id'].toLowerCase(), values['debug-dir'], cacheDir) : undefined);
    if (!exe) throw new KtError('KT_E_USAGE', `--addr2line needs -e FILE or --build-id ID\n\n${SYMBOLIZE_USAGE}`);
    const file = SymbolFile.open(exe, { binutils240: values['binutils-2.40'] ?? false, ...(cacheDir !== undefined && { cacheDir }) });
    const addresses = positionals.length > 0 ? positionals : (await readAll(stdin)).split('\n').filter((l) => l.trim() !== '');
    const opts = { functions: values.functions ?? false, inlines: values.inlines ?? false, pretty: values.pretty ?? false };
    const pcs = addresses.map(parseHexAddress);
    const answers = file.lookupMany(pcs);
    pcs.forEach((pc, i) => {
      if (values.addresses) out.write(`0x${pc.toString(16).padStart(file.elf.is64 ? 16 : 8, '0')}${opts.pretty ? ': ' : '\n'}`);
      out.write(formatAddr2Line(answers[i] as AddressInfo, opts));
    });
    file.saveCache();
    return EXIT.noCrash;
  }
  if (values.vmlinux === undefined && values.modules === undefined) throw new KtError('KT_E_USAGE', `give --vmlinux and/or --modules\n\n${SYMBOLIZE_USAGE}`);
  const source = new FileSymbolSource({
    ...(values.vmlinux !== undefined && { vmlinux: values.vmlinux }),
    ...(values.modules !== undefined && { modules: values.modules }),
    ...(cacheDir !== undefined && { cacheDir }),
  });
  const input = positionals[0] === undefined || positionals[0] === '-' ? await readAll(stdin) : readFile(positionals[0]);
  const lines = input.split('\n');
  await source.prefetchModules(moduleNamesIn(lines));
  const last = lines[lines.length - 1] === '' ? lines.pop() : undefined;
  out.write(annotateTrace(lines, source).join('\n') + (last === '' ? '\n' : ''));
  source.saveCaches();
  for (const note of source.notes) process.stderr.write(`ktriage: ${escapeControls(note)}\n`);
  return EXIT.noCrash;
}

/** A build id's file: a debug directory's .build-id/ tree, else a debuginfod download. */
async function fileOfBuildId(buildId: string, debugDirs: string[] | undefined, cacheDir: string | undefined): Promise<string> {
  const local = findByBuildId(buildId, debugDirs ?? DEFAULT_DEBUG_DIRS);
  if (local) return local;
  const urls = debuginfodUrls(process.env);
  const notes: string[] = [];
  if (urls.length > 0 && cacheDir !== undefined) {
    const fetched = await fetchDebuginfo(buildId, urls, `${cacheDir}/debuginfod`, notes);
    if (fetched) return fetched;
  }
  throw new KtError('KT_E_NO_SYMBOLS', `no debug file for build id ${buildId} in ${(debugDirs ?? DEFAULT_DEBUG_DIRS).join(', ')}${urls.length > 0 ? ` nor on ${urls.join(', ')}${notes.length ? ` (${notes.join('; ')})` : ''}` : ' (DEBUGINFOD_URLS is not set)'}`);
}

/** What binutils' bfd_scan_vma accepts: optional 0x, then hex digits; anything else stops it. */
export function parseHexAddress(text: string): bigint {
  const m = /^\s*(?:0[xX])?([0-9a-fA-F]*)/.exec(text);
  const digits = m?.[1] ?? '';
  if (digits === '') return 0n;
  return BigInt.asUintN(64, BigInt(`0x${digits.slice(-16)}`));
}

/** A trace or report to annotate is read whole; a log is for `analyze`. */
const TRACE_READ = { limit: 64 << 20, what: 'trace to symbolize' };

function readFile(path: string): string {
  return readBoundedFile(path, TRACE_READ).toString('utf8');
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  return (await readBoundedStream(stream, '-', TRACE_READ)).toString('utf8');
}
