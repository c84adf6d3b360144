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
      for await (const window of log.windows) {
        target.pushWindow(window, log.source);
        const behind = target.ready?.();
        if (behind) await behind;
      }
      const summary: InputSummaries[number] = { source: log.source, format: log.format, lines: log.stats.lines };
      if (log.dump) summary.dump = log.dump;
      if (log.stats.partial) summary.partial = log.stats.partial;
      inputs.push(summary);
    }
    return inputs;
  } finally {
    pool?.release();
  }
}

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
