import type { LogLine } from '../logs/log-line.js';
import { buildReport } from './build-report.js';
import type { CrashReport, Incident, PrecursorEvent } from './crash-report.js';
import { dedupeReports } from './dedupe-reports.js';
import { linkIncidents } from './link-incidents.js';
import { matchPrecursor } from './precursors.js';
import { ReportSegmenter, type RawReport } from './segmenter.js';

export interface Extraction {
  reports: CrashReport[];
  incidents: Incident[];
  precursors: PrecursorEvent[];
  /** Precursor events beyond MAX_PRECURSORS, counted but not kept. */
  precursorsDropped?: number;
}

/**
 * Formats that show the kernel's last words before a reset, so a boot that follows silence is
 * news. Journals and syslog lose the end of every boot (the daemon stops first).
 */
const FORMATS_THAT_SEE_RESETS: ReadonlySet<string> = new Set(['console']);

/** Keeps a flood of disk errors from growing memory without bound; the first ones matter most. */
export const MAX_PRECURSORS = 10_000;

/**
 * Feeds lines of any number of inputs through one segmenter per stream (input and host),
 * so interleaved hosts of a syslog file never mix, and collects the decoded reports in the
 * order their first line appeared.
 */
export class ReportExtractor {
  /** Input name → host → segmenter. */
  private readonly segmenters = new Map<string, Map<string, ReportSegmenter>>();
  /** Reports decoded as soon as they close (the raw lines are not kept twice), with their place in the input. */
  private readonly built: { order: number; report: CrashReport }[] = [];
  private readonly precursors: PrecursorEvent[] = [];
  private droppedPrecursors = 0;
  private arrival = 0;
  private readonly formatOf = new Map<string, string>();

  /** Says what format an input is before its lines come, for rules that depend on it. */
  beginInput(source: string, format: string): void {
    this.formatOf.set(source, format);
  }

  push(line: LogLine): void {
    this.arrival++;
    // One stream per input and host; the segmenter itself sees boots change.
    let byHost = this.segmenters.get(line.origin.source);
    if (!byHost) {
      byHost = new Map();
      this.segmenters.set(line.origin.source, byHost);
    }
    const host = line.host ?? '';
    let segmenter = byHost.get(host);
    if (!segmenter) {
      const detectUnexpectedReboot = FORMATS_THAT_SEE_RESETS.has(this.formatOf.get(line.origin.source) ?? '');
      segmenter = new ReportSegmenter((raw) => this.keep(raw), { detectUnexpectedReboot });
      byHost.set(host, segmenter);
    }
    segmenter.push(line, this.arrival);
    const precursor = matchPrecursor(line);
    if (precursor) {
      if (this.precursors.length < MAX_PRECURSORS) this.precursors.push(precursor);
      else this.droppedPrecursors++;
    }
  }

  private keep(raw: RawReport): void {
    this.built.push({ order: raw.order, report: buildReport(raw, '') });
  }

  finish(): Extraction {
    for (const byHost of this.segmenters.values()) for (const segmenter of byHost.values()) segmenter.finish();
    this.built.sort((a, b) => a.order - b.order);
    const reports = dedupeReports(this.built.map((b) => b.report));
    reports.forEach((r, i) => (r.id = `r${i + 1}`));
    const extraction: Extraction = { reports, incidents: linkIncidents(reports), precursors: this.precursors };
    if (this.droppedPrecursors > 0) extraction.precursorsDropped = this.droppedPrecursors;
    return extraction;
  }
}
