import type { LogLine } from '../logs/log-line.js';
import type { OpenedLog } from '../logs/read-log.js';
import { analyzeText, createAnalyzer, type AnalyzerRules } from '../pipeline/index.js';
import type { CrashReport, Incident } from '../reports/crash-report.js';

export interface OfflineAnalysis {
  reports: CrashReport[];
  incidents: Incident[];
  partial?: string;
}

/** Text already in memory (a pstore record, a kdump dmesg file, the last lines kept), format sniffed. */
export async function analyzeLogText(text: string, source: string, host: string, boot: string | undefined, rules: AnalyzerRules): Promise<OfflineAnalysis> {
  if (text.trim() === '') return { reports: [], incidents: [] };
  try {
    const result = await analyzeText(text, { source, host, ...(boot !== undefined && { boot }), rules });
    return { reports: result.reports, incidents: result.incidents };
  } catch {
    // Binary junk in a pstore record: read as plain console text, what can be found is found.
    const result = await analyzeText(text, { source, format: 'console', host, ...(boot !== undefined && { boot }), rules });
    return { reports: result.reports, incidents: result.incidents, partial: 'not recognisable as a kernel log; read as console text' };
  }
}

/** An opened log (a crash dump's kernel log) whose lines are given the host and boot they came from. */
export async function analyzeOpenedLog(log: OpenedLog, host: string, boot: string | undefined, rules: AnalyzerRules): Promise<OfflineAnalysis> {
  const reports: CrashReport[] = [];
  const analyzer = createAnalyzer({ rules, clock: 'log', onReport: (r) => reports.push(r) });
  analyzer.beginInput(log.source, log.format);
  const own = (line: LogLine): LogLine => ({ ...line, host: line.host ?? host, ...(boot !== undefined && line.boot === undefined && { boot }) });
  for await (const window of log.windows) for (const line of window.lines()) analyzer.push(own(line));
  const tail = await analyzer.finish([{ source: log.source, format: log.format, lines: log.stats.lines }]);
  return { reports, incidents: tail.incidents, ...(log.stats.partial && { partial: log.stats.partial }) };
}
