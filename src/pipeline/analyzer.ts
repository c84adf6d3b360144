import type { LogLine } from '../logs/log-line.js';
import type { LogWindow } from '../logs/log-stream.js';
import type { AnalysisTail, CrashReport, Incident, PrecursorEvent } from '../reports/crash-report.js';
import { ReportExtractor } from '../reports/extract-reports.js';
import { ReportAnalysis, type InputSummaries } from './report-analysis.js';
import type { AnalyzerRules } from './rules.js';

export interface AnalyzerOptions {
  rules: AnalyzerRules;
  /** Each report once complete: decoded, diagnosed (title, culprit, bucket), with its stable id. */
  onReport?: (report: CrashReport) => void;
  /** Each incident once closed, with its diagnosis (cause, known issues, next steps) and its reports. */
  onIncident?: (incident: Incident, reports: readonly CrashReport[]) => void;
  /** Each disk, link or filesystem event as it is read. */
  onPrecursor?: (event: PrecursorEvent) => void;
  /**
   * `wall` (the default) for a live source: a report whose stream has been quiet for
   * `quietSeconds` of wall time is complete, and so is its incident; `flush()` checks. `log`
   * for a whole log read to its end: reports complete by their text, incidents when the next
   * report does not follow, everything at `finish()`; reports come in log order across streams.
   */
  clock?: 'wall' | 'log';
  /** Default DEFAULT_QUIET_SECONDS. */
  quietSeconds?: number;
  /** The wall clock in ms (tests set their own). */
  now?: () => number;
  /** Work on reports before diagnosis, in one batch at `finish()` (symbols, disassembly; whole logs only). */
  enrich?: (reports: CrashReport[]) => Promise<CrashReport[]>;
}

/** Long enough for a slow serial console between two lines of one report; short enough to alert while it matters. */
export const DEFAULT_QUIET_SECONDS = 5;

export interface Analyzer {
  /** Says what format an input is before its lines come (rules such as unexpected reboots depend on it). */
  beginInput(source: string, format: string): void;
  /** One line, in order. */
  push(line: LogLine): void;
  /** A block of a file's lines: blocks that cannot hold a report are passed over unread. */
  pushWindow(window: LogWindow, source: string): void;
  /** Completes what has been quiet for the quiet period at `nowMs` (wall clock: default now). */
  flush(nowMs?: number): void;
  /** Completes everything still open; resolves to the rest of the answer (incidents, storage events, the inputs given). */
  finish(inputs?: InputSummaries): Promise<AnalysisTail>;
}

/**
 * The analysis library under every command: lines in, complete reports and closed incidents out
 * through callbacks. Its memory is bounded whatever the uptime: one open report per stream, the
 * de-duplication and reboot memories are bounded, and a live analyzer keeps no incident once
 * handed on.
 */
export function createAnalyzer(options: AnalyzerOptions): Analyzer {
  const live = (options.clock ?? 'wall') === 'wall';
  const quietMs = (options.quietSeconds ?? DEFAULT_QUIET_SECONDS) * 1000;
  const now = options.now ?? Date.now;
  const onPrecursor = options.onPrecursor;
  const analysis = new ReportAnalysis({
    knownIssues: options.rules.knownIssues,
    onReport: options.onReport ?? (() => undefined),
    ...(options.onIncident && { onIncident: options.onIncident }),
    ...(options.enrich && { enrich: options.enrich }),
    inLogOrder: !live,
    keepIncidents: !live,
  });
  const sink = onPrecursor
    ? {
        take: (raw: Parameters<ReportAnalysis['take']>[0], floor: number) => analysis.take(raw, floor),
        precursor: (event: PrecursorEvent) => {
          onPrecursor(event);
          analysis.precursor(event);
        },
      }
    : analysis;
  const extractor = new ReportExtractor(sink, live ? { clock: now, maxPrecursors: Infinity } : {});
  return {
    beginInput: (source, format) => extractor.beginInput(source, format),
    push: (line) => extractor.push(line),
    pushWindow: (window, source) => extractor.pushWindow(window, source),
    flush(nowMs = now()) {
      const floor = extractor.closeIdle(nowMs, quietMs);
      analysis.settle(floor, nowMs, quietMs);
    },
    async finish(inputs = []) {
      const findings = extractor.finish();
      return analysis.finish(inputs, findings);
    },
  };
}
