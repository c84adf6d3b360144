import { fstatSync, statSync } from 'node:fs';
import { isatty } from 'node:tty';
import { SCHEMA_VERSION, type AnalysisResult, type AnalysisTail, type CrashReport, type Incident } from '../reports/crash-report.js';
import { ReportExtractor } from '../reports/extract-reports.js';
import { EXIT } from '../errors.js';
import { createAnalyzer, isDump, loadRules, readInputs, type InputSpec } from '../pipeline/index.js';
import { JsonDocumentWriter } from '../render/json-renderer.js';
import { renderTextOf, textReport, type TextReport } from '../render/text-renderer.js';
import { markdownIncident, renderMarkdownOf, type MarkdownIncident } from '../render/markdown-renderer.js';
import { htmlIncident, renderHtmlOf, type HtmlIncident } from '../render/html-renderer.js';
import { startAnalyzeWorker, type WorkerOutput } from './analyze-in-worker.js';
import type { AnalyzeOptions } from './parse-args.js';

/** The whole answer for the inputs the options name, in memory (tests, the vmcore command). */
export async function analyze(options: AnalyzeOptions): Promise<AnalysisResult> {
  const rules = await loadRules({ knownIssueFiles: options.knownIssues });
  const reports: CrashReport[] = [];
  const enrich = enrichmentOf(options);
  const analyzer = createAnalyzer({ rules, clock: 'log', onReport: (report) => reports.push(report), ...(enrich && { enrich }) });
  const inputs = await readInputs(inputSpecOf(options), analyzer);
  const tail = await withDumpKernels(await analyzer.finish(inputs), options, reports.some(isOutOfMemory));
  return { schemaVersion: SCHEMA_VERSION, reports, ...tail };
}

const isOutOfMemory = (r: CrashReport): boolean => r.kind === 'oom-kill' || /out of memory/i.test(r.title ?? '');

/**
 * The one place the analysis reads a dump's own kernel structures (src/kernel/): for each dump
 * input, the panic task's and every CPU's stack, the D-state tasks, the modules and, when
 * memory ran out, the largest tasks.
 */
async function withDumpKernels(tail: AnalysisTail, options: AnalyzeOptions, outOfMemory: boolean): Promise<AnalysisTail> {
  const spec = inputSpecOf(options);
  const dumps = options.inputs.filter((p) => p !== '-' && isDump(spec, p));
  if (dumps.length === 0) return tail;
  const { dumpKernelState } = await import('../kernel/dump-state.js');
  const cache = options.dumpIndexCache === undefined ? {} : { indexCacheDir: options.dumpIndexCache };
  return { ...tail, kernels: dumps.map((p) => dumpKernelState(p, { outOfMemory, ...cache })) };
}

export function inputSpecOf(options: AnalyzeOptions): InputSpec {
  const spec: InputSpec = { paths: options.inputs, format: options.inputFormat };
  if (options.boot !== undefined) spec.boot = options.boot;
  if (options.dumpIndexCache !== undefined) spec.dumpIndexCache = options.dumpIndexCache;
  return spec;
}

/** What the options ask done to reports before diagnosis (symbols, disassembly); loaded only then. */
export function enrichmentOf(options: AnalyzeOptions): ((reports: CrashReport[]) => Promise<CrashReport[]>) | undefined {
  const symbols = options.vmlinux !== undefined || options.modules !== undefined || options.debugDirs !== undefined || options.systemMap !== undefined;
  if (!symbols && !options.disassemble) return undefined;
  return async (reports) => {
    if (symbols) reports = await (await import('./enrich-symbols.js')).enrichWithSymbols(reports, options);
    if (options.disassemble) reports = await (await import('../symbols/disassemble-code.js')).disassembleReports(reports);
    return reports;
  };
}

/** Where the reports of an analysis go as they come, and how the output ends. */
export interface OutputWriter {
  report(report: CrashReport): void;
  /** Each incident once diagnosed, with its reports (views laid out per incident). */
  incident?(incident: Incident, reports: readonly CrashReport[]): void;
  /** Writes what is left; returns the number of reports. */
  end(tail: AnalysisTail): number;
}

