import { SCHEMA_VERSION, type AnalysisResult } from '../reports/crash-report.js';
import { ReportExtractor } from '../reports/extract-reports.js';
import { diagnoseAll } from '../analysis/diagnose.js';
import { diagnoseIncident } from '../analysis/diagnose-incident.js';
import { loadBundledKnownIssues, loadKnownIssues } from '../analysis/known-issues.js';
import { openJournalBoot } from '../logs/journal-boot.js';
import { openLog, type OpenedLog } from '../logs/read-log.js';
import { dumpFormatOf } from '../vmcore/sniff-dump.js';
import { EXIT } from '../errors.js';
import { renderJson } from '../render/json-renderer.js';
import { renderText } from '../render/text-renderer.js';
import { renderMarkdown } from '../render/markdown-renderer.js';
import { renderHtml } from '../render/html-renderer.js';
import type { AnalyzeOptions } from './parse-args.js';

/** Reads every input in turn through one extractor, so duplicates across inputs are dropped. */
export async function analyze(options: AnalyzeOptions): Promise<AnalysisResult> {
  // Rules first: a mistake in a rules file is reported before any input is read.
  const knownIssues = [...(await loadBundledKnownIssues()), ...(await Promise.all(options.knownIssues.map((path) => loadKnownIssues(path)))).flat()];
  const extractor = new ReportExtractor();
  const inputs: AnalysisResult['inputs'] = [];
  const logs: (() => Promise<OpenedLog>)[] =
    options.boot !== undefined
      ? [() => openJournalBoot(options.boot ?? 0)]
      : options.inputs.map((path) => () =>
          options.inputFormat === 'auto' && dumpFormatOf(path) !== undefined
            ? import('../vmcore/vmcore-log.js').then((m) => m.openVmcoreLog(path))
            : openLog({ path, format: options.inputFormat }));
  for (const open of logs) {
    const log = await open();
    extractor.beginInput(log.source, log.format);
    for await (const window of log.windows) extractor.pushWindow(window, log.source);
    const summary: AnalysisResult['inputs'][number] = { source: log.source, format: log.format, lines: log.stats.lines };
    if (log.dump) summary.dump = log.dump;
    if (log.stats.partial) summary.partial = log.stats.partial;
    inputs.push(summary);
  }
  const extraction = extractor.finish();
  let reports = diagnoseAll(extraction.reports, extraction.incidents);
  // Symbol files and the disassembler are loaded only when asked for: most runs need neither.
  if (wantsSymbols(options)) reports = await (await import('./enrich-symbols.js')).enrichWithSymbols(reports, options);
  if (options.disassemble) reports = await (await import('../symbols/disassemble-code.js')).disassembleReports(reports);
  const byId = new Map(reports.map((r) => [r.id, r]));
  const incidents = extraction.incidents.map((incident) => ({ ...incident, diagnosis: diagnoseIncident(incident, byId, extraction.precursors, knownIssues) }));
  return { schemaVersion: SCHEMA_VERSION, inputs, ...extraction, reports, incidents };
}

function wantsSymbols(options: AnalyzeOptions): boolean {
  return options.vmlinux !== undefined || options.modules !== undefined || options.debugDirs !== undefined || options.systemMap !== undefined;
}

const RENDERERS = {
  text: (result: AnalysisResult, options: AnalyzeOptions) => renderText(result, { color: options.color }),
  json: (result: AnalysisResult) => renderJson(result),
  markdown: (result: AnalysisResult) => renderMarkdown(result),
  html: (result: AnalysisResult) => renderHtml(result),
} as const;

export async function runAnalyze(options: AnalyzeOptions, out: NodeJS.WritableStream): Promise<number> {
  const result = await analyze(options);
  out.write(RENDERERS[options.format](result, options));
  if (!options.exitCode) return EXIT.noCrash;
  return result.reports.length > 0 ? EXIT.crashFound : EXIT.noCrash;
}
