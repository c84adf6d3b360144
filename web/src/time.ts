/** Times in the viewer's zone; the UTC time on hover (the `title` of every <Time>). */

const local = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
const localDay = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });

export function localTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : local.format(d);
}

export function localDate(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : localDay.format(d);
}

export function utcTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** `3 min ago`, `5 h ago`, `12 days ago`. */
export function ago(iso: string, now = Date.now()): string {
  const s = Math.round((now - new Date(iso).getTime()) / 1000);
  if (!Number.isFinite(s)) return iso;
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  const days = Math.floor(s / 86400);
  return days === 1 ? 'yesterday' : `${days} days ago`;
}

/** The `since` of a named time range (`24h`, `7d`, `30d`, `90d`), or undefined for all time. */
export const RANGES: readonly { id: string; label: string; hours?: number }[] = [
  { id: '24h', label: 'Last 24 hours', hours: 24 },
  { id: '7d', label: 'Last 7 days', hours: 24 * 7 },
  { id: '30d', label: 'Last 30 days', hours: 24 * 30 },
  { id: '90d', label: 'Last 90 days', hours: 24 * 90 },
  { id: 'all', label: 'All time' },
];

export function sinceOf(range: string | null, now = Date.now()): string | undefined {
  const hours = RANGES.find((r) => r.id === range)?.hours;
  if (hours === undefined) return undefined;
  // Rounded down to the minute: the same view asks the same URL (cacheable) for a minute.
  return new Date(Math.floor((now - hours * 3_600_000) / 60_000) * 60_000).toISOString();
}
