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
}

/** Keeps a flood of disk errors from growing memory without bound; the first ones matter most. */
export const MAX_PRECURSORS = 10_000;

/**
 * Feeds lines of any number of inputs through one segmenter per stream (input, host, boot),
 * so interleaved hosts of a syslog file never mix, and collects the decoded reports in the
 * order their first line appeared.
 */
export class ReportExtractor {
  private readonly segmenters = new Map<string, ReportSegmenter>();
  private readonly raws: RawReport[] = [];
  private readonly precursors: PrecursorEvent[] = [];
  private droppedPrecursors = 0;
  private arrival = 0;

  push(line: LogLine): void {
    this.arrival++;
    const key = `${line.origin.source}\u0000${line.host ?? ''}\u0000${line.boot ?? ''}`;
    let segmenter = this.segmenters.get(key);
    if (!segmenter) {
      segmenter = new ReportSegmenter((raw) => this.raws.push(raw));
      this.segmenters.set(key, segmenter);
    }
    segmenter.push(line, this.arrival);
    const precursor = matchPrecursor(line);
    if (precursor) {
      if (this.precursors.length < MAX_PRECURSORS) this.precursors.push(precursor);
      else this.droppedPrecursors++;
    }
  }

  finish(): Extraction {
    for (const segmenter of this.segmenters.values()) segmenter.finish();
    this.raws.sort((a, b) => a.order - b.order);
    const built = this.raws.map((raw, i) => buildReport(raw, `r${i + 1}`));
    const reports = dedupeReports(built).map((r, i) => ({ ...r, id: `r${i + 1}` }));
    return { reports, incidents: linkIncidents(reports), precursors: this.precursors };
  }
}
