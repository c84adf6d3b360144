/** How loud a watch event is; the order matters (an alert's severity is its loudest event's). */
export const WATCH_SEVERITIES = ['info', 'warning', 'critical'] as const;
export type WatchSeverity = (typeof WATCH_SEVERITIES)[number];

export function isWatchSeverity(s: unknown): s is WatchSeverity {
  return typeof s === 'string' && (WATCH_SEVERITIES as readonly string[]).includes(s);
}
