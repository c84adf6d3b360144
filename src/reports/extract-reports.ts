import type { LogLine } from '../logs/log-line.js';
import type { LogWindow } from '../logs/log-stream.js';
import { buildReport } from './build-report.js';
import type { CrashReport, Incident, PrecursorEvent } from './crash-report.js';
import { ReportDeduper } from './dedupe-reports.js';
import { linkIncidents } from './link-incidents.js';
import { matchPrecursor } from './precursors.js';
import { ReportSegmenter, type RawReport } from './segmenter.js';
import { BYTE_FILTER, WINDOW_FILTER } from './window-filter.js';

/** Formats whose lines start with the console's `[ ts]` prefix: blocks of them can be skimmed. */
const SKIMMABLE_FORMATS: ReadonlySet<string> = new Set(['console', 'vmcore-dmesg']);
/** A printk timestamp after boot's first instant: the kernel was running. */
const KERNEL_UP_TIMESTAMP = /\[ *(?!0\.0+\])\d+\.\d{6}\]/;

/**
 * KERNEL_UP_TIMESTAMP in a window known by its bytes: usually its first line says so, and only
 * that much is decoded (a match there is a match in the whole: the pattern ends in its own `]`).
 */
function kernelWasUp(window: LogWindow, bytes: Buffer): boolean {
  return KERNEL_UP_TIMESTAMP.test(bytes.toString('latin1', 0, HEAD_BYTES)) || (bytes.length > HEAD_BYTES && KERNEL_UP_TIMESTAMP.test(window.text));
}
const HEAD_BYTES = 256;

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

  /** Inputs whose kernel was seen up in text passed over before their first line was read. */
  private readonly upBeforeFirstLine = new Set<string>();
  /** Windows passed over unread (benchmarks read it). */
  windowsSkipped = 0;

  /**
   * Reads a block of an input's lines, or passes over it unread when the input is a console log,
   * no report of it is open, and the block's raw text cannot start anything: first tested on its
   * undecoded bytes (BYTE_FILTER), then, when those say maybe, on its text (WINDOW_FILTER).
   * Most of a multi-GB log is ordinary boot and runtime noise, and building its lines costs most.
   */
  pushWindow(window: LogWindow, source: string): void {
    if (WINDOW_FILTER && SKIMMABLE_FORMATS.has(this.formatOf.get(source) ?? '') && !this.hasOpenReport(source)) {
      const bytes = window.bytes;
      const lineFeeds = bytes && BYTE_FILTER?.lineFeedsIfNothing(bytes);
      if (bytes && lineFeeds !== undefined) {
        window.lineFeeds = lineFeeds;
        return this.passOver(source, kernelWasUp(window, bytes));
      }
      if (!window.opaque && !WINDOW_FILTER.mayHold(window.text)) {
        return this.passOver(source, KERNEL_UP_TIMESTAMP.test(window.text));
      }
    }
    for (const line of window.lines()) this.push(line);
  }

  private passOver(source: string, kernelWasUp: boolean): void {
    if (kernelWasUp) this.upBeforeFirstLine.add(source);
    for (const segmenter of this.segmenters.get(source)?.values() ?? []) segmenter.skipped(kernelWasUp);
    this.windowsSkipped++;
  }

  private hasOpenReport(source: string): boolean {
    for (const segmenter of this.segmenters.get(source)?.values() ?? []) if (segmenter.hasOpenReport) return true;
    return false;
  }

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
      if (this.upBeforeFirstLine.has(line.origin.source)) segmenter.skipped(true);
      byHost.set(host, segmenter);
    }
    segmenter.push(line, this.arrival);
    const precursor = matchPrecursor(line);
    if (precursor) {
      if (this.precursors.length < MAX_PRECURSORS) this.precursors.push(precursor);
      else this.droppedPrecursors++;
    }
  }

  private readonly deduper = new ReportDeduper();

  private keep(raw: RawReport): void {
    const report = buildReport(raw, '');
    if (this.deduper.isNew(report)) this.built.push({ order: raw.order, report });
  }

  finish(): Extraction {
    for (const byHost of this.segmenters.values()) for (const segmenter of byHost.values()) segmenter.finish();
    this.built.sort((a, b) => a.order - b.order);
    const reports = this.built.map((b) => b.report);
    reports.forEach((r, i) => (r.id = `r${i + 1}`));
    const extraction: Extraction = { reports, incidents: linkIncidents(reports), precursors: this.precursors };
    if (this.droppedPrecursors > 0) extraction.precursorsDropped = this.droppedPrecursors;
    return extraction;
  }
}
