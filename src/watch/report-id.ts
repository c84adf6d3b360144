import { createHash } from 'node:crypto';

/**
 * An event's id from what identifies it (rule, host, boot, the line's seq or time and text),
 * never from when it was read: the agent after a restart sends the same id, and the collector
 * keeps the event once. (Reports have the analysis library's stableReportId.)
 */
export function stableEventId(...parts: (string | number | undefined)[]): string {
  return `e${createHash('sha256').update(parts.map((p) => String(p ?? '')).join('\u0000')).digest('hex').slice(0, 16)}`;
}
