import { buildReport } from './build-report.js';
import type { CrashReport, Incident, PrecursorEvent } from './crash-report.js';
import { ReportDeduper } from './dedupe-reports.js';
import { KIND_TABLE, UNEXPECTED_REBOOT_ROW, type KindRow } from './kinds.js';
import { IncidentLinker } from './link-incidents.js';
import type { RawReport } from './segmenter.js';
import { stableReportId } from '../pipeline/stable-id.js';

/** Where the extractor sends what it finds, as it finds it. */
export interface RawReportSink {
  /** A report closed; every report still to come has an order of at least `floor`. */
  take(raw: RawReport, floor: number): void;
  /** A storage event (the extractor keeps at most MAX_PRECURSORS). */
  precursor(event: PrecursorEvent): void;
}

/** The reports of a whole run, in log order, the incidents they form, and the storage events. */
export interface CollectedReports {
  reports: CrashReport[];
  incidents: Incident[];
  precursors: PrecursorEvent[];
}

export type IncidentListener = (incident: Incident, reports: readonly CrashReport[], precursors: readonly PrecursorEvent[]) => void;

export interface CollectorOptions {
  /** Hears of each incident as soon as nothing more can join it; the reports are then its to keep. */
  onIncidentClosed?: IncidentListener;
  /** Keep the incidents for `finish()` (a whole log's answer); a live analyzer lets them go once handed on. */
  keepIncidents?: boolean;
}

/**
 * Storage events kept for the incidents still to come (each looks back an hour at most): the
 * most recent ones, so that an agent that runs for months holds a bounded number.
 */
export const MAX_KEPT_PRECURSORS = 10_000;

/**
 * Decodes raw reports as they close (their raw lines are not kept twice) and drops copies. A
 * report is placed in log order, given its id and linked into an incident once no report still
 * to come can precede it (the `floor` the extractor passes); `onIncidentClosed` then hears of
 * each incident as soon as nothing more can join it, with its reports and every storage event
 * that came before its end. With a listener, the reports are its to keep (`finish()` lists
 * none): memory then stays flat on a long log.
 */
export class ReportCollector implements RawReportSink {
  private readonly deduper = new ReportDeduper();
  /** Decoded and kept, not yet placed: by increasing order. */
  private readonly waiting: { order: number; report: CrashReport }[] = [];
  private readonly placed: CrashReport[] = [];
  private placedCount = 0;
  /** Placement number of each report placed (1, 2, …: log order across streams). */
  private readonly placement = new WeakMap<CrashReport, number>();
  /** When each report's last line came (live sources): its incident is quiet from then on. */
  private readonly endedAt = new WeakMap<CrashReport, number>();
  private precursors: PrecursorEvent[] = [];
  private readonly linker: IncidentLinker;
  private readonly onIncidentClosed: IncidentListener | undefined;

  constructor(options: CollectorOptions | IncidentListener = {}) {
    const { onIncidentClosed, keepIncidents = true } = typeof options === 'function' ? { onIncidentClosed: options } : options;
    this.onIncidentClosed = onIncidentClosed;
    this.linker = new IncidentLinker(onIncidentClosed && ((incident, reports) => onIncidentClosed(incident, reports, this.precursors)), keepIncidents);
  }

  /** Where a report placed by this collector stands in log order (1-based). */
  placementOf(report: CrashReport): number {
    return this.placement.get(report) ?? 0;
  }

  take(raw: RawReport, floor: number): void {
    const report = buildReport(raw, '');
    if (raw.endedAt !== undefined) this.endedAt.set(report, raw.endedAt);
    if (this.deduper.isNew(report)) this.wait(raw.order, report);
    this.place(floor);
  }

  precursor(event: PrecursorEvent): void {
    if (this.precursors.length >= 2 * MAX_KEPT_PRECURSORS) this.precursors = this.precursors.slice(-MAX_KEPT_PRECURSORS);
    this.precursors.push(event);
  }

  /**
   * Places what no report still to come can precede (`floor`, as `take` does), then closes the
   * incidents whose last report came at least `quiet` before `now` (in the caller's clock).
   */
  settle(floor: number, now: number, quiet: number): void {
    this.place(floor);
    this.linker.closeIdle(now, quiet);
  }

  finish(): CollectedReports {
    this.place(Infinity);
    this.linker.closeAll();
    return { reports: this.placed, incidents: this.linker.incidents, precursors: this.precursors.slice(-MAX_KEPT_PRECURSORS) };
  }

  private wait(order: number, report: CrashReport): void {
    // Reports of one stream close in order; only interleaved streams put one before another.
    let at = this.waiting.length;
    while (at > 0 && (this.waiting[at - 1] as { order: number }).order > order) at--;
    this.waiting.splice(at, 0, { order, report });
  }

  private place(floor: number): void {
    let n = 0;
    while (n < this.waiting.length && (this.waiting[n] as { order: number }).order < floor) {
      const report = (this.waiting[n++] as { report: CrashReport }).report;
      report.id = stableReportId(report);
      this.placement.set(report, ++this.placedCount);
      if (!this.onIncidentClosed) this.placed.push(report);
      this.linker.add(report, this.endedAt.get(report));
    }
    if (n > 0) this.waiting.splice(0, n);
  }
}

/** Every row a raw report can hold: a raw report crosses to a worker thread with its row's index. */
const ROWS: readonly KindRow[] = [...KIND_TABLE, UNEXPECTED_REBOOT_ROW];

/** A raw report as plain data (its row holds regular expressions, which do not cross threads as such). */
export type WireRawReport = Omit<RawReport, 'row'> & { row: number };

export function toWire(raw: RawReport): WireRawReport {
  const row = ROWS.indexOf(raw.row);
  if (row < 0) throw new Error(`raw report of kind ${raw.kind} holds a row of no table`);
  return { ...raw, row };
}

export function fromWire(wire: WireRawReport): RawReport {
  const row = ROWS[wire.row];
  if (!row) throw new Error(`raw report row ${wire.row} out of range`);
  return { ...wire, row };
}
