import type { Fetched } from '../use-fetch.js';

/** Loading and error states of a fetched page part. */
export function Pending<T>({ fetched, what }: { fetched: Fetched<T>; what: string }) {
  if (fetched.error && !fetched.data)
    return (
      <p class="error" role="alert">
        Could not load {what}: {fetched.error.message}
      </p>
    );
  if (!fetched.data) return <p class="loading" aria-busy="true">Loading {what}…</p>;
  return null;
}

/** A horizontal bar of a value against the largest in its list. */
export function Bar({ value, max, label }: { value: number; max: number; label?: string }) {
  const pct = max > 0 ? Math.max(2, (value / max) * 100) : 0;
  return (
    <span class="bar" aria-hidden={label ? undefined : 'true'} aria-label={label}>
      <span style={{ width: `${pct}%` }} />
    </span>
  );
}
