import { createHash } from 'node:crypto';
import type { CrashReport } from '../reports/crash-report.js';

/**
 * A report's id from what it is (host, boot, kernel time, kind, text), never from where it was
 * read: the agent after a restart, or the collector seeing a retried upload, gets the same id.
 * Same recipe as the analysis library's stableReportId.
 */
export function stableReportId(report: CrashReport): string {
  const ts = report.ts === undefined ? '' : report.ts.toFixed(6);
  const text = report.lines.map((l) => l.text.trimEnd()).join('\n');
  const digest = createHash('sha256').update(`ktriage-report-id-1\u0000${report.host ?? ''}\u0000${report.boot ?? ''}\u0000${ts}\u0000${report.kind}\u0000${text}`).digest('hex');
  return `r${digest.slice(0, 16)}`;
}

/** An event's id from what identifies it (rule, host, boot, the line's seq or time and text). */
export function stableEventId(...parts: (string | number | undefined)[]): string {
  return `e${createHash('sha256').update(parts.map((p) => String(p ?? '')).join('\u0000')).digest('hex').slice(0, 16)}`;
}
