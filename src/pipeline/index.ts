/**
 * The analysis library under every command (analyze, vmcore, doctor, the collector, the agent):
 * lines in, complete reports and closed incidents out. See docs/pipeline.md.
 */
export { createAnalyzer, DEFAULT_QUIET_SECONDS, type Analyzer, type AnalyzerOptions } from './analyzer.js';
export { analyzeText, type TextInput } from './analyze-text.js';
export { lineReader } from './line-reader.js';
export { readInputs, isDump, type InputSpec, type WindowTarget } from './read-inputs.js';
export { ReportAnalysis, type InputSummaries, type ReportAnalysisOptions } from './report-analysis.js';
export { loadRules, type AnalyzerRules } from './rules.js';
export { stableIncidentId, stableReportId } from './stable-id.js';
