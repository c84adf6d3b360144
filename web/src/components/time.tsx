import { ago, localTime, utcTime } from '../time.js';

/** A time in the viewer's zone (or how long ago), the UTC time on hover. */
export function Time({ iso, relative = false }: { iso: string; relative?: boolean }) {
  return (
    <time dateTime={iso} title={utcTime(iso)}>
      {relative ? ago(iso) : localTime(iso)}
    </time>
  );
}
