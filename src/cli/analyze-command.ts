import { fstatSync, statSync } from 'node:fs';
import { isatty } from 'node:tty';
import { SCHEMA_VERSION, type AnalysisResult, type CrashReport } from '../reports/crash-report.js';
import type { RawReportSink } from '../reports/collect-reports.js';
import { ReportExtractor, type LineFindings } from '../reports/extract-reports.js';
import { shippedTriggerFilters } from '../reports/window-filter.js';
import { loadBundledKnownIssues, loadKnownIssues, type KnownIssueRule } from '../analysis/known-issues.js';
import { openJournalBoot } from '../logs/journal-boot.js';
import { READ_CHUNK_BYTES, READ_POOL } from '../logs/open-input.js';
import { openLog, type OpenedLog } from '../logs/read-log.js';
import { dumpFormatOf } from '../vmcore/sniff-dump.js';
import { EXIT } from '../errors.js';
import { JsonDocumentWriter } from '../render/json-renderer.js';
import { renderTextOf, textReport, type TextReport } from '../render/text-renderer.js';
import { renderMarkdown } from '../render/markdown-renderer.js';
import { renderHtml } from '../render/html-renderer.js';
import { startAnalyzeWorker, type WorkerOutput } from './analyze-in-worker.js';
import type { AnalyzeOptions } from './parse-args.js';
import { StreamingAnalysis, type InputSummaries } from './streaming-analysis.js';

/** Reads every input in turn through one extractor, so duplicates across inputs are dropped. */
export async function analyze(options: AnalyzeOptions): Promise<AnalysisResult> {
  const knownIssues = await loadRules(options);
  const reports: CrashReport[] = [];
  const analysis = new StreamingAnalysis(options, knownIssues, (report) => reports.push(report));
  const { inputs, findings } = await readInputs(options, analysis);
  return { schemaVersion: SCHEMA_VERSION, reports, ...(await analysis.finish(inputs, findings)) };
}

/** The bundled known-issues rules and the user's, read before any input: a mistake in a rules file is reported first. */
async function loadRules(options: AnalyzeOptions): Promise<KnownIssueRule[]> {
  return [...(await loadBundledKnownIssues()), ...(await Promise.all(options.knownIssues.map((path) => loadKnownIssues(path)))).flat()];
}

/** A sink that may fall behind: the reader waits on `ready()` before taking the next block. */
type PacedSink = RawReportSink & { ready?(): Promise<void> | undefined };

/** Every input's lines through one extractor whose reports go to `sink`. */
async function readInputs(options: AnalyzeOptions, sink: PacedSink): Promise<{ inputs: InputSummaries; findings: LineFindings }> {
  // The first log file is read where the byte scan looks: its blocks then need no copy.
  const pool = shippedTriggerFilters().bytes?.claimReadPool(READ_POOL, READ_CHUNK_BYTES);
  try {
    const logs = await openInputs(options, pool?.buffers);
    const extractor = new ReportExtractor(sink);
    const inputs: InputSummaries = [];
    for (const log of logs) {
      extractor.beginInput(log.source, log.format);
      for await (const window of log.windows) {
        extractor.pushWindow(window, log.source);
        const behind = sink.ready?.();
        if (behind) await behind;
      }
      const summary: InputSummaries[number] = { source: log.source, format: log.format, lines: log.stats.lines };
      if (log.dump) summary.dump = log.dump;
      if (log.stats.partial) summary.partial = log.stats.partial;
      inputs.push(summary);
    }
    return { inputs, findings: extractor.finish() };
  } finally {
    pool?.release();
  }
}

/**
 * Every input opened (and sniffed) before any is read: a missing or unreadable one is reported
 * before any output. `readBuffers` go to the first log file.
 */
async function openInputs(options: AnalyzeOptions, readBuffers: Buffer[] | undefined): Promise<OpenedLog[]> {
  if (options.boot !== undefined) return [await openJournalBoot(options.boot)];
  const logs: OpenedLog[] = [];
  for (const path of options.inputs) {
    if (isDump(options, path)) {
      const indexCacheDir = options.dumpIndexCache;
      logs.push(await import('../vmcore/vmcore-log.js').then((m) => m.openVmcoreLog(path, indexCacheDir ? { indexCacheDir } : {})));
    } else {
      logs.push(await openLog({ path, format: options.inputFormat, readBuffers }));
      readBuffers = undefined;
    }
  }
  return logs;
}

