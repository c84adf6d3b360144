import type { CrashReport, Incident } from '../../reports/crash-report.js';
import { nextCursor, type Page } from '../page-cursor.js';
import type { RegressionReason } from '../regression-rules.js';
import { compareReleases } from '../release-order.js';
import { hourOf, lastDays } from '../time-buckets.js';
import { first, placeholders, type SqlDatabase, type SqlValue } from './sql-database.js';

export const BUCKET_STATUSES = ['open', 'known', 'fixed', 'ignored'] as const;
export type BucketStatus = (typeof BUCKET_STATUSES)[number];

export interface BucketSummary {
  id: string;
  title: string;
  kind: string;
  cause: string;
  culprit?: string;
  module?: string;
  count: number;
  hosts: number;
  firstSeen: string;
  lastSeen: string;
  releases: string[];
  status: BucketStatus;
  fixedIn?: string;
  new: boolean;
  regressed: boolean;
  regression?: { reason: RegressionReason; release?: string; detail: string };
  sparkline: number[];
}

export interface BucketFilter {
  kind?: string;
  cause?: string;
  release?: string;
  host?: string;
  module?: string;
  status?: string;
  q?: string;
  since?: string;
  until?: string;
  sort: 'count' | 'recent' | 'growth';
}

interface BucketRow {
  id: string;
  title: string;
  kind: string;
  cause: string;
  culprit: string | null;
  module: string | null;
  count: number;
  first_seen: string;
  last_seen: string;
  status: string;
  fixed_in: string | null;
  regression_reason: string | null;
  regression_release: string | null;
  regression_detail: string | null;
  representative: string;
  [k: string]: SqlValue;
}

/** A bucket is new for a day after it first appeared. */
const NEW_FOR_MS = 86_400_000;
const SPARKLINE_DAYS = 14;

