import type { AlertDispatcher } from './alerts/alert-dispatcher.js';
import type { CollectorAlert } from './alerts/alert-sink.js';
import { storedReports, type ReportBatch } from './ingest/parse-ingest.js';
import type { Metrics } from './metrics.js';
import { pseudonymHost, redactReport, redactText, type RedactOptions } from './redact.js';
import { detectRegressions } from './storage/detect-regressions.js';
import { ingestEvents, type HostEvent } from './storage/ingest-events.js';
import { ingestReports, type StoredReport } from './storage/ingest-reports.js';
import type { SqlDatabase } from './storage/sql-database.js';

export interface CollectorOptions {
  redact?: RedactOptions;
  alerts?: AlertDispatcher;
}

export interface IngestReply {
  accepted: number;
  duplicates: number;
  reports: { id: string; bucket: string; title: string }[];
}

/**
 * Every channel (HTTP, netconsole, syslog, demo) hands reports here: redaction, storage,
 * regression rules and alerts, in that order, the same for all of them.
 */
export class Collector {
  constructor(
    readonly db: SqlDatabase,
    readonly metrics: Metrics,
    private readonly options: CollectorOptions = {},
  ) {}

  async ingestBatch(batch: ReportBatch, receivedAt = new Date().toISOString()): Promise<IngestReply> {
    const redact = this.options.redact;
    const host = redact?.hosts ? pseudonymHost(batch.host) : batch.host;
    const rows: StoredReport[] = storedReports(batch, receivedAt).map((r) =>
      redact ? { ...r, host, report: redactReport(r.report, redact, batch.host), ...(r.incident ? { incident: redactIncident(r.incident, redact, batch.host) } : {}) } : r,
    );
    const outcome = await ingestReports(this.db, rows);
    this.metrics.add('ktriage_reports_accepted_total', outcome.accepted.length);
    this.metrics.add('ktriage_reports_duplicate_total', outcome.duplicates);
    if (outcome.accepted.length > 0) {
      const regressions = await detectRegressions(this.db, outcome.accepted, outcome.newBuckets);
      const alerts: CollectorAlert[] = [];
      const titleOf = new Map(outcome.accepted.map((r) => [r.bucket, r]));
      for (const b of outcome.newBuckets) {
        const r = titleOf.get(b)!;
        if (regressions.some((x) => x.bucket === b)) continue;
        alerts.push({ reason: 'new-bucket', bucket: b, title: r.title, detail: `new crash on ${r.host}${r.release ? ` (${r.release})` : ''}`, severity: 'warning', time: receivedAt, ...(r.release ? { release: r.release } : {}) });
      }
      for (const g of regressions) alerts.push({ reason: g.reason, bucket: g.bucket, title: g.title, detail: g.detail, severity: 'critical', time: receivedAt, ...(g.release ? { release: g.release } : {}) });
      void this.options.alerts?.send(alerts);
    }
    return {
      accepted: outcome.accepted.length,
      duplicates: outcome.duplicates,
      reports: rows.map((r) => ({ id: r.id, bucket: r.bucket, title: r.title })),
    };
  }

  async ingestEvents(events: HostEvent[], receivedAt = new Date().toISOString()): Promise<{ accepted: number; duplicates: number }> {
    const redact = this.options.redact;
    const rows = redact?.hosts ? events.map((e) => ({ ...e, host: pseudonymHost(e.host) })) : events;
    const r = await ingestEvents(this.db, rows, receivedAt);
    this.metrics.add('ktriage_events_accepted_total', r.accepted.length);
    return { accepted: r.accepted.length, duplicates: r.duplicates };
  }
}

function redactIncident<T>(incident: T, o: RedactOptions, host: string): T {
  return JSON.parse(JSON.stringify(incident), (_k, v: unknown) => (typeof v === 'string' ? redactText(v, o, [host]) : v)) as T;
}
