import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EXIT, KtError } from '../errors.js';
import { dumpIndexCacheDir } from '../cache-dir.js';
import { formatDmesg } from '../vmcore/dmesg-text.js';
import { readKernelLog } from '../vmcore/kernel-log.js';
import { openVmcore, type Vmcore } from '../vmcore/open-vmcore.js';
import { terminalProgress } from '../vmcore/progress.js';
import type { PrintkLog } from '../vmcore/printk-ringbuffer.js';
import type { VmcoreFacts } from '../vmcore/vmcore-info.js';
import { dumpFormatOf } from '../vmcore/sniff-dump.js';
import { FileSource } from '../vmcore/byte-source.js';
import { parseAnalyzeArgs } from './parse-args.js';
import { escapeControls } from './error-line.js';

import { INSPECT_SUBCOMMANDS, INSPECT_USAGE } from './vmcore-inspect-usage.js';

export const VMCORE_USAGE = `usage: ktriage vmcore [options] DUMP...     analyse the kernel log of crash dumps
       ktriage vmcore dmesg [--style S] DUMP   print the kernel log of a dump
       ktriage vmcore info [--json] DUMP       print the facts of a dump
${INSPECT_USAGE}

DUMP is an ELF core (/proc/vmcore, makedumpfile -E, QEMU dump-guest-memory), a
kdump-compressed file (makedumpfile -c/-l/-p/-z) or makedumpfile's flattened
stream (-F, QEMU kdump-*), read in place; no vmlinux is needed.

options of 'vmcore': those of 'ktriage analyze' (--format, --json, --known-issues,
                      --exit-code, --no-color)
options of 'vmcore dmesg':
  --style vmcore-dmesg   as kexec-tools' vmcore-dmesg prints it (default)
  --style makedumpfile   as makedumpfile --dump-dmesg prints it (lines after a
                         newline inside a record indented under the text)`;

export async function runVmcore(argv: string[], env: NodeJS.ProcessEnv, isTty: boolean, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const [sub, ...rest] = argv;
  const indexCacheDir = dumpIndexCacheDir(env);
  if (sub === 'dmesg') return runDmesg(rest, out, err, indexCacheDir);
  if (sub === 'info') return runInfo(rest, out, indexCacheDir);
  if (sub !== undefined && INSPECT_SUBCOMMANDS.has(sub)) {
    const { runInspect } = await import('./vmcore-inspect-command.js');
    return runInspect(sub, rest, out, err, indexCacheDir);
  }
  const options = parseAnalyzeArgs(argv, env, isTty);
  for (const path of options.inputs) {
    FileSource.open(path).close(); // a missing or unreadable file says so, as 'vmcore dmesg' does
    if (dumpFormatOf(path) === undefined) {
      throw new KtError('KT_E_DUMP_UNSUPPORTED', `${path}: not a crash dump (no ELF core, KDUMP or makedumpfile signature); use 'ktriage analyze' for logs`);
    }
  }
  const { runAnalyze } = await import('./analyze-command.js');
  return runAnalyze(options, out);
}

function parseDumpArgs(argv: string[], options: NonNullable<ParseArgsConfig['options']>): { values: Record<string, unknown>; path: string } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options });
  } catch (e) {
    throw new KtError('KT_E_USAGE', `${(e as Error).message}\n\n${VMCORE_USAGE}`);
  }
  if (parsed.positionals.length !== 1) throw new KtError('KT_E_USAGE', `give exactly one dump file\n\n${VMCORE_USAGE}`);
  return { values: parsed.values, path: parsed.positionals[0] as string };
}

function runDmesg(argv: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream, indexCacheDir: string | undefined): number {
  const { values, path } = parseDumpArgs(argv, { style: { type: 'string', default: 'vmcore-dmesg' } });
  const style = values['style'];
  if (style !== 'vmcore-dmesg' && style !== 'makedumpfile') throw new KtError('KT_E_USAGE', `--style is vmcore-dmesg or makedumpfile, not '${String(style)}'`);
  let log: PrintkLog;
  const progress = process.stderr.isTTY ? terminalProgress(process.stderr) : undefined;
  let core: Vmcore | undefined;
  try {
    core = openVmcore(path, { ...(progress ? { progress: progress.sink } : {}), ...(indexCacheDir ? { indexCacheDir } : {}) });
    log = readKernelLog(core);
  } finally {
    core?.close();
    progress?.done();
  }
  out.write(formatDmesg(log.records, style));
  if (log.partial) err.write(`ktriage: warning: ${escapeControls(`${path}: partial log: ${log.partial}`)}\n`);
  return EXIT.noCrash;
}

async function runInfo(argv: string[], out: NodeJS.WritableStream, indexCacheDir: string | undefined): Promise<number> {
  const { values, path } = parseDumpArgs(argv, { json: { type: 'boolean', default: false } });
  const { vmcoreFacts } = await import('../vmcore/vmcore-info.js'); // not loaded for `vmcore dmesg`
  const core = openVmcore(path, indexCacheDir ? { indexCacheDir } : {});
  let facts: VmcoreFacts;
  try {
    let log: PrintkLog | undefined;
    let logError: string | undefined;
    try {
      log = readKernelLog(core);
    } catch (e) {
      if (!(e instanceof KtError)) throw e;
      logError = e.message;
    }
    facts = vmcoreFacts(core, log, logError);
  } finally {
    core.close();
  }
  out.write(values['json'] ? `${JSON.stringify(facts, null, 2)}\n` : renderFacts(facts));
  return EXIT.noCrash;
}

function renderFacts(f: VmcoreFacts): string {
  const lines: string[] = [];
  const row = (k: string, v: string | number | undefined): void => {
    if (v !== undefined) lines.push(`${`${k}:`.padEnd(32)}${v}`);
  };
  row('dump', f.source);
  row('format', f.format);
  row('compression', f.compression);
  row('kernel release', f.release);
  row('build id', f.buildId);
  row('crash time', f.crashTime);
  row('page size', f.pageSize);
  row('KASLR offset', f.kaslrOffset);
  row('phys_base', f.physBase);
  row('paging levels', f.pagingLevels);
  row('log records', f.logRecords);
  row('panic', f.panicMessage);
  if (f.partial) row('PARTIAL', f.partial);
  for (const [k, v] of Object.entries(f.container)) row(k, v);
  for (const cpu of f.cpus) {
    lines.push(`CPU ${cpu.cpu} (pid ${cpu.pid}):`);
    const names = Object.keys(cpu.registers);
    for (let i = 0; i < names.length; i += 3) {
      lines.push(`  ${names.slice(i, i + 3).map((n) => `${n.toUpperCase().padStart(8)}: ${cpu.registers[n]}`).join(' ')}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
