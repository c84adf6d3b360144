/**
 * The morning page: how many crashes and of what over time, what is new or came back, where
 * it happens (hosts, releases) and which machines restarted without a trace.
 */
import { useMemo } from 'preact/hooks';
import { api } from '../api.js';
import type { BucketSummary, Overview } from '../api-types.js';
import { CauseBadge, Flags, KindBadge } from '../components/badges.js';
import { Chart, paletteColor, type ChartSeries } from '../components/chart.js';
import { RangePicker } from '../components/range-picker.js';
import { Sparkline } from '../components/sparkline.js';
import { Bar, Pending } from '../components/state.js';
import { Time } from '../components/time.js';
import { navigate, withParams, type Location } from '../router.js';
import { sinceOf } from '../time.js';
import { useFetch } from '../use-fetch.js';
import { CAUSES } from '../kinds.js';

/** Kinds beyond this many are summed as `other` in the chart. */
const KINDS_SHOWN = 7;

export function OverviewPage({ location }: { location: Location }) {
  const range = location.params.get('range') ?? '7d';
  const by = location.params.get('by') === 'cause' ? 'cause' : 'kind';
  // Once per navigation: a re-render a minute later must not ask again.
  const since = useMemo(() => sinceOf(range), [range, location]);
  const fetched = useFetch(`overview ${since}`, (signal) => api.overview(since, signal));
  const o = fetched.data;
  return (
    <>
      <div class="page-head">
        <h1>Fleet overview</h1>
        <div class="page-tools">
          <RangePicker location={location} value={range} />
        </div>
      </div>
      <Pending fetched={fetched} what="the overview" />
      {o && (
        <div class={fetched.loading ? 'stale' : ''}>
          <Totals o={o} />
          <section class="panel" aria-labelledby="crashes-over-time">
            <div class="panel-head">
              <h2 id="crashes-over-time">Crashes over time</h2>
              <div class="segmented" role="group" aria-label="Stack by">
                {(['kind', 'cause'] as const).map((b) => (
                  <button type="button" aria-pressed={by === b} onClick={() => navigate(withParams(location, { by: b === 'kind' ? undefined : b }), { replace: true })}>
                    by {b}
                  </button>
                ))}
              </div>
            </div>
            <CrashChart o={o} by={by} />
          </section>
          <div class="grid-2">
            <BucketPanel id="new-buckets" title="New buckets" empty="No new crash signature in this range." buckets={o.newBuckets} />
            <BucketPanel id="regressed-buckets" title="Regressed buckets" empty="Nothing came back or jumped in this range." buckets={o.regressedBuckets} />
          </div>
          <div class="grid-3">
            <TopHosts o={o} />
            <Releases o={o} />
            <Reboots o={o} />
          </div>
        </div>
      )}
    </>
  );
}

function Totals({ o }: { o: Overview }) {
  const crashes = o.series.reduce((a, p) => a + p.total, 0);
  const stats = [
    { label: 'Crashes', value: crashes },
    { label: 'New buckets', value: o.newBuckets.length, tone: o.newBuckets.length > 0 ? 'warn' : '' },
    { label: 'Regressed buckets', value: o.regressedBuckets.length, tone: o.regressedBuckets.length > 0 ? 'bad' : '' },
    { label: 'Kernel releases', value: o.releases.length },
    { label: 'Unexpected reboots', value: o.unexpectedReboots.length, tone: o.unexpectedReboots.length > 0 ? 'warn' : '' },
  ];
  return (
    <ul class="stats" aria-label="Totals in this range">
      {stats.map((s) => (
        <li class={s.tone ? `tone-${s.tone}` : ''}>
          <span class="stat-value">{s.value.toLocaleString()}</span>
          <span class="stat-label">{s.label}</span>
        </li>
      ))}
    </ul>
  );
}

function CrashChart({ o, by }: { o: Overview; by: 'kind' | 'cause' }) {
  const { times, series } = useMemo(() => {
    const times = o.series.map((p) => p.t);
    const key = by === 'kind' ? 'byKind' : 'byCause';
    const totals = new Map<string, number>();
    for (const p of o.series) for (const [k, n] of Object.entries(p[key])) totals.set(k, (totals.get(k) ?? 0) + n);
    const names = [...totals.keys()].sort((a, b) => (totals.get(b) ?? 0) - (totals.get(a) ?? 0));
    const series: ChartSeries[] = [];
    if (by === 'cause') {
      for (const c of CAUSES.filter((c) => totals.has(c)).concat(names.filter((n) => !CAUSES.includes(n))))
        series.push({ label: c, values: o.series.map((p) => p.byCause[c] ?? 0), color: CAUSES.includes(c) ? `--cause-${c}` : '--c-other' });
    } else {
      const shown = names.slice(0, KINDS_SHOWN);
      shown.forEach((k, i) => series.push({ label: k, values: o.series.map((p) => p.byKind[k] ?? 0), color: paletteColor(i) }));
      if (names.length > KINDS_SHOWN)
        series.push({ label: 'other kinds', values: o.series.map((p) => Object.entries(p.byKind).reduce((a, [k, n]) => (shown.includes(k) ? a : a + n), 0)), color: '--c-other' });
    }
    return { times, series };
  }, [o, by]);
  if (times.length === 0) return <p class="muted">No crash in this range.</p>;
  return <Chart times={times} series={series} step={o.bucketSize === 'hour' ? 3600 : 86400} height={240} label={`Crashes per ${o.bucketSize} by ${by}`} />;
}

