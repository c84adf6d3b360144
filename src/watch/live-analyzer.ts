import type { LogLine } from '../logs/log-line.js';
import type { CrashReport } from '../reports/crash-report.js';
import { analyzeLogText } from './analyze-offline.js';

export interface LiveAnalyzerOptions {
  host: string;
  boot: string | undefined;
  quietSeconds: number;
  onReport: (report: CrashReport) => void;
}

/** Lines held at most before an analysis runs without waiting for quiet. */
const MAX_HELD_LINES = 20_000;

/**
 * Lines in, complete reports out, once the stream has been quiet for `quietSeconds`: the seam
 * where the agent meets the analysis library. Until src/pipeline's createAnalyzer is on this
 * branch it holds the lines of a burst (bounded) and analyses them as one text.
 */
export class LiveAnalyzer {
  private held: string[] = [];
  private lastPushMs = 0;
  private busy: Promise<void> = Promise.resolve();
  /** Lines pushed and not yet analysed (the agent keeps its read position before them). */
  pending = 0;

  constructor(private readonly opts: LiveAnalyzerOptions) {}

  push(line: LogLine, nowMs = Date.now()): void {
    this.held.push(line.ts === undefined ? line.text : `[${line.ts.toFixed(6).padStart(12)}] ${line.text}`);
    this.pending++;
    this.lastPushMs = nowMs;
    if (this.held.length >= MAX_HELD_LINES) this.analyseHeld();
  }

  /** Completes what has been quiet long enough; resolves when its reports were handed on. */
  flush(nowMs = Date.now()): Promise<void> {
    if (this.held.length > 0 && nowMs - this.lastPushMs >= this.opts.quietSeconds * 1000) this.analyseHeld();
    return this.busy;
  }

  finish(): Promise<void> {
    if (this.held.length > 0) this.analyseHeld();
    return this.busy;
  }

  private analyseHeld(): void {
    const text = `${this.held.join('\n')}\n`;
    const count = this.held.length;
    this.held = [];
    this.busy = this.busy.then(async () => {
      const reports = await analyzeLogText(text, 'live', this.opts.host, this.opts.boot);
      for (const r of reports) this.opts.onReport(r);
      this.pending -= count;
    });
  }
}
