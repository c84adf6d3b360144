import type { InputFormat, LogLine } from '../logs/log-line.js';
import { openedLog } from '../logs/read-log.js';
import { sniffFormat, SNIFF_BYTES } from '../logs/sniff-format.js';
import { SCHEMA_VERSION, type AnalysisResult, type CrashReport } from '../reports/crash-report.js';
import { createAnalyzer } from './analyzer.js';
import { loadRules, type AnalyzerRules } from './rules.js';

export interface TextInput {
  /** The name reports say they came from. */
  source: string;
  /** Default `auto`: sniffed. */
  format?: InputFormat;
  /** Host and boot for lines that do not say (an upload's metadata). */
  host?: string;
  boot?: string;
  /** Default: the bundled rules. */
  rules?: AnalyzerRules;
}

/**
 * A kernel log already in memory (a command's output, an upload), in any format `analyze`
 * reads, analysed whole: what `ktriage analyze --json` would print for it.
 */
export async function analyzeText(text: string | Buffer, input: TextInput): Promise<AnalysisResult> {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const format = input.format === undefined || input.format === 'auto' ? sniffFormat(bytes.subarray(0, SNIFF_BYTES), input.source) : input.format;
  async function* once(): AsyncGenerator<Buffer> {
    yield bytes;
  }
  const log = openedLog(input.source, format, 'none', once(), {});
  const reports: CrashReport[] = [];
  const analyzer = createAnalyzer({ rules: input.rules ?? (await loadRules()), clock: 'log', onReport: (r) => reports.push(r) });
  analyzer.beginInput(log.source, log.format);
  const withDefaults = defaultsFor(input);
  for await (const window of log.windows) {
    if (withDefaults) for (const line of window.lines()) analyzer.push(withDefaults(line));
    else analyzer.pushWindow(window, log.source);
  }
  const tail = await analyzer.finish([{ source: log.source, format: log.format, lines: log.stats.lines }]);
  return { schemaVersion: SCHEMA_VERSION, reports, ...tail };
}

/** Fills host and boot where lines do not carry them. */
function defaultsFor(input: TextInput): ((line: LogLine) => LogLine) | undefined {
  const { host, boot } = input;
  if (host === undefined && boot === undefined) return undefined;
  return (line) => ({ ...line, ...(line.host === undefined && host !== undefined && { host }), ...(line.boot === undefined && boot !== undefined && { boot }) });
}
