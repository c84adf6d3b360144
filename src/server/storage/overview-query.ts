import { bucketSummary, type BucketSummary } from './bucket-queries.js';
import { compareReleases } from '../release-order.js';
import { hourOf } from '../time-buckets.js';
import type { SqlDatabase } from './sql-database.js';

export interface Overview {
  series: { t: string; total: number; byKind: Record<string, number>; byCause: Record<string, number> }[];
  bucketSize: 'hour' | 'day';
  newBuckets: BucketSummary[];
  regressedBuckets: BucketSummary[];
  topHosts: { host: string; crashes: number }[];
  unexpectedReboots: { host: string; time: string; summary: string }[];
  releases: { release: string; hosts: number; crashes: number; crashesPerHost: number }[];
}

const TOP = 10;

/** The fleet between since and until: hourly points up to two days, daily beyond. */
export async function overview(db: SqlDatabase, since: string, until: string, now = Date.now()): Promise<Overview> {
  const bucketSize = Date.parse(until) - Date.parse(since) <= 2 * 86_400_000 ? 'hour' : 'day';
  const hours = await db.all<{ hour: string; kind: string; cause: string; count: number }>(
    'SELECT hour, kind, cause, count FROM fleet_hours WHERE hour >= ? AND hour <= ? ORDER BY hour',
    [hourOf(since), hourOf(until)],
  );
  const points = new Map<string, Overview['series'][number]>();
  for (const h of hours) {
    const t = bucketSize === 'hour' ? `${h.hour}:00:00.000Z` : `${h.hour.slice(0, 10)}T00:00:00.000Z`;
    const p = points.get(t) ?? points.set(t, { t, total: 0, byKind: {}, byCause: {} }).get(t)!;
    const n = Number(h.count);
    p.total += n;
    p.byKind[h.kind] = (p.byKind[h.kind] ?? 0) + n;
    p.byCause[h.cause] = (p.byCause[h.cause] ?? 0) + n;
  }
  const newIds = await db.all<{ id: string }>('SELECT id FROM buckets WHERE first_seen >= ? AND first_seen <= ? ORDER BY count DESC, id LIMIT ?', [since, until, TOP]);
  const regressedIds = await db.all<{ id: string }>('SELECT id FROM buckets WHERE regression_reason IS NOT NULL ORDER BY regressed_at DESC, id LIMIT ?', [TOP]);
  const pick = async (ids: { id: string }[]) => {
    const out: BucketSummary[] = [];
    for (const { id } of ids) {
      const b = await bucketSummary(db, id, now);
      if (b) out.push(b);
    }
    return out;
  };
  const topHosts = await db.all<{ host: string; n: number }>(
    'SELECT host, COUNT(*) AS n FROM reports WHERE time >= ? AND time <= ? GROUP BY host ORDER BY n DESC, host LIMIT ?',
    [since, until, TOP],
  );
  const reboots = await db.all<{ host: string; time: string; summary: string }>(
    "SELECT host, time, summary FROM events WHERE type = 'unexpected-reboot' AND time >= ? AND time <= ? ORDER BY time DESC LIMIT 100",
    [since, until],
  );
  const crashes = await db.all<{ release: string; n: number }>(
    'SELECT release, COUNT(*) AS n FROM reports WHERE time >= ? AND time <= ? AND release IS NOT NULL GROUP BY release',
    [since, until],
  );
  const running = await db.all<{ release: string; n: number }>('SELECT release, COUNT(DISTINCT host) AS n FROM host_releases WHERE last_seen >= ? GROUP BY release', [since]);
  const hostsOn = new Map(running.map((r) => [r.release, Number(r.n)]));
  const releases = crashes
    .map((c) => {
      const hosts = Math.max(1, hostsOn.get(c.release) ?? 1);
      return { release: c.release, hosts, crashes: Number(c.n), crashesPerHost: Math.round((Number(c.n) / hosts) * 100) / 100 };
    })
    .sort((a, b) => compareReleases(a.release, b.release));
  return {
    series: [...points.values()],
    bucketSize,
    newBuckets: await pick(newIds),
    regressedBuckets: await pick(regressedIds),
    topHosts: topHosts.map((h) => ({ host: h.host, crashes: Number(h.n) })),
    unexpectedReboots: reboots,
    releases,
  };
}
