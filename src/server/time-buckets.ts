/** Hour and day keys of an ISO time: `2026-12-07T13`, `2026-12-07`. They sort as text. */
export function hourOf(iso: string): string {
  return iso.slice(0, 13);
}

export function dayOf(iso: string): string {
  return iso.slice(0, 10);
}

/** A time the client gave, as ISO UTC, or undefined when it is not one. */
export function isoTime(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 64) return undefined;
  const t = Date.parse(value);
  return Number.isFinite(t) ? new Date(t).toISOString() : undefined;
}

/** The last `days` day keys ending at `now`, oldest first. */
export function lastDays(now: number, days: number): string[] {
  const out: string[] = [];
  for (let i = days - 1; i >= 0; i--) out.push(new Date(now - i * 86_400_000).toISOString().slice(0, 10));
  return out;
}
