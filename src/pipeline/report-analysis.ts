import { diagnoseIncidentReports } from '../analysis/diagnose.js';
import { diagnoseIncident } from '../analysis/diagnose-incident.js';
import type { KnownIssueRule } from '../analysis/known-issues.js';
import { ReportCollector, type RawReportSink } from '../reports/collect-reports.js';
import type { AnalysisResult, AnalysisTail, CrashReport, Incident, PrecursorEvent } from '../reports/crash-report.js';
import type { LineFindings } from '../reports/extract-reports.js';
import type { RawReport } from '../reports/segmenter.js';

export type InputSummaries = AnalysisResult['inputs'];

export interface ReportAnalysisOptions {
  knownIssues: readonly KnownIssueRule[];
  /** Each report, decoded and diagnosed, once its incident is closed. */
  onReport: (report: CrashReport) => void;
  /** Each incident with its diagnosis, right after its reports were handed on. */
  onIncident?: (incident: Incident, reports: readonly CrashReport[]) => void;
  /**
   * Work on the reports before diagnosis (file:line from symbols, disassembly). With it, every
   * report is held to the end and done in one batch: the symbol files are loaded once.
   */
  enrich?: (reports: CrashReport[]) => Promise<CrashReport[]>;
  /**
   * Hand reports on in log order across streams (a whole log's answer). A live analyzer hands
   * each incident's reports on as soon as it is diagnosed, whatever other streams still hold.
   */
  inLogOrder?: boolean;
  /** Keep incidents for the tail of the answer (a whole log); a live analyzer lets them go. */
  keepIncidents?: boolean;
}

/**
 * Everything after the reader, as reports arrive: each report decoded when it closes, each
 * incident diagnosed (its reports, then the incident) as soon as nothing more can join it, and
 * its reports handed to `onReport`; none is kept after that, so memory stays flat on a long
 * log and the diagnosis is done when the reading is. The one place the analysis stages after
 * segmenting are wired: the analyzer, `analyze`'s worker thread and the tests all use it.
 */
export class ReportAnalysis implements RawReportSink {
  private readonly collector: ReportCollector;
  private readonly diagnoses = new Map<string, Incident['diagnosis']>();
  /** Diagnosed reports waiting for an earlier one (of an incident of another stream still open), or for symbols; by placement. */
  private readonly held = new Map<number, CrashReport>();
  /** Incidents whose reports are held, by the placement of their last report. */
  private readonly heldIncidents = new Map<number, { incident: Incident; reports: CrashReport[] }>();
  /** Placement of the next report to hand on. */
  private next = 1;
  private readonly inLogOrder: boolean;

  constructor(private readonly options: ReportAnalysisOptions) {
    this.inLogOrder = options.inLogOrder ?? true;
    this.collector = new ReportCollector({
      onIncidentClosed: (incident, reports, precursors) => this.closed(incident, reports, precursors),
      keepIncidents: options.keepIncidents ?? true,
    });
  }

  take(raw: RawReport, floor: number): void {
    this.collector.take(raw, floor);
  }

  precursor(event: PrecursorEvent): void {
    this.collector.precursor(event);
  }

  /** Places what `floor` allows and closes incidents quiet since `now - quiet` (live sources). */
  settle(floor: number, now: number, quiet: number): void {
    this.collector.settle(floor, now, quiet);
  }

  /** Hands on the reports still held, then returns the rest of the analysis. */
  async finish(inputs: InputSummaries, findings: LineFindings): Promise<AnalysisTail> {
    const { incidents, precursors } = this.collector.finish();
    if (this.options.enrich) await this.enrichHeld(incidents, precursors);
    this.handOn();
    const diagnosed = incidents.map((incident) => ({ ...incident, diagnosis: this.diagnoses.get(incident.id) as Incident['diagnosis'] }));
    const tail: AnalysisTail = { incidents: diagnosed, precursors, inputs };
    if (findings.precursorsDropped !== undefined) tail.precursorsDropped = findings.precursorsDropped;
    return tail;
  }

  private closed(incident: Incident, reports: readonly CrashReport[], precursors: readonly PrecursorEvent[]): void {
    const placements = reports.map((r) => this.collector.placementOf(r));
    const diagnosed = diagnoseIncidentReports(reports);
    diagnosed.forEach((report, i) => this.held.set(placements[i] as number, report));
    this.heldIncidents.set(placements[placements.length - 1] as number, { incident, reports: diagnosed });
    if (this.options.enrich) return;
    this.diagnoses.set(incident.id, diagnoseIncident(incident, new Map(diagnosed.map((r) => [r.id, r])), precursors, this.options.knownIssues));
    if (this.inLogOrder) this.handOn();
    else this.handOnIncident(placements);
  }

  /** Every report held, enriched in one batch, then every incident's diagnosis. */
  private async enrichHeld(incidents: readonly Incident[], precursors: readonly PrecursorEvent[]): Promise<void> {
    const order = [...this.held.keys()].sort((a, b) => a - b);
    const reports = await (this.options.enrich as NonNullable<ReportAnalysisOptions['enrich']>)(order.map((n) => this.held.get(n) as CrashReport));
    reports.forEach((report, i) => this.held.set(order[i] as number, report));
    const byId = new Map(reports.map((r) => [r.id, r]));
    for (const held of this.heldIncidents.values()) held.reports = held.incident.reportIds.map((id) => byId.get(id) as CrashReport);
    for (const incident of incidents) this.diagnoses.set(incident.id, diagnoseIncident(incident, byId, precursors, this.options.knownIssues));
  }

  /** The held reports that come next in log order, and the incidents they complete. */
  private handOn(): void {
    for (let report = this.held.get(this.next); report; report = this.held.get(this.next)) {
      this.held.delete(this.next);
      this.options.onReport(report);
      this.incidentEndingAt(this.next++);
    }
  }

  /** One incident's reports at once, wherever they stand in the log. */
  private handOnIncident(placements: readonly number[]): void {
    for (const at of placements) {
      const report = this.held.get(at);
      this.held.delete(at);
      if (report) this.options.onReport(report);
    }
    this.incidentEndingAt(placements[placements.length - 1] as number);
  }

  private incidentEndingAt(placement: number): void {
    const held = this.heldIncidents.get(placement);
    if (!held) return;
    this.heldIncidents.delete(placement);
    const diagnosis = this.diagnoses.get(held.incident.id);
    if (this.options.keepIncidents === false) this.diagnoses.delete(held.incident.id);
    this.options.onIncident?.(diagnosis ? { ...held.incident, diagnosis } : held.incident, held.reports);
  }
}
