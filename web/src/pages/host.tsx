/**
 * One machine: what happened to it over time (crashes, storage and resource trouble before
 * them, restarts that left no report), the kernels it ran, and whether it is ready to capture
 * the next crash.
 */
import { useCallback, useMemo } from 'preact/hooks';
import { api } from '../api.js';
import type { HostDetail } from '../api-types.js';
import { Chart } from '../components/chart.js';
import { Readiness } from '../components/readiness.js';
import { ReleaseTimeline } from '../components/release-timeline.js';
import { Pending } from '../components/state.js';
import { Time } from '../components/time.js';
import { useListKeys } from '../keyboard.js';
import { navigate } from '../router.js';
import { localDate } from '../time.js';
import { useFetch } from '../use-fetch.js';

const TYPES = [
  { type: 'crash', label: 'crashes', color: '--bad' },
  { type: 'unexpected-reboot', label: 'unexpected reboots', color: '--warn-c' },
  { type: 'precursor', label: 'precursor events', color: '--c3' },
  { type: 'resource', label: 'resource alerts', color: '--c5' },
] as const;
const TIMELINE_SHOWN = 200;

export function HostPage({ host }: { host: string }) {
  const fetched = useFetch(`host ${host}`, (signal) => api.host(host, signal));
  return (
    <>
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href="/hosts">Hosts</a> / <span class="muted">{host}</span>
      </nav>
      <Pending fetched={fetched} what="this host" />
      {fetched.data && <HostView d={fetched.data} />}
    </>
  );
}

function HostView({ d }: { d: HostDetail }) {
  const h = d.host;
  const events = d.timeline.slice(0, TIMELINE_SHOWN);
  const open = useCallback(
    (i: number) => {
      const e = events[i];
      if (e?.reportId) navigate(`/reports/${encodeURIComponent(e.reportId)}`);
      else if (e?.bucket) navigate(`/buckets/${encodeURIComponent(e.bucket)}`);
    },
    [events],
  );
  const selected = useListKeys(events.length, open, h.host);
  return (
    <>
      <div class="page-head">
        <h1>{h.host}</h1>
        <p class="muted">
          {h.release && (
            <>
              running <code>{h.release}</code> ·{' '}
            </>
          )}
          last heard from <Time iso={h.lastSeen} relative />
        </p>
      </div>
      <ul class="stats">
        <li class={h.crashes > 0 ? 'tone-bad' : ''}>
          <span class="stat-value">{h.crashes.toLocaleString()}</span>
          <span class="stat-label">crashes</span>
        </li>
        <li class={h.unexpectedReboots > 0 ? 'tone-warn' : ''}>
          <span class="stat-value">{h.unexpectedReboots.toLocaleString()}</span>
          <span class="stat-label">unexpected reboots</span>
        </li>
        <li>
          <span class="stat-value">{d.releases.length}</span>
          <span class="stat-label">kernel releases</span>
        </li>
      </ul>
      <div class="split">
        <div class="split-main">
          <section class="panel" aria-labelledby="activity">
            <h2 id="activity">Activity per day</h2>
            <HostChart d={d} />
          </section>
          <section class="panel" aria-labelledby="timeline">
            <h2 id="timeline">
              Timeline <span class="count">{d.timeline.length}</span>
            </h2>
            {events.length === 0 ? (
              <p class="muted">Nothing recorded for this host.</p>
            ) : (
              <ol class="timeline">
                {events.map((e, i) => {
                  const prev = events[i - 1];
                  const day = localDate(e.time);
                  return (
                    <>
                      {(!prev || localDate(prev.time) !== day) && <li class="day">{day}</li>}
                      <li data-row={i} class={`event ev-${e.type} ${i === selected ? 'selected' : ''}`} aria-selected={i === selected}>
                        <span class="ev-dot" aria-hidden="true" />
                        <Time iso={e.time} />
                        <span class="ev-type">{e.type.replace('-', ' ')}</span>
                        <span class="ev-summary">
                          {e.reportId ? <a href={`/reports/${encodeURIComponent(e.reportId)}`}>{e.summary}</a> : e.bucket ? <a href={`/buckets/${encodeURIComponent(e.bucket)}`}>{e.summary}</a> : e.summary}
                        </span>
                        {e.severity && <span class={`badge sev sev-${e.severity}`}>{e.severity}</span>}
                      </li>
                    </>
                  );
                })}
              </ol>
            )}
            {d.timeline.length > TIMELINE_SHOWN && <p class="muted small">The {TIMELINE_SHOWN} latest of {d.timeline.length} events.</p>}
          </section>
        </div>
        <aside class="split-side" aria-label="Kernels and readiness">
          <section class="panel" aria-labelledby="readiness">
            <h2 id="readiness">Readiness</h2>
            <Readiness readiness={d.readiness} />
          </section>
          <section class="panel" aria-labelledby="host-releases">
            <h2 id="host-releases">Kernel releases it ran</h2>
            <ReleaseTimeline releases={d.releases.map((r) => ({ ...r, count: d.timeline.filter((e) => e.type === 'crash' && e.time >= r.firstSeen && e.time <= r.lastSeen).length }))} />
          </section>
          <p>
            <a href={`/buckets?host=${encodeURIComponent(h.host)}`}>This host's buckets →</a>
          </p>
        </aside>
      </div>
    </>
  );
}

function HostChart({ d }: { d: HostDetail }) {
  const { times, series } = useMemo(() => {
    if (d.timeline.length === 0) return { times: [], series: [] };
    const day = (iso: string) => `${iso.slice(0, 10)}T00:00:00.000Z`;
    const days = d.timeline.map((e) => day(e.time)).sort();
    const start = new Date(days[0] ?? '').getTime();
    const end = new Date(days[days.length - 1] ?? '').getTime();
    const times: string[] = [];
    for (let t = start; t <= end && times.length < 400; t += 86_400_000) times.push(new Date(t).toISOString());
    const index = new Map(times.map((t, i) => [t, i]));
    const series = TYPES.map((t) => ({ label: t.label, color: t.color, values: times.map(() => 0) }));
    for (const e of d.timeline) {
      const s = series[TYPES.findIndex((t) => t.type === e.type)];
      const i = index.get(day(e.time));
      if (s && i !== undefined) s.values[i] = (s.values[i] ?? 0) + 1;
    }
    return { times, series: series.filter((s) => s.values.some((v) => v > 0)) };
  }, [d]);
  if (times.length === 0) return <p class="muted">No event recorded.</p>;
  return <Chart times={times} series={series} step={86400} height={160} label="Events per day" />;
}
