import { diagnoseIncidentReports } from '../analysis/diagnose.js';
import { diagnoseIncident } from '../analysis/diagnose-incident.js';
import type { Diagnosis } from '../analysis/diagnosis.js';
import type { KnownIssueRule } from '../analysis/known-issues.js';
import { ReportCollector, type RawReportSink } from '../reports/collect-reports.js';
import { SCHEMA_VERSION, type AnalysisResult, type CrashReport, type Incident, type PrecursorEvent } from '../reports/crash-report.js';
import type { LineFindings } from '../reports/extract-reports.js';
import type { RawReport } from '../reports/segmenter.js';
import type { AnalyzeOptions } from './parse-args.js';

export type InputSummaries = AnalysisResult['inputs'];

/**
 * Everything after the reader, as reports arrive: each report decoded when it closes, and each
 * incident diagnosed (its reports, then the incident) as soon as nothing more can join it, so
 * that on a long log the diagnosis is done when the reading is. With symbols asked for, the
 * reports are resolved in one batch at the end and the incidents diagnosed after that (their
 * diagnosis reads the resolved frames).
 */
export class StreamingAnalysis implements RawReportSink {
  private readonly collector = new ReportCollector((incident, reports, precursors) => this.closed(incident, reports, precursors));
  private readonly diagnosed = new Map<string, CrashReport>();
  private readonly diagnoses = new Map<string, Diagnosis>();
  private readonly resolvesSymbols: boolean;

  constructor(
    private readonly options: AnalyzeOptions,
    private readonly knownIssues: readonly KnownIssueRule[],
  ) {
    this.resolvesSymbols = wantsSymbols(options) || options.disassemble === true;
  }

  take(raw: RawReport, floor: number): void {
    this.collector.take(raw, floor);
  }

  precursor(event: PrecursorEvent): void {
    this.collector.precursor(event);
  }

  async finish(inputs: InputSummaries, findings: LineFindings): Promise<AnalysisResult> {
    const { reports: placed, incidents, precursors } = this.collector.finish();
    let reports = placed.map((r) => this.diagnosed.get(r.id) ?? r);
    // Symbol files and the disassembler are loaded only when asked for: most runs need neither.
    if (wantsSymbols(this.options)) reports = await (await import('./enrich-symbols.js')).enrichWithSymbols(reports, this.options);
    if (this.options.disassemble) reports = await (await import('../symbols/disassemble-code.js')).disassembleReports(reports);
    const byId = new Map(reports.map((r) => [r.id, r]));
    const diagnosedIncidents = incidents.map((incident) => ({
      ...incident,
      diagnosis: this.diagnoses.get(incident.id) ?? diagnoseIncident(incident, byId, precursors, this.knownIssues),
    }));
    return { schemaVersion: SCHEMA_VERSION, inputs, reports, incidents: diagnosedIncidents, precursors, ...findings };
  }

  private closed(incident: Incident, reports: readonly CrashReport[], precursors: readonly PrecursorEvent[]): void {
    for (const report of diagnoseIncidentReports(reports)) this.diagnosed.set(report.id, report);
    if (!this.resolvesSymbols) this.diagnoses.set(incident.id, diagnoseIncident(incident, this.diagnosed, precursors, this.knownIssues));
  }
}

function wantsSymbols(options: AnalyzeOptions): boolean {
  return options.vmlinux !== undefined || options.modules !== undefined || options.debugDirs !== undefined || options.systemMap !== undefined;
}