function isDump(options: AnalyzeOptions, path: string): boolean {
  return options.inputFormat === 'auto' && dumpFormatOf(path) !== undefined;
}

const RENDERERS = {
  markdown: (result: AnalysisResult) => renderMarkdown(result),
  html: (result: AnalysisResult) => renderHtml(result),
} as const;

/** An analysis whose output goes to `write` as the user asked for it. */
export interface WrittenAnalysis {
  sink: RawReportSink;
  /** Writes what is left; resolves to the number of reports. */
  finish(inputs: InputSummaries, findings: LineFindings): Promise<number>;
}

/**
 * `--json` is written as it goes (each report once its incident is diagnosed, then the rest):
 * memory stays flat on a long log. The text view is written at the end but keeps each report
 * only as the lines it shows; Markdown and HTML lay out the whole analysis at the end.
 */
export function writtenAnalysis(options: AnalyzeOptions, knownIssues: readonly KnownIssueRule[], write: (text: string) => void): WrittenAnalysis {
  const format = options.format;
  if (format === 'json') {
    const writer = new JsonDocumentWriter(write, SCHEMA_VERSION);
    const analysis = new StreamingAnalysis(options, knownIssues, (report) => writer.report(report));
    return {
      sink: analysis,
      finish: async (inputs, findings) => {
        writer.end(await analysis.finish(inputs, findings));
        return writer.reportCount;
      },
    };
  }
  if (format === 'text') {
    // Each report laid out as it comes: the view is written at the end, but holds no report.
    const textOptions = { color: options.color };
    const laidOut: TextReport[] = [];
    const analysis = new StreamingAnalysis(options, knownIssues, (report) => laidOut.push(textReport(report, textOptions)));
    return {
      sink: analysis,
      finish: async (inputs, findings) => {
        write(renderTextOf(await analysis.finish(inputs, findings), laidOut, textOptions));
        return laidOut.length;
      },
    };
  }
  const reports: CrashReport[] = [];
  const analysis = new StreamingAnalysis(options, knownIssues, (report) => reports.push(report));
  return {
    sink: analysis,
    finish: async (inputs, findings) => {
      const result: AnalysisResult = { schemaVersion: SCHEMA_VERSION, reports, ...(await analysis.finish(inputs, findings)) };
      write(RENDERERS[format](result));
      return reports.length;
    },
  };
}

/**
 * Inputs at least this big are decoded in a worker thread: on a log of gigabytes the reading
 * and the decoding each take about a second, and a second core runs them side by side.
 */
export const WORKER_MIN_INPUT_BYTES = 64 * 1024 * 1024;

export async function runAnalyze(options: AnalyzeOptions, out: NodeJS.WritableStream): Promise<number> {
  const write = (output: string | Uint8Array) => void out.write(output);
  const useWorker = options.decodeWorker ?? inputBytes(options) >= WORKER_MIN_INPUT_BYTES;
  const knownIssues = await loadRules(options);
  const worker = useWorker ? startAnalyzeWorker(options, knownIssues, workerOutput(out, write)) : undefined;
  let reportCount: number;
  if (worker) {
    try {
      const { inputs, findings } = await readInputs(options, worker);
      reportCount = await worker.finish(findings, inputs);
    } finally {
      worker.stop();
    }
  } else {
    const analysis = writtenAnalysis(options, knownIssues, write);
    const { inputs, findings } = await readInputs(options, analysis.sink);
    reportCount = await analysis.finish(inputs, findings);
  }
  if (!options.exitCode) return EXIT.noCrash;
  return reportCount > 0 ? EXIT.crashFound : EXIT.noCrash;
}

/** Straight into standard output when it is a file or /dev/null (see WorkerOutput), else through `write`. */
function workerOutput(out: NodeJS.WritableStream, write: (output: string | Uint8Array) => void): WorkerOutput {
  if (out !== process.stdout || isatty(STDOUT_FD)) return { write };
  try {
    const st = fstatSync(STDOUT_FD);
    return st.isFile() || st.isCharacterDevice() ? { fd: STDOUT_FD } : { write };
  } catch {
    return { write };
  }
}
const STDOUT_FD = 1;

/** Bytes of the log files named (not dumps, not stdin or the journal, whose size is unknown). */
function inputBytes(options: AnalyzeOptions): number {
  if (options.boot !== undefined) return 0;
  let total = 0;
  for (const path of options.inputs) {
    if (path === '-' || isDump(options, path)) continue;
    try {
      total += statSync(path).size;
    } catch {
      // Reading it will say what is wrong.
    }
  }
  return total;
}
