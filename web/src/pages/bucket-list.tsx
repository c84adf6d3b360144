/**
 * Every crash signature, filtered and sorted as the URL says (a view can be shared by its link),
 * a page at a time from the API. `j`/`k` move, Enter opens.
 */
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { api } from '../api.js';
import type { BucketList, BucketSummary } from '../api-types.js';
import { CauseBadge, Flags, KindBadge, StatusBadge } from '../components/badges.js';
import { RangePicker } from '../components/range-picker.js';
import { Sparkline } from '../components/sparkline.js';
import { Pending } from '../components/state.js';
import { Time } from '../components/time.js';
import { useListKeys } from '../keyboard.js';
import { CAUSES, KINDS, STATUSES } from '../kinds.js';
import { navigate, withParams, type Location } from '../router.js';
import { sinceOf } from '../time.js';
import { useFetch } from '../use-fetch.js';

const SORTS = [
  { id: 'count', label: 'Most crashes' },
  { id: 'recent', label: 'Most recent' },
  { id: 'growth', label: 'Fastest growing' },
];
const PAGE = 50;
/** Filters kept in the URL under their API names. */
const TEXT_FILTERS = [
  { id: 'release', label: 'Release', placeholder: '6.1.0-26-amd64' },
  { id: 'host', label: 'Host', placeholder: 'web-1' },
  { id: 'module', label: 'Module', placeholder: 'nvme' },
];

