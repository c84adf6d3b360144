import { loadBundledKnownIssues, type KnownIssueRule } from '../../analysis/known-issues.js';
import { parseAnalyzeArgs } from '../../cli/parse-args.js';
import { StreamingAnalysis } from '../../cli/streaming-analysis.js';
import { openedLog } from '../../logs/read-log.js';
import { sniffFormat } from '../../logs/sniff-format.js';
import type { CrashReport, Incident } from '../../reports/crash-report.js';
import { ReportExtractor } from '../../reports/extract-reports.js';

let knownIssues: Promise<KnownIssueRule[]> | undefined;

/**
 * A whole uploaded log (any format `analyze` reads, sniffed) through the analysis, as
 * `analyze --json` would answer. The one seam the collector's raw-text channels use.
 */
export async function analyzeUpload(bytes: Buffer, source: string): Promise<{ reports: CrashReport[]; incidents: Incident[] }> {
  const format = sniffFormat(bytes.subarray(0, 64 * 1024), source);
  async function* once(): AsyncGenerator<Buffer> {
    yield bytes;
  }
  const log = openedLog(source, format, 'none', once(), {});
  knownIssues ??= loadBundledKnownIssues();
  const reports: CrashReport[] = [];
  const analysis = new StreamingAnalysis(parseAnalyzeArgs(['-'], {}, false), await knownIssues, (r) => reports.push(r));
  const extractor = new ReportExtractor(analysis);
  extractor.beginInput(log.source, log.format);
  for await (const window of log.windows) extractor.pushWindow(window, log.source);
  const tail = await analysis.finish([], extractor.finish());
  return { reports, incidents: tail.incidents };
}
