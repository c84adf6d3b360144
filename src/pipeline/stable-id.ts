import { createHash } from 'node:crypto';
import type { CrashReport } from '../reports/crash-report.js';

/**
 * A report's id, the same in every process that sees the report: a digest of what the report
 * is, never of where or when it was read. It covers
 * - the host and the boot id, when the input says (syslog, journal, netconsole, the collector's
 *   query parameters);
 * - the kernel timestamp of the header, to the microsecond, when printed (a WARNING that fired
 *   twice differs there);
 * - the report's kind and its lines' text as decoded (transport prefixes, `[ ts]`, caller ids,
 *   levels, CRs and trailing blanks removed).
 * Not the file name, the line numbers or the input format: a retried upload, two collectors, or
 * the console and the vmcore of one crash give the same id.
 */
export function stableReportId(report: CrashReport): string {
  const ts = report.ts === undefined ? '' : report.ts.toFixed(6);
  const text = report.lines.map((l) => l.text.trimEnd()).join('\n');
  // Native SHA-256: a report's whole text is hashed (kilobytes each, every report of a long log or
  // of a fleet); the JavaScript one (analysis/sha256.ts) took a seventh of a long log's run.
  const digest = createHash('sha256').update(`${ID_VERSION}\u0000${report.host ?? ''}\u0000${report.boot ?? ''}\u0000${ts}\u0000${report.kind}\u0000${text}`).digest('hex');
  return `r${digest.slice(0, ID_HEX_DIGITS)}`;
}

/** An incident is named after the report that started it. */
export function stableIncidentId(firstCauseId: string): string {
  return `i${firstCauseId.slice(1)}`;
}

/** Bumped if what goes into an id ever changes (ids of earlier versions then differ on purpose). */
const ID_VERSION = 'ktriage-report-id-1';
/** 64 bits: a fleet would need billions of distinct reports before two share an id by chance. */
const ID_HEX_DIGITS = 16;
