import { statSync } from 'node:fs';
import type { AnalysisResult } from '../reports/crash-report.js';
import type { RawReportSink } from '../reports/collect-reports.js';
import { ReportExtractor, type LineFindings } from '../reports/extract-reports.js';
import { loadBundledKnownIssues, loadKnownIssues, type KnownIssueRule } from '../analysis/known-issues.js';
import { openJournalBoot } from '../logs/journal-boot.js';
import { openLog, type OpenedLog } from '../logs/read-log.js';
import { dumpFormatOf } from '../vmcore/sniff-dump.js';
import { EXIT } from '../errors.js';
import { renderJson } from '../render/json-renderer.js';
import { renderText } from '../render/text-renderer.js';
import { renderMarkdown } from '../render/markdown-renderer.js';
import { renderHtml } from '../render/html-renderer.js';
import { startAnalyzeWorker } from './analyze-in-worker.js';
import type { AnalyzeOptions } from './parse-args.js';
import { StreamingAnalysis, type InputSummaries } from './streaming-analysis.js';

/** Reads every input in turn through one extractor, so duplicates across inputs are dropped. */
export async function analyze(options: AnalyzeOptions): Promise<AnalysisResult> {
  return analyzeHere(options, await loadRules(options));
}

/** Decoding and diagnosis on this thread, as the reports close. */
async function analyzeHere(options: AnalyzeOptions, knownIssues: readonly KnownIssueRule[]): Promise<AnalysisResult> {
  const analysis = new StreamingAnalysis(options, knownIssues);
  const { inputs, findings } = await readInputs(options, analysis);
  return analysis.finish(inputs, findings);
}

/** The bundled known-issues rules and the user's, read before any input: a mistake in a rules file is reported first. */
async function loadRules(options: AnalyzeOptions): Promise<KnownIssueRule[]> {
  return [...(await loadBundledKnownIssues()), ...(await Promise.all(options.knownIssues.map((path) => loadKnownIssues(path)))).flat()];
}

/** A sink that may fall behind: the reader waits on `ready()` before taking the next block. */
type PacedSink = RawReportSink & { ready?(): Promise<void> | undefined };

/** Every input's lines through one extractor whose reports go to `sink`. */
async function readInputs(options: AnalyzeOptions, sink: PacedSink): Promise<{ inputs: InputSummaries; findings: LineFindings }> {
  const extractor = new ReportExtractor(sink);
  const inputs: InputSummaries = [];
  const logs: (() => Promise<OpenedLog>)[] =
    options.boot !== undefined
      ? [() => openJournalBoot(options.boot ?? 0)]
      : options.inputs.map((path) => () =>
          isDump(options, path) ? import('../vmcore/vmcore-log.js').then((m) => m.openVmcoreLog(path)) : openLog({ path, format: options.inputFormat }));
  for (const open of logs) {
    const log = await open();
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
}

function isDump(options: AnalyzeOptions, path: string): boolean {
  return options.inputFormat === 'auto' && dumpFormatOf(path) !== undefined;
}

const RENDERERS = {
  text: (result: AnalysisResult, options: AnalyzeOptions) => renderText(result, { color: options.color }),
  json: (result: AnalysisResult) => renderJson(result),
  markdown: (result: AnalysisResult) => renderMarkdown(result),
  html: (result: AnalysisResult) => renderHtml(result),
} as const;

/** An analysis as the user asked to see it, and how many reports it holds (for the exit status). */
export interface RenderedAnalysis {
  output: string;
  reportCount: number;
}

export function renderAnalysis(result: AnalysisResult, options: AnalyzeOptions): RenderedAnalysis {
  return { output: RENDERERS[options.format](result, options), reportCount: result.reports.length };
}

/**
 * Inputs at least this big are decoded in a worker thread: on a log of gigabytes the reading
 * and the decoding each take about a second, and a second core runs them side by side.
 */
export const WORKER_MIN_INPUT_BYTES = 64 * 1024 * 1024;

export async function runAnalyze(options: AnalyzeOptions, out: NodeJS.WritableStream): Promise<number> {
  const { output, reportCount } = await analyzeAndRender(options);
  out.write(output);
  if (!options.exitCode) return EXIT.noCrash;
  return reportCount > 0 ? EXIT.crashFound : EXIT.noCrash;
}

async function analyzeAndRender(options: AnalyzeOptions): Promise<RenderedAnalysis> {
  const useWorker = options.decodeWorker ?? inputBytes(options) >= WORKER_MIN_INPUT_BYTES;
  const knownIssues = await loadRules(options);
  const worker = useWorker ? startAnalyzeWorker(options, knownIssues) : undefined;
  if (!worker) return renderAnalysis(await analyzeHere(options, knownIssues), options);
  try {
    const { inputs, findings } = await readInputs(options, worker);
    return await worker.finish(findings, inputs);
  } finally {
    worker.stop();
  }
}

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
