import { diagnoseAll } from '../analysis/diagnose.js';
import { openedLog } from '../logs/read-log.js';
import { sniffFormat } from '../logs/sniff-format.js';
import type { CrashReport } from '../reports/crash-report.js';
import { ReportCollector } from '../reports/collect-reports.js';
import { ReportExtractor } from '../reports/extract-reports.js';

/** The kernel log of one boot, already in memory (a command's output), through the analyzer. */
export async function analyzeKernelText(text: string, source: string): Promise<CrashReport[]> {
  const bytes = Buffer.from(text, 'utf8');
  const format = sniffFormat(bytes.subarray(0, 64 * 1024), source);
  async function* once(): AsyncGenerator<Buffer> {
    yield bytes;
  }
  const log = openedLog(source, format, 'none', once(), {});
  const collector = new ReportCollector();
  const extractor = new ReportExtractor(collector);
  extractor.beginInput(log.source, log.format);
  for await (const window of log.windows) extractor.pushWindow(window, log.source);
  extractor.finish();
  const { reports, incidents } = collector.finish();
  return diagnoseAll(reports, incidents);
}
