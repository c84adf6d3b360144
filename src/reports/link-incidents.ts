import type { CrashReport, Incident } from './crash-report.js';
import { stableIncidentId } from '../pipeline/stable-id.js';

/**
 * Reports closer than this (seconds of kernel time) belong to one incident: a WARNING, the
 * oops it led to and the panic that followed are printed within moments of each other.
 */
export const INCIDENT_GAP_SECONDS = 120;
/** Without timestamps, the gap is measured in input lines. */
export const INCIDENT_GAP_LINES = 400;

/**
 * Groups reports, given in log order, into incidents: consecutive reports of one stream (host
 * and boot) close in time, ending at the first fatal report. The first report of an incident is
 * its first cause. An incident is closed (handed to `onClose` with its reports) as soon as a
 * report of its stream does not follow it, so it can be diagnosed while the rest of the log is
 * still being read, or once its stream has been quiet long enough (`closeIdle`, for live
 * sources). Open incidents are one per stream; closed ones are kept only with `keep` (a whole
 * log's answer lists them), so a live analyzer's memory stays flat.
 */
export class IncidentLinker {
  readonly incidents: Incident[] = [];
  private readonly openByStream = new Map<string, { incident: Incident; reports: CrashReport[]; lastArrival: number }>();
  constructor(
    private readonly onClose: (incident: Incident, reports: readonly CrashReport[]) => void = () => undefined,
    private readonly keep = true,
  ) {}

  /** The next report in log order (its id set); `endedAt`: when its last line came (ms, live sources). */
  add(report: CrashReport, endedAt = 0): void {
    const stream = `${report.host ?? ''}\u0000${report.boot ?? ''}\u0000${report.lines[0]?.source ?? ''}`;
    const open = this.openByStream.get(stream);
    if (open && follows(open.reports[open.reports.length - 1] as CrashReport, report)) {
      open.incident.reportIds.push(report.id);
      open.reports.push(report);
      open.lastArrival = endedAt;
      return;
    }
    if (open) this.close(stream, open);
    const incident: Incident = { id: stableIncidentId(report.id), reportIds: [report.id], firstCause: report.id };
    if (report.host !== undefined) incident.host = report.host;
    if (report.boot !== undefined) incident.boot = report.boot;
    if (this.keep) this.incidents.push(incident);
    this.openByStream.set(stream, { incident, reports: [report], lastArrival: endedAt });
  }

  /** Closes the incidents whose last report came `quiet` or more before `now`. */
  closeIdle(now: number, quiet: number): void {
    for (const [stream, open] of this.openByStream) if (now - open.lastArrival >= quiet) this.close(stream, open);
  }

  private close(stream: string, open: { incident: Incident; reports: CrashReport[] }): void {
    this.openByStream.delete(stream);
    this.onClose(open.incident, open.reports);
  }

  /** The end of the log: every incident still open is closed. */
  closeAll(): void {
    for (const [stream, open] of this.openByStream) this.close(stream, open);
  }
}

function follows(previous: CrashReport, next: CrashReport): boolean {
  // After a fatal report the machine is gone; only the panic() it called can still be printed.
  if (previous.severity === 'fatal' && (next.kind !== 'panic' || previous.kind === 'panic')) return false;
  if (previous.ts !== undefined && next.ts !== undefined) {
    const gap = next.ts - previous.ts;
    return gap >= 0 && gap <= INCIDENT_GAP_SECONDS;
  }
  const lastLine = previous.lines[previous.lines.length - 1]?.line ?? 0;
  const firstLine = next.lines[0]?.line ?? 0;
  return firstLine - lastLine <= INCIDENT_GAP_LINES;
}
