import type { CrashReport, Incident } from '../../reports/crash-report.js';
import { hourOf } from '../time-buckets.js';
import { greatest, least, placeholders, type SqlDatabase } from './sql-database.js';

/** One report as the collector stores it: the agent's report plus where and when it came from. */
export interface StoredReport {
  id: string;
  bucket: string;
  title: string;
  kind: string;
  cause: string;
  culprit?: string;
  module?: string;
  host: string;
  release?: string;
  boot?: string;
  /** When it happened (the report's wall time, else when it arrived). */
  time: string;
  receivedAt: string;
  report: CrashReport;
  incident?: Incident;
}

/** What a batch changed: the reports newly stored and the buckets they created. */
export interface IngestOutcome {
  accepted: StoredReport[];
  duplicates: number;
  newBuckets: string[];
}

/** Rows per INSERT (11 parameters each, well under SQLite's limit). */
const INSERT_ROWS = 200;

function sortedKeys<T>(m: Map<string, T>): [string, T][] {
  return [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Stores a batch in one transaction. A report whose id is stored already changes nothing (the
 * unique key decides, so two collectors racing on one report count it once); the rollups of
 * the new ones are then added table by table in key order, so concurrent batches on
 * PostgreSQL take row locks in one order.
 */
export async function ingestReports(db: SqlDatabase, batch: readonly StoredReport[]): Promise<IngestOutcome> {
  const ordered = [...batch].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return db.transaction(async (tx) => {
    const unique = new Map<string, StoredReport>();
    for (const r of ordered) if (!unique.has(r.id)) unique.set(r.id, r);
    const rows = [...unique.values()];
    const inserted = new Set<string>();
    // Many rows a statement; RETURNING names the ones that were not there yet.
    for (let i = 0; i < rows.length; i += INSERT_ROWS) {
      const part = rows.slice(i, i + INSERT_ROWS);
      const back = await tx.all<{ id: string }>(
        `INSERT INTO reports (id, bucket, title, kind, host, release, boot, time, received_at, report_json, incident_json)
         VALUES ${part.map(() => `(${placeholders(11)})`).join(', ')} ON CONFLICT (id) DO NOTHING RETURNING id`,
        part.flatMap((r) => [r.id, r.bucket, r.title, r.kind, r.host, r.release ?? null, r.boot ?? null, r.time, r.receivedAt, JSON.stringify(r.report), r.incident ? JSON.stringify(r.incident) : null]),
      );
      for (const b of back) inserted.add(b.id);
    }
    const accepted = rows.filter((r) => inserted.has(r.id));
    const newBuckets = await addRollups(tx, accepted);
    return { accepted, duplicates: batch.length - accepted.length, newBuckets };
  });
}

interface Tally {
  count: number;
  first: string;
  last: string;
}

function tally<K>(m: Map<string, Tally & K>, key: string, time: string, extra: K): void {
  const t = m.get(key);
  if (!t) m.set(key, { count: 1, first: time, last: time, ...extra });
  else {
    t.count++;
    if (time < t.first) t.first = time;
    if (time > t.last) t.last = time;
  }
}

async function addRollups(tx: SqlDatabase, reports: readonly StoredReport[]): Promise<string[]> {
  const buckets = new Map<string, Tally & { r: StoredReport }>();
  const bucketHosts = new Map<string, Tally & { bucket: string; host: string }>();
  const bucketReleases = new Map<string, Tally & { bucket: string; release: string }>();
  const bucketHours = new Map<string, Tally & { bucket: string; hour: string }>();
  const fleetHours = new Map<string, Tally & { hour: string; kind: string; cause: string }>();
  const hosts = new Map<string, Tally & { release?: string }>();
  const hostReleases = new Map<string, Tally & { host: string; release: string }>();
  for (const r of reports) {
    tally(buckets, r.bucket, r.time, { r });
    tally(bucketHosts, `${r.bucket}\0${r.host}`, r.time, { bucket: r.bucket, host: r.host });
    if (r.release) tally(bucketReleases, `${r.bucket}\0${r.release}`, r.time, { bucket: r.bucket, release: r.release });
    tally(bucketHours, `${r.bucket}\0${hourOf(r.time)}`, r.time, { bucket: r.bucket, hour: hourOf(r.time) });
    tally(fleetHours, `${hourOf(r.time)}\0${r.kind}\0${r.cause}`, r.time, { hour: hourOf(r.time), kind: r.kind, cause: r.cause });
    const h = hosts.get(r.host);
    tally(hosts, r.host, r.time, { release: r.release });
    if (h && r.release && r.time >= h.last) h.release = r.release;
    if (r.release) tally(hostReleases, `${r.host}\0${r.release}`, r.time, { host: r.host, release: r.release });
  }
  const newBuckets: string[] = [];
  for (const [id, t] of sortedKeys(buckets)) {
    const r = t.r;
    const rows = await tx.all<{ inserted: number }>(
      `INSERT INTO buckets (id, title, kind, cause, culprit, module, count, first_seen, last_seen, first_release, representative)
       VALUES (${placeholders(11)})
       ON CONFLICT (id) DO UPDATE SET count = buckets.count + excluded.count,
         first_seen = ${least(tx, 'buckets.first_seen', 'excluded.first_seen')},
         last_seen = ${greatest(tx, 'buckets.last_seen', 'excluded.last_seen')}
       RETURNING (count = ?) AS inserted`,
      [id, r.title, r.kind, r.cause, r.culprit ?? null, r.module ?? null, t.count, t.first, t.last, r.release ?? null, r.id, t.count],
    );
    // A row whose count is just this batch's was created by it (no other batch can have added to it yet: the row is locked).
    const inserted = rows[0]?.inserted as unknown;
    if (inserted === true || inserted === 1) newBuckets.push(id);
  }
  for (const [, t] of sortedKeys(bucketHosts)) {
    await tx.run(
      `INSERT INTO bucket_hosts (bucket, host, count, last_seen) VALUES (?, ?, ?, ?)
       ON CONFLICT (bucket, host) DO UPDATE SET count = bucket_hosts.count + excluded.count,
         last_seen = ${greatest(tx, 'bucket_hosts.last_seen', 'excluded.last_seen')}`,
      [t.bucket, t.host, t.count, t.last],
    );
  }
  for (const [, t] of sortedKeys(bucketReleases)) {
    await tx.run(
      `INSERT INTO bucket_releases (bucket, release, count, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (bucket, release) DO UPDATE SET count = bucket_releases.count + excluded.count,
         first_seen = ${least(tx, 'bucket_releases.first_seen', 'excluded.first_seen')},
         last_seen = ${greatest(tx, 'bucket_releases.last_seen', 'excluded.last_seen')}`,
      [t.bucket, t.release, t.count, t.first, t.last],
    );
  }
  for (const [, t] of sortedKeys(bucketHours)) {
    await tx.run(
      `INSERT INTO bucket_hours (bucket, hour, count) VALUES (?, ?, ?)
       ON CONFLICT (bucket, hour) DO UPDATE SET count = bucket_hours.count + excluded.count`,
      [t.bucket, t.hour, t.count],
    );
  }
  for (const [, t] of sortedKeys(fleetHours)) {
    await tx.run(
      `INSERT INTO fleet_hours (hour, kind, cause, count) VALUES (?, ?, ?, ?)
       ON CONFLICT (hour, kind, cause) DO UPDATE SET count = fleet_hours.count + excluded.count`,
      [t.hour, t.kind, t.cause, t.count],
    );
  }
  for (const [host, t] of sortedKeys(hosts)) {
    await tx.run(
      `INSERT INTO hosts (host, last_seen, release, crashes) VALUES (?, ?, ?, ?)
       ON CONFLICT (host) DO UPDATE SET crashes = hosts.crashes + excluded.crashes,
         release = CASE WHEN excluded.last_seen >= hosts.last_seen AND excluded.release IS NOT NULL THEN excluded.release ELSE hosts.release END,
         last_seen = ${greatest(tx, 'hosts.last_seen', 'excluded.last_seen')}`,
      [host, t.last, t.release ?? null, t.count],
    );
  }
  for (const [, t] of sortedKeys(hostReleases)) await touchHostRelease(tx, t.host, t.release, t.first, t.last);
  return newBuckets;
}

export async function touchHostRelease(tx: SqlDatabase, host: string, release: string, first: string, last: string): Promise<void> {
  await tx.run(
    `INSERT INTO host_releases (host, release, first_seen, last_seen) VALUES (?, ?, ?, ?)
     ON CONFLICT (host, release) DO UPDATE SET first_seen = ${least(tx, 'host_releases.first_seen', 'excluded.first_seen')},
       last_seen = ${greatest(tx, 'host_releases.last_seen', 'excluded.last_seen')}`,
    [host, release, first, last],
  );
}