export function BucketListPage({ location }: { location: Location }) {
  const p = location.params;
  const range = p.get('range') ?? '30d';
  const sort = p.get('sort') ?? 'count';
  const params = {
    kind: p.get('kind') ?? undefined,
    cause: p.get('cause') ?? undefined,
    release: p.get('release') ?? undefined,
    host: p.get('host') ?? undefined,
    module: p.get('module') ?? undefined,
    status: p.get('status') ?? undefined,
    q: p.get('q') ?? undefined,
    since: useMemo(() => sinceOf(range), [range, location]),
    sort,
    limit: PAGE,
  };
  const key = JSON.stringify(params);
  const first = useFetch(key, (signal) => api.buckets(params, signal));
  const [more, setMore] = useState<{ key: string; pages: BucketList[] }>({ key, pages: [] });
  const pages = more.key === key ? more.pages : [];
  const rows: BucketSummary[] = [...(first.data?.buckets ?? []), ...pages.flatMap((pg) => pg.buckets)];
  const nextCursor = pages.length > 0 ? pages[pages.length - 1]?.nextCursor : first.data?.nextCursor;
  const [loadingMore, setLoadingMore] = useState(false);
  const loadMore = async () => {
    if (!nextCursor) return;
    setLoadingMore(true);
    try {
      const page = await api.buckets({ ...params, cursor: nextCursor });
      setMore({ key, pages: [...pages, page] });
    } finally {
      setLoadingMore(false);
    }
  };
  const open = useCallback((i: number) => rows[i] && navigate(`/buckets/${encodeURIComponent(rows[i].id)}`), [rows]);
  const selected = useListKeys(rows.length, open, key);
  const set = (changes: Record<string, string | undefined>) => navigate(withParams(location, changes), { replace: true });
  const active = ['kind', 'cause', 'release', 'host', 'module', 'status', 'q'].filter((k) => p.get(k));
  return (
    <>
      <div class="page-head">
        <h1>Buckets</h1>
        <p class="muted">
          {first.data ? (
            <>
              <strong>{first.data.total.toLocaleString()}</strong> crash signature{first.data.total === 1 ? '' : 's'}
              {p.get('q') && (
                <>
                  {' '}
                  matching <q>{p.get('q')}</q>
                </>
              )}
            </>
          ) : (
            ' '
          )}
        </p>
      </div>
      <form class="filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
        <Select label="Kind" id="f-kind" value={params.kind} options={KINDS} onChange={(v) => set({ kind: v })} />
        <Select label="Cause" id="f-cause" value={params.cause} options={CAUSES} onChange={(v) => set({ cause: v })} />
        <Select label="Status" id="f-status" value={params.status} options={STATUSES} onChange={(v) => set({ status: v })} />
        {TEXT_FILTERS.map((f) => (
          <TextFilter key={f.id + (p.get(f.id) ?? '')} id={`f-${f.id}`} label={f.label} placeholder={f.placeholder} value={p.get(f.id) ?? ''} onCommit={(v) => set({ [f.id]: v })} />
        ))}
        <RangePicker location={location} value={range} id="f-range" />
        <label class="field">
          <span>Sort</span>
          <select id="f-sort" value={sort} onChange={(e) => set({ sort: e.currentTarget.value === 'count' ? undefined : e.currentTarget.value })}>
            {SORTS.map((s) => (
              <option value={s.id}>{s.label}</option>
            ))}
          </select>
        </label>
        {active.length > 0 && (
          <button type="button" class="ghost clear" onClick={() => navigate(withParams(location, Object.fromEntries(active.map((k) => [k, undefined]))), { replace: true })}>
            Clear filters
          </button>
        )}
      </form>
      <Pending fetched={first} what="buckets" />
      {first.data && rows.length === 0 && <p class="empty-list">No bucket matches these filters.</p>}
      {rows.length > 0 && (
        <div class={`table-wrap ${first.loading ? 'stale' : ''}`}>
          <table class="list buckets" aria-label="Buckets" aria-rowcount={first.data?.total}>
            <thead>
              <tr>
                <th scope="col">Title</th>
                <th scope="col">Kind · cause</th>
                <th scope="col" class="num">
                  Count
                </th>
                <th scope="col" class="num">
                  Hosts
                </th>
                <th scope="col">First seen</th>
                <th scope="col">Last seen</th>
                <th scope="col">Releases</th>
                <th scope="col">14 days</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((b, i) => (
                <tr data-row={i} class={i === selected ? 'selected' : ''} aria-selected={i === selected}>
                  <td class="title-cell">
                    <a href={`/buckets/${encodeURIComponent(b.id)}`} class="title-link">
                      {b.title}
                    </a>
                    <div class="meta">
                      <Flags isNew={b.new} regression={b.regression} />
                      {b.culprit && <code>{b.culprit}</code>}
                      {b.module && <span class="muted">[{b.module}]</span>}
                    </div>
                  </td>
                  <td>
                    <KindBadge kind={b.kind} />
                    <br />
                    <CauseBadge cause={b.cause} />
                  </td>
                  <td class="num strong">{b.count.toLocaleString()}</td>
                  <td class="num">{b.hosts.toLocaleString()}</td>
                  <td class="nowrap">
                    <Time iso={b.firstSeen} relative />
                  </td>
                  <td class="nowrap">
                    <Time iso={b.lastSeen} relative />
                  </td>
                  <td class="releases">
                    {b.releases.slice(-2).map((r) => (
                      <code>{r}</code>
                    ))}
                    {b.releases.length > 2 && <span class="muted small" title={b.releases.slice(0, -2).join(', ')}>+{b.releases.length - 2} older</span>}
                  </td>
                  <td>
                    <Sparkline values={b.sparkline} label={b.title} />
                  </td>
                  <td>
                    <StatusBadge status={b.status} fixedIn={b.fixedIn} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {nextCursor && (
        <p class="more">
          <button type="button" onClick={loadMore} disabled={loadingMore}>
            {loadingMore ? 'Loading…' : `Show ${PAGE} more (${rows.length.toLocaleString()} of ${first.data?.total.toLocaleString()})`}
          </button>
        </p>
      )}
      <p class="hint muted">
        <kbd>j</kbd> <kbd>k</kbd> move, <kbd>Enter</kbd> opens, <kbd>/</kbd> searches.
      </p>
    </>
  );
}

function Select({ label, id, value, options, onChange }: { label: string; id: string; value: string | undefined; options: readonly string[]; onChange: (v: string | undefined) => void }) {
  return (
    <label class="field">
      <span>{label}</span>
      <select id={id} value={value ?? ''} onChange={(e) => onChange(e.currentTarget.value || undefined)}>
        <option value="">Any</option>
        {options.map((o) => (
          <option value={o}>{o}</option>
        ))}
      </select>
    </label>
  );
}

/** A text filter applied on Enter or when it loses focus (not on every key: each is a query). */
function TextFilter({ id, label, placeholder, value, onCommit }: { id: string; label: string; placeholder: string; value: string; onCommit: (v: string | undefined) => void }) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  const commit = () => text.trim() !== value && onCommit(text.trim() || undefined);
  return (
    <label class="field">
      <span>{label}</span>
      <input id={id} type="text" value={text} placeholder={placeholder} onInput={(e) => setText(e.currentTarget.value)} onBlur={commit} onKeyDown={(e) => e.key === 'Enter' && commit()} />
    </label>
  );
}