function likePattern(q: string): string {
  return `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function whereOf(f: BucketFilter): { sql: string; params: SqlValue[] } {
  const parts: string[] = [];
  const params: SqlValue[] = [];
  const eq = (column: string, value: string | undefined) => {
    if (value === undefined) return;
    parts.push(`${column} = ?`);
    params.push(value);
  };
  eq('kind', f.kind);
  eq('cause', f.cause);
  eq('module', f.module);
  eq('status', f.status);
  if (f.release !== undefined) {
    parts.push('id IN (SELECT bucket FROM bucket_releases WHERE release = ?)');
    params.push(f.release);
  }
  if (f.host !== undefined) {
    parts.push('id IN (SELECT bucket FROM bucket_hosts WHERE host = ?)');
    params.push(f.host);
  }
  if (f.q) {
    parts.push("(lower(title) LIKE ? ESCAPE '\\' OR lower(COALESCE(culprit, '')) LIKE ? ESCAPE '\\' OR lower(COALESCE(module, '')) LIKE ? ESCAPE '\\')");
    const p = likePattern(f.q);
    params.push(p, p, p);
  }
  if (f.since) {
    parts.push('last_seen >= ?');
    params.push(f.since);
  }
  if (f.until) {
    parts.push('first_seen <= ?');
    params.push(f.until);
  }
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

async function summaries(db: SqlDatabase, rows: BucketRow[], now: number): Promise<BucketSummary[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const inList = placeholders(ids.length);
  const releases = await db.all<{ bucket: string; release: string }>(`SELECT bucket, release FROM bucket_releases WHERE bucket IN (${inList})`, ids);
  const hosts = await db.all<{ bucket: string; n: number }>(`SELECT bucket, COUNT(*) AS n FROM bucket_hosts WHERE bucket IN (${inList}) GROUP BY bucket`, ids);
  const days = lastDays(now, SPARKLINE_DAYS);
  const hours = await db.all<{ bucket: string; hour: string; count: number }>(
    `SELECT bucket, hour, count FROM bucket_hours WHERE bucket IN (${inList}) AND hour >= ?`,
    [...ids, days[0]!],
  );
  const releasesOf = new Map<string, string[]>();
  for (const r of releases) (releasesOf.get(r.bucket) ?? releasesOf.set(r.bucket, []).get(r.bucket)!).push(r.release);
  const hostsOf = new Map(hosts.map((h) => [h.bucket, Number(h.n)]));
  const dayIndex = new Map(days.map((d, i) => [d, i]));
  const spark = new Map<string, number[]>();
  for (const h of hours) {
    const i = dayIndex.get(h.hour.slice(0, 10));
    if (i === undefined) continue;
    const line = spark.get(h.bucket) ?? spark.set(h.bucket, new Array<number>(SPARKLINE_DAYS).fill(0)).get(h.bucket)!;
    line[i]! += Number(h.count);
  }
  return rows.map((r) => summaryOf(r, releasesOf.get(r.id) ?? [], hostsOf.get(r.id) ?? 0, spark.get(r.id) ?? new Array<number>(SPARKLINE_DAYS).fill(0), now));
}

function summaryOf(r: BucketRow, releases: string[], hosts: number, sparkline: number[], now: number): BucketSummary {
  const s: BucketSummary = {
    id: r.id,
    title: r.title,
    kind: r.kind,
    cause: r.cause,
    count: Number(r.count),
    hosts,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    releases: releases.sort(compareReleases),
    status: r.status as BucketStatus,
    new: now - Date.parse(r.first_seen) < NEW_FOR_MS,
    regressed: r.regression_reason !== null,
    sparkline,
  };
  if (r.culprit) s.culprit = r.culprit;
  if (r.module) s.module = r.module;
  if (r.fixed_in) s.fixedIn = r.fixed_in;
  if (r.regression_reason) {
    s.regression = { reason: r.regression_reason as RegressionReason, detail: r.regression_detail ?? '' };
    if (r.regression_release) s.regression.release = r.regression_release;
  }
  return s;
}

const ORDER = {
  count: 'count DESC, id',
  recent: 'last_seen DESC, id',
  growth: '(SELECT COALESCE(SUM(h.count), 0) FROM bucket_hours h WHERE h.bucket = buckets.id AND h.hour > ?) DESC, count DESC, id',
} as const;

export async function listBuckets(db: SqlDatabase, f: BucketFilter, page: Page, now = Date.now()): Promise<{ buckets: BucketSummary[]; total: number; nextCursor?: string }> {
  const where = whereOf(f);
  const orderParams: SqlValue[] = f.sort === 'growth' ? [hourOf(new Date(now - 86_400_000).toISOString())] : [];
  const rows = await db.all<BucketRow>(`SELECT * FROM buckets ${where.sql} ORDER BY ${ORDER[f.sort]} LIMIT ? OFFSET ?`, [
    ...where.params,
    ...orderParams,
    page.limit + 1,
    page.offset,
  ]);
  const total = Number((await first<{ n: number }>(db, `SELECT COUNT(*) AS n FROM buckets ${where.sql}`, where.params))?.n ?? 0);
  const buckets = await summaries(db, rows.slice(0, page.limit), now);
  const next = nextCursor(page, rows.length);
  return next ? { buckets, total, nextCursor: next } : { buckets, total };
}

export async function bucketSummary(db: SqlDatabase, id: string, now = Date.now()): Promise<BucketSummary | undefined> {
  const row = await first<BucketRow>(db, 'SELECT * FROM buckets WHERE id = ?', [id]);
  return row ? (await summaries(db, [row], now))[0] : undefined;
}

export interface BucketDetail {
  bucket: BucketSummary;
  representative: { report: CrashReport; incident?: Incident };
  hosts: { host: string; count: number; lastSeen: string }[];
  releases: { release: string; count: number; firstSeen: string; lastSeen: string }[];
  series: { hourly: { t: string; count: number }[]; daily: { t: string; count: number }[] };
  notes: { time: string; author: string; text: string }[];
}

/** Hourly series over the last 14 days, daily over all of it. */
export async function bucketDetail(db: SqlDatabase, id: string, now = Date.now()): Promise<BucketDetail | undefined> {
  const row = await first<BucketRow>(db, 'SELECT * FROM buckets WHERE id = ?', [id]);
  if (!row) return undefined;
  const [bucket] = await summaries(db, [row], now);
  const rep = await first<{ report_json: string; incident_json: string | null }>(db, 'SELECT report_json, incident_json FROM reports WHERE id = ?', [row.representative]);
  const hosts = await db.all<{ host: string; count: number; last_seen: string }>(
    'SELECT host, count, last_seen FROM bucket_hosts WHERE bucket = ? ORDER BY count DESC, host LIMIT 500',
    [id],
  );
  const releases = await db.all<{ release: string; count: number; first_seen: string; last_seen: string }>(
    'SELECT release, count, first_seen, last_seen FROM bucket_releases WHERE bucket = ?',
    [id],
  );
  const hours = await db.all<{ hour: string; count: number }>('SELECT hour, count FROM bucket_hours WHERE bucket = ? ORDER BY hour', [id]);
  const notes = await db.all<{ time: string; author: string; text: string }>('SELECT time, author, text FROM notes WHERE bucket = ? ORDER BY id', [id]);
  const since = hourOf(new Date(now - 14 * 86_400_000).toISOString());
  const daily = new Map<string, number>();
  for (const h of hours) daily.set(h.hour.slice(0, 10), (daily.get(h.hour.slice(0, 10)) ?? 0) + Number(h.count));
  const representative: BucketDetail['representative'] = { report: rep ? (JSON.parse(rep.report_json) as CrashReport) : ({} as CrashReport) };
  if (rep?.incident_json) representative.incident = JSON.parse(rep.incident_json) as Incident;
  return {
    bucket: bucket!,
    representative,
    hosts: hosts.map((h) => ({ host: h.host, count: Number(h.count), lastSeen: h.last_seen })),
    releases: releases
      .map((r) => ({ release: r.release, count: Number(r.count), firstSeen: r.first_seen, lastSeen: r.last_seen }))
      .sort((a, b) => compareReleases(a.release, b.release)),
    series: {
      hourly: hours.filter((h) => h.hour >= since).map((h) => ({ t: `${h.hour}:00:00.000Z`, count: Number(h.count) })),
      daily: [...daily].map(([d, count]) => ({ t: `${d}T00:00:00.000Z`, count })),
    },
    notes,
  };
}

export interface ReportSummary {
  id: string;
  bucket: string;
  title: string;
  kind: string;
  host: string;
  release?: string;
  time: string;
  receivedAt: string;
}

interface ReportRow {
  id: string;
  bucket: string;
  title: string;
  kind: string;
  host: string;
  release: string | null;
  time: string;
  received_at: string;
  [k: string]: SqlValue;
}

function reportSummary(r: ReportRow): ReportSummary {
  const s: ReportSummary = { id: r.id, bucket: r.bucket, title: r.title, kind: r.kind, host: r.host, time: r.time, receivedAt: r.received_at };
  if (r.release) s.release = r.release;
  return s;
}

export async function bucketReports(db: SqlDatabase, id: string, page: Page): Promise<{ reports: ReportSummary[]; nextCursor?: string }> {
  const rows = await db.all<ReportRow>(
    'SELECT id, bucket, title, kind, host, release, time, received_at FROM reports WHERE bucket = ? ORDER BY time DESC, id LIMIT ? OFFSET ?',
    [id, page.limit + 1, page.offset],
  );
  const reports = rows.slice(0, page.limit).map(reportSummary);
  const next = nextCursor(page, rows.length);
  return next ? { reports, nextCursor: next } : { reports };
}

export interface ReportDetail {
  report: CrashReport;
  incident?: Incident;
  host: string;
  release?: string;
  receivedAt: string;
}

export async function reportDetail(db: SqlDatabase, id: string): Promise<ReportDetail | undefined> {
  const r = await first<{ report_json: string; incident_json: string | null; host: string; release: string | null; received_at: string }>(
    db,
    'SELECT report_json, incident_json, host, release, received_at FROM reports WHERE id = ?',
    [id],
  );
  if (!r) return undefined;
  const d: ReportDetail = { report: JSON.parse(r.report_json) as CrashReport, host: r.host, receivedAt: r.received_at };
  if (r.incident_json) d.incident = JSON.parse(r.incident_json) as Incident;
  if (r.release) d.release = r.release;
  return d;
}

/** The report's lines as text; empty once retention dropped them. */
export async function reportRaw(db: SqlDatabase, id: string): Promise<string | undefined> {
  const d = await reportDetail(db, id);
  return d ? d.report.lines?.map((l) => l.text).join('\n') + '\n' : undefined;
}

export interface BucketChange {
  status?: BucketStatus;
  fixedIn?: string;
  note?: string;
  author: string;
}

/** Status, fixed-in release and a note. Changing the status acknowledges a regression. */
export async function patchBucket(db: SqlDatabase, id: string, change: BucketChange, now = Date.now()): Promise<BucketSummary | undefined> {
  const found = await db.transaction(async (tx) => {
    const row = await first(tx, 'SELECT id FROM buckets WHERE id = ?', [id]);
    if (!row) return false;
    if (change.status !== undefined)
      await tx.run('UPDATE buckets SET status = ?, regression_reason = NULL, regression_release = NULL, regression_detail = NULL, regressed_at = NULL WHERE id = ?', [
        change.status,
        id,
      ]);
    if (change.fixedIn !== undefined) await tx.run('UPDATE buckets SET fixed_in = ? WHERE id = ?', [change.fixedIn || null, id]);
    if (change.note !== undefined) await tx.run('INSERT INTO notes (bucket, time, author, text) VALUES (?, ?, ?, ?)', [id, new Date(now).toISOString(), change.author, change.note]);
    return true;
  });
  return found ? bucketSummary(db, id, now) : undefined;
}