function BucketPanel({ id, title, empty, buckets }: { id: string; title: string; empty: string; buckets: BucketSummary[] }) {
  return (
    <section class="panel" aria-labelledby={id}>
      <div class="panel-head">
        <h2 id={id}>
          {title} <span class="count">{buckets.length}</span>
        </h2>
      </div>
      {buckets.length === 0 ? (
        <p class="muted">{empty}</p>
      ) : (
        <ul class="bucket-mini">
          {buckets.slice(0, 8).map((b) => (
            <li>
              <a href={`/buckets/${encodeURIComponent(b.id)}`} class="title-link">
                {b.title}
              </a>
              <div class="meta">
                <KindBadge kind={b.kind} /> <CauseBadge cause={b.cause} /> <Flags isNew={false} regression={b.regression} />
                <span>
                  {b.count.toLocaleString()} on {b.hosts} host{b.hosts === 1 ? '' : 's'}
                </span>
                <span class="muted">
                  first <Time iso={b.firstSeen} relative />
                </span>
                {b.regression && <span class="muted">{b.regression.detail}</span>}
              </div>
              <Sparkline values={b.sparkline} label={b.title} />
            </li>
          ))}
        </ul>
      )}
      {buckets.length > 8 && (
        <p>
          <a href={`/buckets?sort=recent`}>All {buckets.length} →</a>
        </p>
      )}
    </section>
  );
}

function TopHosts({ o }: { o: Overview }) {
  const max = Math.max(0, ...o.topHosts.map((h) => h.crashes));
  return (
    <section class="panel" aria-labelledby="top-hosts">
      <h2 id="top-hosts">Hosts with most crashes</h2>
      {o.topHosts.length === 0 ? (
        <p class="muted">No host crashed in this range.</p>
      ) : (
        <table class="compact">
          <thead>
            <tr>
              <th scope="col">Host</th>
              <th scope="col" class="num">
                Crashes
              </th>
            </tr>
          </thead>
          <tbody>
            {o.topHosts.slice(0, 10).map((h) => (
              <tr>
                <td>
                  <a href={`/hosts/${encodeURIComponent(h.host)}`}>{h.host}</a>
                </td>
                <td class="num with-bar">
                  <Bar value={h.crashes} max={max} />
                  {h.crashes.toLocaleString()}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Releases({ o }: { o: Overview }) {
  const max = Math.max(0, ...o.releases.map((r) => r.crashesPerHost));
  return (
    <section class="panel" aria-labelledby="releases">
      <h2 id="releases">Kernel releases</h2>
      {o.releases.length === 0 ? (
        <p class="muted">No release reported yet.</p>
      ) : (
        <table class="compact">
          <thead>
            <tr>
              <th scope="col">Release</th>
              <th scope="col" class="num">
                Hosts
              </th>
              <th scope="col" class="num">
                Crashes
              </th>
              <th scope="col" class="num" title="Crashes per host running it">
                Per host
              </th>
            </tr>
          </thead>
          <tbody>
            {o.releases.map((r) => (
              <tr>
                <td>
                  <a href={`/buckets?release=${encodeURIComponent(r.release)}`}>
                    <code>{r.release}</code>
                  </a>
                </td>
                <td class="num">{r.hosts}</td>
                <td class="num">{r.crashes.toLocaleString()}</td>
                <td class="num with-bar">
                  <Bar value={r.crashesPerHost} max={max} />
                  {r.crashesPerHost.toFixed(2)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Reboots({ o }: { o: Overview }) {
  return (
    <section class="panel" aria-labelledby="reboots">
      <h2 id="reboots">Unexpected reboots</h2>
      {o.unexpectedReboots.length === 0 ? (
        <p class="muted">None: every restart in this range was clean or left a report.</p>
      ) : (
        <ul class="events">
          {o.unexpectedReboots.slice(0, 10).map((r) => (
            <li>
              <a href={`/hosts/${encodeURIComponent(r.host)}`}>{r.host}</a> <Time iso={r.time} relative />
              <div class="muted small">{r.summary}</div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
