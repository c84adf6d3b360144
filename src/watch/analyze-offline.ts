import { diagnoseAll } from '../analysis/diagnose.js';
import { openedLog, type OpenedLog } from '../logs/read-log.js';
import { sniffFormat } from '../logs/sniff-format.js';
import type { CrashReport } from '../reports/crash-report.js';
import { ReportCollector } from '../reports/collect-reports.js';
import { ReportExtractor } from '../reports/extract-reports.js';
import { stableReportId } from './report-id.js';

/** Every report of an opened log (a dump's kernel log, a pstore record), diagnosed, with stable ids for `host`/`boot`. */
export async function analyzeOpenedLog(log: OpenedLog, host: string, boot: string | undefined): Promise<{ reports: CrashReport[]; partial?: string }> {
  const collector = new ReportCollector();
  const extractor = new ReportExtractor(collector);
  extractor.beginInput(log.source, log.format);
  for await (const window of log.windows) extractor.pushWindow(window, log.source);
  extractor.finish();
  const { reports, incidents } = collector.finish();
  const diagnosed = diagnoseAll(reports, incidents).map((r) => withIdentity(r, host, boot));
  return log.stats.partial ? { reports: diagnosed, partial: log.stats.partial } : { reports: diagnosed };
}

/** Text already in memory (a pstore record), format sniffed. */
export async function analyzeLogText(text: string, source: string, host: string, boot: string | undefined): Promise<CrashReport[]> {
  const bytes = Buffer.from(text, 'utf8');
  let format;
  try {
    format = sniffFormat(bytes.subarray(0, 64 * 1024), source);
  } catch {
    format = 'console' as const;
  }
  async function* once(): AsyncGenerator<Buffer> {
    yield bytes;
  }
  return (await analyzeOpenedLog(openedLog(source, format, 'none', once(), {}), host, boot)).reports;
}

export function withIdentity(report: CrashReport, host: string, boot: string | undefined): CrashReport {
  report.host = report.host ?? host;
  if (boot !== undefined) report.boot = report.boot ?? boot;
  report.id = stableReportId(report);
  return report;
}
