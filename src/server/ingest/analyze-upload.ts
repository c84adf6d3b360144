import { analyzeText } from '../../pipeline/index.js';
import type { CrashReport, Incident } from '../../reports/crash-report.js';

/**
 * A whole uploaded log (any format `analyze` reads, sniffed) through the analysis, as
 * `analyze --json` would answer. The one seam the collector's raw-text channels use.
 * (Merge of serve into watch: now through src/pipeline's analyzeText, main having retired
 * cli/streaming-analysis.)
 */
export async function analyzeUpload(bytes: Buffer, source: string): Promise<{ reports: CrashReport[]; incidents: Incident[] }> {
  const result = await analyzeText(bytes, { source });
  return { reports: result.reports, incidents: result.incidents };
}
