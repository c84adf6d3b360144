import { buildReport } from './build-report.js';
import type { CrashReport, Incident, PrecursorEvent } from './crash-report.js';
import { ReportDeduper } from './dedupe-reports.js';
import { KIND_TABLE, UNEXPECTED_REBOOT_ROW, type KindRow } from './kinds.js';
import { IncidentLinker } from './link-incidents.js';
import type { RawReport } from './segmenter.js';

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
  private readonly precursors: PrecursorEvent[] = [];
  private readonly linker: IncidentLinker;

  constructor(private readonly onIncidentClosed?: IncidentListener) {
    this.linker = new IncidentLinker(onIncidentClosed && ((incident, reports) => onIncidentClosed(incident, reports, this.precursors)));
  }

  take(raw: RawReport, floor: number): void {
    const report = buildReport(raw, '');
    if (this.deduper.isNew(report)) this.wait(raw.order, report);
    this.place(floor);
  }

  precursor(event: PrecursorEvent): void {
    this.precursors.push(event);
  }

  finish(): CollectedReports {
    this.place(Infinity);
    this.linker.closeAll();
    return { reports: this.placed, incidents: this.linker.incidents, precursors: this.precursors };
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
      report.id = `r${++this.placedCount}`;
      if (!this.onIncidentClosed) this.placed.push(report);
      this.linker.add(report);
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
