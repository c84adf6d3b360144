import type { AnalysisResult } from '../reports/crash-report.js';

/** The `--json` document: the model as it is (docs/crash-report.schema.json). */
export function renderJson(result: AnalysisResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}
