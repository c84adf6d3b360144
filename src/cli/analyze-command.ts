import { SCHEMA_VERSION, type AnalysisResult } from '../reports/crash-report.js';
import { ReportExtractor } from '../reports/extract-reports.js';
import { diagnoseAll } from '../analysis/diagnose.js';
import { diagnoseIncident } from '../analysis/diagnose-incident.js';
import { BUNDLED_RULES_PATH, loadKnownIssues } from '../analysis/known-issues.js';
import { openJournalBoot } from '../logs/journal-boot.js';
import { openLog, type OpenedLog } from '../logs/read-log.js';
import { dumpFormatOf, openVmcoreLog } from '../vmcore/vmcore-log.js';
import { EXIT } from '../errors.js';
import { renderJson } from '../render/json-renderer.js';
import { renderText } from '../render/text-renderer.js';
import { renderMarkdown } from '../render/markdown-renderer.js';
import { renderHtml } from '../render/html-renderer.js';
import { FileSymbolSource } from '../symbols/symbol-source.js';
import { symbolizeReports } from '../symbols/symbolize-reports.js';
import { debuginfodUrls } from '../symbols/debuginfod-client.js';
import { disassembleReports } from '../symbols/disassemble-code.js';
import type { AnalyzeOptions } from './parse-args.js';

/** Reads every input in turn through one extractor, so duplicates across inputs are dropped. */
export async function analyze(options: AnalyzeOptions): Promise<AnalysisResult> {
  // Rules first: a mistake in a rules file is reported before any input is read.
  const knownIssues = [BUNDLED_RULES_PATH, ...options.knownIssues].flatMap((path) => loadKnownIssues(path));
  const extractor = new ReportExtractor();
  const inputs: AnalysisResult['inputs'] = [];
  const logs: (() => Promise<OpenedLog>)[] =
    options.boot !== undefined
      ? [() => openJournalBoot(options.boot ?? 0)]
      : options.inputs.map((path) => () =>
          options.inputFormat === 'auto' && dumpFormatOf(path) !== undefined
            ? openVmcoreLog(path)
            : openLog({ path, format: options.inputFormat }));
  for (const open of logs) {
    const log = await open();
    extractor.beginInput(log.source, log.format);
    for await (const window of log.windows) extractor.pushWindow(window, log.source);
    const summary: AnalysisResult['inputs'][number] = { source: log.source, format: log.format, lines: log.stats.lines };
    if (log.stats.partial) summary.partial = log.stats.partial;
    inputs.push(summary);
  }
  const extraction = extractor.finish();
  let reports = diagnoseAll(extraction.reports, extraction.incidents);
  if (options.vmlinux !== undefined || options.modules !== undefined || options.debugDirs !== undefined || options.systemMap !== undefined) {
    const source = new FileSymbolSource({
      ...(options.vmlinux !== undefined && { vmlinux: options.vmlinux }),
      ...(options.modules !== undefined && { modules: options.modules }),
      ...(options.symbolCache !== undefined && { cacheDir: options.symbolCache }),
      ...(options.debugDirs !== undefined && { debugDirs: options.debugDirs }),
      ...(options.systemMap !== undefined && { systemMap: options.systemMap }),
    });
    const urls = debuginfodUrls(process.env);
    if (urls.length > 0 && options.symbolCache !== undefined) {
      const ids = reports.flatMap((r) => (r.ip?.buildId ? [r.ip.buildId] : []));
      await source.prefetch(ids, urls, `${options.symbolCache}/debuginfod`);
    }
    await source.prefetchModules(reports.flatMap((r) => [...(r.ip?.module ? [r.ip.module] : []), ...r.stacks.flatMap((s) => s.frames.flatMap((f) => (f.module ? [f.module] : [])))]));
    reports = symbolizeReports(reports, source);
    source.saveCaches();
  }
  if (options.disassemble) reports = await disassembleReports(reports);
  const byId = new Map(reports.map((r) => [r.id, r]));
  const incidents = extraction.incidents.map((incident) => ({ ...incident, diagnosis: diagnoseIncident(incident, byId, extraction.precursors, knownIssues) }));
  return { schemaVersion: SCHEMA_VERSION, inputs, ...extraction, reports, incidents };
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
