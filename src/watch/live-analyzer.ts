import type { LogLine } from '../logs/log-line.js';
import { createAnalyzer, type Analyzer, type AnalyzerRules } from '../pipeline/index.js';
import type { CrashReport, Incident } from '../reports/crash-report.js';

export interface LiveAnalyzerOptions {
  rules: AnalyzerRules;
  quietSeconds: number;
  onReport: (report: CrashReport) => void;
  onIncident: (incident: Incident, reports: readonly CrashReport[]) => void;
}

/**
 * The analysis library on the wall clock, and what the agent needs besides: whether every line
 * pushed so far is either in a report already handed on or in none (`settled`), so that the
 * read position can be saved without skipping a report still open when the agent is killed.
 */
export class LiveAnalyzer {
  private readonly analyzer: Analyzer;
  private lastPushMs = 0;
  private flushedAtMs = 0;
  private readonly quietMs: number;

  constructor(opts: LiveAnalyzerOptions) {
    this.quietMs = opts.quietSeconds * 1000;
    this.analyzer = createAnalyzer({ rules: opts.rules, clock: 'wall', quietSeconds: opts.quietSeconds, onReport: opts.onReport, onIncident: opts.onIncident });
  }

  beginInput(source: string, format: string): void {
    this.analyzer.beginInput(source, format);
  }

  push(line: LogLine): void {
    this.analyzer.push(line);
    this.lastPushMs = Date.now();
  }

  flush(): void {
    this.flushedAtMs = Date.now();
    this.analyzer.flush(this.flushedAtMs);
  }

  /** Quiet for longer than the quiet period when last flushed: every open report was completed then. */
  get settled(): boolean {
    return this.flushedAtMs - this.lastPushMs > this.quietMs;
  }

  async finish(): Promise<void> {
    await this.analyzer.finish();
  }
}