/**
 * `--json` is written as it goes (each report once its incident is diagnosed, then the rest):
 * memory stays flat on a long log. The text view is written at the end but keeps each report
 * only as the lines it shows; Markdown and HTML keep each incident only as its laid-out part.
 */
export function outputWriter(options: AnalyzeOptions, write: (text: string) => void): OutputWriter {
  const format = options.format;
  if (format === 'json') {
    const writer = new JsonDocumentWriter(write, SCHEMA_VERSION);
    return {
      report: (report) => writer.report(report),
      end: (tail) => {
        writer.end(tail);
        return writer.reportCount;
      },
    };
  }
  if (format === 'text') {
    const textOptions = { color: options.color };
    const laidOut: TextReport[] = [];
    return {
      report: (report) => laidOut.push(textReport(report, textOptions)),
      end: (tail) => {
        write(renderTextOf(tail, laidOut, textOptions));
        return laidOut.length;
      },
    };
  }
  // Markdown and HTML: each incident laid out as soon as it is diagnosed, its reports let go.
  let reports = 0;
  if (format === 'markdown') {
    const laidOut: MarkdownIncident[] = [];
    return {
      report: () => reports++,
      incident: (incident, own) => laidOut.push(markdownIncident(incident, own)),
      end: (tail) => {
        write(renderMarkdownOf(tail, reports, laidOut));
        return reports;
      },
    };
  }
  const laidOut: HtmlIncident[] = [];
  return {
    report: () => reports++,
    incident: (incident, own) => laidOut.push(htmlIncident(incident, own)),
    end: (tail) => {
      write(renderHtmlOf(tail, reports, laidOut));
      return reports;
    },
  };
}

/**
 * Inputs at least this big are decoded in a worker thread: on a log of gigabytes the reading
 * and the decoding each take about a second, and a second core runs them side by side.
 */
export const WORKER_MIN_INPUT_BYTES = 64 * 1024 * 1024;

export async function runAnalyze(options: AnalyzeOptions, out: NodeJS.WritableStream): Promise<number> {
  if (options.follow) return (await import('./analyze-follow.js')).runFollow(options, out);
  const write = (output: string | Uint8Array) => void out.write(output);
  const useWorker = options.decodeWorker ?? inputBytes(options) >= WORKER_MIN_INPUT_BYTES;
  const rules = await loadRules({ knownIssueFiles: options.knownIssues });
  const worker = useWorker ? startAnalyzeWorker(options, rules.knownIssues, workerOutput(out, write)) : undefined;
  let reportCount: number;
  if (worker) {
    try {
      // This thread reads and cuts reports out; the worker decodes and diagnoses them and writes.
      const extractor = new ReportExtractor(worker);
      const inputs = await readInputs(inputSpecOf(options), {
        beginInput: (source, format) => extractor.beginInput(source, format),
        pushWindow: (window, source) => extractor.pushWindow(window, source),
        ready: () => worker.ready(),
      });
      reportCount = await worker.finish(extractor.finish(), inputs);
    } finally {
      worker.stop();
    }
  } else {
    const writer = outputWriter(options, write);
    const enrich = enrichmentOf(options);
    let outOfMemory = false;
    const onReport = (report: CrashReport): void => {
      outOfMemory ||= isOutOfMemory(report);
      writer.report(report);
    };
    const analyzer = createAnalyzer({
      rules,
      clock: 'log',
      onReport,
      ...(writer.incident && { onIncident: writer.incident }),
      ...(enrich && { enrich }),
    });
    const inputs = await readInputs(inputSpecOf(options), analyzer);
    reportCount = writer.end(await withDumpKernels(await analyzer.finish(inputs), options, outOfMemory));
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
    if (path === '-' || isDump({ format: options.inputFormat }, path)) continue;
    try {
      total += statSync(path).size;
    } catch {
      // Reading it will say what is wrong.
    }
  }
  return total;
}
