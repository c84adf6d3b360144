/** Which kernel releases a bucket was seen on, and from when to when: one bar per release on a shared time axis. */
import { localDate, utcTime } from '../time.js';

export function ReleaseTimeline({ releases }: { releases: { release: string; count: number; firstSeen: string; lastSeen: string }[] }) {
  if (releases.length === 0) return <p class="muted">No release recorded.</p>;
  const times = releases.flatMap((r) => [new Date(r.firstSeen).getTime(), new Date(r.lastSeen).getTime()]);
  const min = Math.min(...times);
  const max = Math.max(...times);
  const span = Math.max(1, max - min);
  const sorted = [...releases].sort((a, b) => a.firstSeen.localeCompare(b.firstSeen));
  return (
    <div class="release-timeline">
      <ul>
        {sorted.map((r) => {
          const left = ((new Date(r.firstSeen).getTime() - min) / span) * 100;
          const width = Math.max(1.5, ((new Date(r.lastSeen).getTime() - new Date(r.firstSeen).getTime()) / span) * 100);
          return (
            <li>
              <code class="rel-name">{r.release}</code>
              <span class="rel-track" title={`${utcTime(r.firstSeen)} – ${utcTime(r.lastSeen)}`}>
                <span class="rel-bar" style={{ left: `${Math.min(left, 98.5)}%`, width: `${Math.min(width, 100 - Math.min(left, 98.5))}%` }} />
              </span>
              <span class="num small">{r.count.toLocaleString()}</span>
            </li>
          );
        })}
      </ul>
      <div class="rel-axis muted small">
        <span>{localDate(new Date(min).toISOString())}</span>
        <span>{localDate(new Date(max).toISOString())}</span>
      </div>
    </div>
  );
}
