import { EXIT } from '../errors.js';
import { followChunks } from '../logs/follow-input.js';
import { openedLog } from '../logs/read-log.js';
import { sniffLive } from '../logs/sniff-live.js';
import type { StreamEnd } from '../logs/decompress.js';
import { createAnalyzer, loadRules } from '../pipeline/index.js';
import { SCHEMA_VERSION, type CrashReport, type Incident } from '../reports/crash-report.js';
import { renderIncidentText } from '../render/text-renderer.js';
import type { AnalyzeOptions } from './parse-args.js';

/** How often the analyzer is asked what has gone quiet. */
const FLUSH_EVERY_MS = 250;

/**
 * `analyze --follow FILE|-`: reads as the log grows and prints each incident (its reports, then
 * its diagnosis) as soon as it is complete: after its text ends, or after the quiet period.
 * Ends when a pipe closes, or on SIGINT/SIGTERM (what is open is completed and printed first).
 * `--json` writes JSON Lines (docs/crash-report.md): a `report` object per report, an
 * `incident` object per incident after its reports, an `end` object last.
 */
export async function runFollow(options: AnalyzeOptions, out: NodeJS.WritableStream, signal = stopSignal()): Promise<number> {
  const path = options.inputs[0] as string;
  const rules = await loadRules({ knownIssueFiles: options.knownIssues });
  const write = (text: string) => void out.write(text);
  let reports = 0;
  const print = options.format === 'json' ? jsonLines(write) : textBlocks(write, options.color);
  const analyzer = createAnalyzer({
    rules,
    clock: 'wall',
    quietSeconds: options.quietSeconds,
    onReport: (report) => {
      reports++;
      print.report(report);
    },
    onIncident: (incident, own) => print.incident(incident, own),
  });
  const flusher = setInterval(() => analyzer.flush(), FLUSH_EVERY_MS);
  try {
    const raw = followChunks(path, signal);
    const sniffed = options.inputFormat === 'auto' ? await sniffLive(raw, path) : { format: options.inputFormat, chunks: raw };
    const end: StreamEnd = {};
    const log = openedLog(path, sniffed.format, 'none', sniffed.chunks, end);
    analyzer.beginInput(path, log.format);
    for await (const window of log.windows) for (const line of window.lines()) analyzer.push(line);
    const tail = await analyzer.finish([{ source: path, format: log.format, lines: log.stats.lines, ...(log.stats.partial && { partial: log.stats.partial }) }]);
    print.end(tail.inputs, tail.precursorsDropped);
  } finally {
    clearInterval(flusher);
  }
  if (!options.exitCode) return EXIT.noCrash;
  return reports > 0 ? EXIT.crashFound : EXIT.noCrash;
}

interface FollowPrinter {
  report(report: CrashReport): void;
  incident(incident: Incident, reports: readonly CrashReport[]): void;
  end(inputs: { source: string; format: string; lines: number; partial?: string }[], precursorsDropped?: number): void;
}

/** One JSON object a line, each whole: a reader may act on a line as soon as it comes. */
function jsonLines(write: (text: string) => void): FollowPrinter {
  return {
    report: (report) => write(`${JSON.stringify({ type: 'report', schemaVersion: SCHEMA_VERSION, report })}\n`),
    incident: (incident) => write(`${JSON.stringify({ type: 'incident', schemaVersion: SCHEMA_VERSION, incident })}\n`),
    end: (inputs, precursorsDropped) => write(`${JSON.stringify({ type: 'end', schemaVersion: SCHEMA_VERSION, inputs, ...(precursorsDropped !== undefined && { precursorsDropped }) })}\n`),
  };
}

/** The text view of each incident as it closes (its reports are printed with it). */
function textBlocks(write: (text: string) => void, color: boolean): FollowPrinter {
  return {
    report: () => undefined,
    incident: (incident, reports) => write(`${renderIncidentText(incident, reports, { color })}\n`),
    end: (inputs) => {
      for (const input of inputs) if (input.partial) write(`warning: ${input.source} read only in part: ${input.partial}\n`);
    },
  };
}

/** Aborted by SIGINT or SIGTERM: following ends, and what is open is completed and printed. */
function stopSignal(): AbortSignal {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return controller.signal;
}
