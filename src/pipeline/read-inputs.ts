import { KtError } from '../errors.js';
import { openJournalBoot } from '../logs/journal-boot.js';
import type { InputFormat } from '../logs/log-line.js';
import type { LogWindow } from '../logs/log-stream.js';
import { READ_CHUNK_BYTES, READ_POOL } from '../logs/open-input.js';
import { openLog, type OpenedLog } from '../logs/read-log.js';
import { shippedTriggerFilters } from '../reports/window-filter.js';
import { dumpFormatOf } from '../vmcore/sniff-dump.js';
import type { InputSummaries } from './report-analysis.js';

/** What to read: files (`-` for stdin; crash dumps are recognised), or a boot of the local journal. */
export interface InputSpec {
  paths: readonly string[];
  format: InputFormat;
  /** Read boot N of the local journal instead of files. */
  boot?: number;
  /** Where a flattened dump's record index is kept between runs. */
  dumpIndexCache?: string;
}

/** Where the lines of the inputs go: an Analyzer, or the reading half of one whose analysis runs elsewhere. */
export interface WindowTarget {
  beginInput(source: string, format: string): void;
  pushWindow(window: LogWindow, source: string): void;
  /** A target that may fall behind: the reader waits on it before the next block. */
  ready?(): Promise<void> | undefined;
}

/**
 * Every input's lines, in turn, into one target (so copies across inputs are dropped); says
 * what each input was. Every input is opened (and sniffed) before any is read: a missing or
 * unreadable one is reported before any output.
 */
export async function readInputs(spec: InputSpec, target: WindowTarget): Promise<InputSummaries> {
  // The first log file is read where the byte scan looks: its blocks then need no copy.
  const pool = shippedTriggerFilters().bytes?.claimReadPool(READ_POOL, READ_CHUNK_BYTES);
  try {
    const logs = await openInputs(spec, pool?.buffers);
    const inputs: InputSummaries = [];
    for (const log of logs) {
      target.beginInput(log.source, log.format);
      const stopped = await readWindows(log, target);
      const summary: InputSummaries[number] = { source: log.source, format: log.format, lines: log.stats.lines };
      if (log.dump) summary.dump = log.dump;
      const partial = stopped ?? log.stats.partial;
      if (partial) summary.partial = partial;
      inputs.push(summary);
    }
    return inputs;
  } finally {
    pool?.release();
  }
}

/**
 * One input's windows into the target. A read that fails once lines have come (a connection
 * reset on standard input, an I/O error on a disk) ends that input there: what was read is
 * analysed and the input is marked partial with the reason, so the output is whole and says so.
 */
async function readWindows(log: OpenedLog, target: WindowTarget): Promise<string | undefined> {
  try {
    for await (const window of log.windows) {
      target.pushWindow(window, log.source);
      const behind = target.ready?.();
      if (behind) await behind;
    }
    return undefined;
  } catch (e) {
    if (!(e instanceof KtError) || !READ_FAILURES.has(e.code)) throw e;
    return `reading stopped at line ${log.stats.lines}: ${e.message}`;
  }
}

/** Errors of the reading itself (not of the analysis, nor of a worker): the input is partial. */
const READ_FAILURES: ReadonlySet<string> = new Set(['KT_E_UNREADABLE']);

async function openInputs(spec: InputSpec, readBuffers: Buffer[] | undefined): Promise<OpenedLog[]> {
  if (spec.boot !== undefined) return [await openJournalBoot(spec.boot)];
  const logs: OpenedLog[] = [];
  for (const path of spec.paths) {
    if (isDump(spec, path)) {
      const indexCacheDir = spec.dumpIndexCache;
      logs.push(await import('../vmcore/vmcore-log.js').then((m) => m.openVmcoreLog(path, indexCacheDir ? { indexCacheDir } : {})));
    } else {
      logs.push(await openLog({ path, format: spec.format, readBuffers }));
      readBuffers = undefined;
    }
  }
  return logs;
}

/** A path read as a crash dump rather than a log. */
export function isDump(spec: Pick<InputSpec, 'format'>, path: string): boolean {
  return spec.format === 'auto' && dumpFormatOf(path) !== undefined;
}
