/** The fleet's machines, most recently heard from first (as the API orders them), filtered by name. */
import { useCallback, useState } from 'preact/hooks';
import { api } from '../api.js';
import type { HostSummary } from '../api-types.js';
import { Pending } from '../components/state.js';
import { Time } from '../components/time.js';
import { useListKeys } from '../keyboard.js';
import { navigate, withParams, type Location } from '../router.js';
import { useFetch } from '../use-fetch.js';

export function HostListPage({ location }: { location: Location }) {
  const q = location.params.get('q') ?? '';
  const [text, setText] = useState(q);
  const first = useFetch(`hosts ${q}`, (signal) => api.hosts({ q: q || undefined, limit: 100 }, signal));
  const [more, setMore] = useState<{ q: string; rows: HostSummary[]; cursor?: string | undefined }>({ q, rows: [] });
  const extra = more.q === q ? more : { q, rows: [], cursor: undefined };
  const rows = [...(first.data?.hosts ?? []), ...extra.rows];
  const next = extra.rows.length > 0 ? extra.cursor : first.data?.nextCursor;
  const open = useCallback((i: number) => rows[i] && navigate(`/hosts/${encodeURIComponent(rows[i].host)}`), [rows]);
  const selected = useListKeys(rows.length, open, q);
  const loadMore = async () => {
    if (!next) return;
    const page = await api.hosts({ q: q || undefined, limit: 100, cursor: next });
    setMore({ q, rows: [...extra.rows, ...page.hosts], cursor: page.nextCursor });
  };
  return (
    <>
      <div class="page-head">
        <h1>Hosts</h1>
      </div>
      <form
        class="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          navigate(withParams(location, { q: text.trim() || undefined }), { replace: true });
        }}
      >
        <label class="field">
          <span>Host name contains</span>
          <input id="host-filter" type="search" value={text} onInput={(e) => setText(e.currentTarget.value)} placeholder="web-" />
        </label>
        <button type="submit">Filter</button>
      </form>
      <Pending fetched={first} what="hosts" />
      {first.data && rows.length === 0 && <p class="empty-list">No host matches.</p>}
      {rows.length > 0 && (
        <table class="list" aria-label="Hosts">
          <thead>
            <tr>
              <th scope="col">Host</th>
              <th scope="col">Release</th>
              <th scope="col" class="num">
                Crashes
              </th>
              <th scope="col" class="num">
                Unexpected reboots
              </th>
              <th scope="col">Last heard from</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((h, i) => (
              <tr data-row={i} class={i === selected ? 'selected' : ''} aria-selected={i === selected}>
                <td>
                  <a href={`/hosts/${encodeURIComponent(h.host)}`}>{h.host}</a>
                </td>
                <td>{h.release && <code>{h.release}</code>}</td>
                <td class="num strong">{h.crashes.toLocaleString()}</td>
                <td class="num">{h.unexpectedReboots.toLocaleString()}</td>
                <td>
                  <Time iso={h.lastSeen} relative />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next && (
        <p class="more">
          <button type="button" onClick={loadMore}>
            Show more hosts
          </button>
        </p>
      )}
    </>
  );
}
