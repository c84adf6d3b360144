/**
 * One crash signature: the representative report's answer first, then where and when it
 * happens (hosts, releases, occurrences), its reports, and triage (status and notes, admin).
 */
import { useCallback, useState } from 'preact/hooks';
import { api } from '../api.js';
import type { BucketDetail, ReportSummary } from '../api-types.js';
import { CauseBadge, Flags, KindBadge, StatusBadge } from '../components/badges.js';
import { Chart } from '../components/chart.js';
import { Answer, CallTrace, Facts, RawReport } from '../components/report-view.js';
import { ReleaseTimeline } from '../components/release-timeline.js';
import { Bar, Pending } from '../components/state.js';
import { Time } from '../components/time.js';
import { Triage } from '../components/triage.js';
import { useListKeys } from '../keyboard.js';
import { navigate } from '../router.js';
import { useFetch } from '../use-fetch.js';

export function BucketPage({ id, admin }: { id: string; admin: boolean }) {
  const fetched = useFetch(`bucket ${id}`, (signal) => api.bucket(id, signal));
  const d = fetched.data;
  return (
    <>
      <Pending fetched={fetched} what="this bucket" />
      {d && <BucketView d={d} admin={admin} onChanged={fetched.reload} />}
    </>
  );
}

function BucketView({ d, admin, onChanged }: { d: BucketDetail; admin: boolean; onChanged: () => void }) {
  const b = d.bucket;
  const { report, incident } = d.representative;
  return (
    <>
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href="/buckets">Buckets</a> / <span class="muted">{b.id.slice(0, 12)}</span>
      </nav>
      <div class="page-head bucket-head">
        <h1>{b.title}</h1>
        <div class="meta">
          <KindBadge kind={b.kind} /> <CauseBadge cause={b.cause} /> <StatusBadge status={b.status} fixedIn={b.fixedIn} /> <Flags isNew={b.new} regression={b.regression} />
        </div>
        {b.regression && <p class="regression">{b.regression.detail}</p>}
      </div>
      <ul class="stats">
        <li>
          <span class="stat-value">{b.count.toLocaleString()}</span>
          <span class="stat-label">crashes</span>
        </li>
        <li>
          <span class="stat-value">{b.hosts.toLocaleString()}</span>
          <span class="stat-label">hosts</span>
        </li>
        <li>
          <span class="stat-value small-value">
            <Time iso={b.firstSeen} />
          </span>
          <span class="stat-label">first seen</span>
        </li>
        <li>
          <span class="stat-value small-value">
            <Time iso={b.lastSeen} />
          </span>
          <span class="stat-label">last seen</span>
        </li>
        <li>
          <span class="stat-value">{b.releases.length}</span>
          <span class="stat-label">releases</span>
        </li>
      </ul>
      <div class="split">
        <div class="split-main">
          <Answer report={report} incident={incident} />
          <CallTrace report={report} incident={incident} />
          <Facts report={report} />
          <RawReport report={report} />
          <p>
            <a href={`/reports/${encodeURIComponent(report.id)}`}>Open the representative report</a> (copy as Markdown RCA, download raw)
          </p>
        </div>
        <aside class="split-side" aria-label="Where and when">
          <Triage bucket={b} notes={d.notes} admin={admin} onChanged={onChanged} />
          <Occurrences d={d} />
          <Hosts d={d} />
          <section class="panel" aria-labelledby="releases-h">
            <h2 id="releases-h">Releases over time</h2>
            <ReleaseTimeline releases={d.releases} />
          </section>
        </aside>
      </div>
      <BucketReports id={b.id} />
    </>
  );
}

function Occurrences({ d }: { d: BucketDetail }) {
  const [hourly, setHourly] = useState(false);
  const points = hourly ? d.series.hourly : d.series.daily;
  return (
    <section class="panel" aria-labelledby="occurrences">
      <div class="panel-head">
        <h2 id="occurrences">Occurrences</h2>
        <div class="segmented" role="group" aria-label="Interval">
          <button type="button" aria-pressed={!hourly} onClick={() => setHourly(false)}>
            daily
          </button>
          <button type="button" aria-pressed={hourly} onClick={() => setHourly(true)}>
            hourly
          </button>
        </div>
      </div>
      {points.length === 0 ? (
        <p class="muted">No occurrence in the stored range.</p>
      ) : (
        <Chart times={points.map((p) => p.t)} series={[{ label: 'crashes', values: points.map((p) => p.count), color: '--accent' }]} step={hourly ? 3600 : 86400} height={160} label={`Crashes per ${hourly ? 'hour' : 'day'}`} />
      )}
    </section>
  );
}

function Hosts({ d }: { d: BucketDetail }) {
  const max = Math.max(0, ...d.hosts.map((h) => h.count));
  return (
    <section class="panel" aria-labelledby="hosts-h">
      <h2 id="hosts-h">
        Affected hosts <span class="count">{d.bucket.hosts}</span>
      </h2>
      <table class="compact">
        <thead>
          <tr>
            <th scope="col">Host</th>
            <th scope="col" class="num">
              Crashes
            </th>
            <th scope="col">Last</th>
          </tr>
        </thead>
        <tbody>
          {d.hosts.slice(0, 12).map((h) => (
            <tr>
              <td>
                <a href={`/hosts/${encodeURIComponent(h.host)}`}>{h.host}</a>
              </td>
              <td class="num with-bar">
                <Bar value={h.count} max={max} />
                {h.count.toLocaleString()}
              </td>
              <td class="nowrap">
                <Time iso={h.lastSeen} relative />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {d.hosts.length > 12 && (
        <p class="small">
          <a href={`/buckets/${encodeURIComponent(d.bucket.id)}#reports`}>and {d.hosts.length - 12} more hosts</a>
        </p>
      )}
    </section>
  );
}

function BucketReports({ id }: { id: string }) {
  const first = useFetch(`bucket-reports ${id}`, (signal) => api.bucketReports(id, undefined, signal));
  const [more, setMore] = useState<ReportSummary[]>([]);
  const [cursor, setCursor] = useState<string | undefined | null>(null);
  const next = cursor === null ? first.data?.nextCursor : cursor;
  const rows = [...(first.data?.reports ?? []), ...more];
  const open = useCallback((i: number) => rows[i] && navigate(`/reports/${encodeURIComponent(rows[i].id)}`), [rows]);
  const selected = useListKeys(rows.length, open, id);
  const loadMore = async () => {
    if (!next) return;
    const page = await api.bucketReports(id, next);
    setMore([...more, ...page.reports]);
    setCursor(page.nextCursor);
  };
  return (
    <section class="panel" id="reports" aria-labelledby="reports-h">
      <h2 id="reports-h">Reports in this bucket</h2>
      <Pending fetched={first} what="reports" />
      {rows.length > 0 && (
        <table class="list">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Host</th>
              <th scope="col">Release</th>
              <th scope="col">Report</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr data-row={i} class={i === selected ? 'selected' : ''} aria-selected={i === selected}>
                <td class="nowrap">
                  <Time iso={r.time} />
                </td>
                <td>
                  <a href={`/hosts/${encodeURIComponent(r.host)}`}>{r.host}</a>
                </td>
                <td>{r.release && <code>{r.release}</code>}</td>
                <td>
                  <a href={`/reports/${encodeURIComponent(r.id)}`}>{r.title}</a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next && (
        <p class="more">
          <button type="button" onClick={loadMore}>
            Show more reports
          </button>
        </p>
      )}
    </section>
  );
}
