import { diagnoseIncidentReports } from '../analysis/diagnose.js';
import { diagnoseIncident } from '../analysis/diagnose-incident.js';
import type { KnownIssueRule } from '../analysis/known-issues.js';
import { ReportCollector, type RawReportSink } from '../reports/collect-reports.js';
import type { AnalysisResult, CrashReport, Incident, PrecursorEvent } from '../reports/crash-report.js';
import type { LineFindings } from '../reports/extract-reports.js';
import type { RawReport } from '../reports/segmenter.js';
import type { AnalysisTail } from '../render/json-renderer.js';
import type { AnalyzeOptions } from './parse-args.js';

export type InputSummaries = AnalysisResult['inputs'];

/**
 * Everything after the reader, as reports arrive: each report decoded when it closes, each
 * incident diagnosed (its reports, then the incident) as soon as nothing more can join it, and
 * its reports handed to `onReport` in log order; none is kept after that, so memory stays flat
 * on a long log and the diagnosis is done when the reading is. With symbols asked for, the
 * reports are held, resolved in one batch at the end, and the incidents diagnosed after that
 * (their diagnosis reads the resolved frames).
 */
export class StreamingAnalysis implements RawReportSink {
  private readonly collector = new ReportCollector((incident, reports, precursors) => this.closed(incident, reports, precursors));
  private readonly diagnoses = new Map<string, Incident['diagnosis']>();
  /** Diagnosed reports waiting for an earlier one (of an incident of another stream still open), or for symbols. */
  private readonly held = new Map<number, CrashReport>();
  /** Number in its id (`r7`: 7) of the next report to hand on. */
  private next = 1;
  private readonly resolvesSymbols: boolean;

  constructor(
    private readonly options: AnalyzeOptions,
    private readonly knownIssues: readonly KnownIssueRule[],
    private readonly onReport: (report: CrashReport) => void,
  ) {
    this.resolvesSymbols = wantsSymbols(options) || options.disassemble === true;
  }

  take(raw: RawReport, floor: number): void {
    this.collector.take(raw, floor);
  }

  precursor(event: PrecursorEvent): void {
    this.collector.precursor(event);
  }

  /** Hands on the reports still held, then returns the rest of the analysis. */
  async finish(inputs: InputSummaries, findings: LineFindings): Promise<AnalysisTail> {
    const { incidents, precursors } = this.collector.finish();
    if (this.resolvesSymbols) await this.resolveHeld(incidents, precursors);
    this.handOn();
    const diagnosed = incidents.map((incident) => ({ ...incident, diagnosis: this.diagnoses.get(incident.id) as Incident['diagnosis'] }));
    const tail: AnalysisTail = { incidents: diagnosed, precursors, inputs };
    if (findings.precursorsDropped !== undefined) tail.precursorsDropped = findings.precursorsDropped;
    return tail;
  }

  private closed(incident: Incident, reports: readonly CrashReport[], precursors: readonly PrecursorEvent[]): void {
    const diagnosed = diagnoseIncidentReports(reports);
    for (const report of diagnosed) this.held.set(idNumber(report), report);
    if (this.resolvesSymbols) return;
    this.diagnoses.set(incident.id, diagnoseIncident(incident, new Map(diagnosed.map((r) => [r.id, r])), precursors, this.knownIssues));
    this.handOn();
  }

  /** Every report held, with symbols (loaded only when asked for: most runs need none), then every incident's diagnosis. */
  private async resolveHeld(incidents: readonly Incident[], precursors: readonly PrecursorEvent[]): Promise<void> {
    let reports = [...this.held.values()].sort((a, b) => idNumber(a) - idNumber(b));
    if (wantsSymbols(this.options)) reports = await (await import('./enrich-symbols.js')).enrichWithSymbols(reports, this.options);
    if (this.options.disassemble) reports = await (await import('../symbols/disassemble-code.js')).disassembleReports(reports);
    for (const report of reports) this.held.set(idNumber(report), report);
    const byId = new Map(reports.map((r) => [r.id, r]));
    for (const incident of incidents) this.diagnoses.set(incident.id, diagnoseIncident(incident, byId, precursors, this.knownIssues));
  }

  /** The held reports that come next in log order. */
  private handOn(): void {
    for (let report = this.held.get(this.next); report; report = this.held.get(this.next)) {
      this.held.delete(this.next++);
      this.onReport(report);
    }
  }
}

function idNumber(report: CrashReport): number {
  return Number(report.id.slice(1));
}

function wantsSymbols(options: AnalyzeOptions): boolean {
  return options.vmlinux !== undefined || options.modules !== undefined || options.debugDirs !== undefined || options.systemMap !== undefined;
}
