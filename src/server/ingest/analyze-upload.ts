import { analyzeText, loadRules, type AnalyzerRules } from '../../pipeline/index.js';
import type { CrashReport, Incident } from '../../reports/crash-report.js';

let rules: Promise<AnalyzerRules> | undefined;

/** The bundled rules, read once per process. */
export function analyzerRules(): Promise<AnalyzerRules> {
  rules ??= loadRules();
  return rules;
}

/**
 * A whole uploaded log (any format `analyze` reads, sniffed) through the pipeline, as
 * `analyze --json` would answer, the upload's host and boot filled in where lines do not say.
 */
export async function analyzeUpload(bytes: Buffer, source: string, host?: string, boot?: string): Promise<{ reports: CrashReport[]; incidents: Incident[] }> {
  const result = await analyzeText(bytes, { source, rules: await analyzerRules(), ...(host !== undefined && { host }), ...(boot !== undefined && { boot }) });
  return { reports: result.reports, incidents: result.incidents };
}
