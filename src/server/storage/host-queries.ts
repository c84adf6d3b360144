import { nextCursor, type Page } from '../page-cursor.js';
import { compareReleases } from '../release-order.js';
import { first, type SqlDatabase, type SqlValue } from './sql-database.js';

export interface HostSummary {
  host: string;
  lastSeen: string;
  release?: string;
  crashes: number;
  unexpectedReboots: number;
}

interface HostRow {
  host: string;
  last_seen: string;
  release: string | null;
  crashes: number;
  unexpected_reboots: number;
  readiness_json: string | null;
  [k: string]: SqlValue;
}

function hostSummary(r: HostRow): HostSummary {
  const s: HostSummary = { host: r.host, lastSeen: r.last_seen, crashes: Number(r.crashes), unexpectedReboots: Number(r.unexpected_reboots) };
  if (r.release) s.release = r.release;
  return s;
}

export async function listHosts(db: SqlDatabase, q: string | undefined, page: Page): Promise<{ hosts: HostSummary[]; nextCursor?: string }> {
  const where = q ? "WHERE lower(host) LIKE ? ESCAPE '\\'" : '';
  const params: SqlValue[] = q ? [`%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`] : [];
  const rows = await db.all<HostRow>(`SELECT * FROM hosts ${where} ORDER BY host LIMIT ? OFFSET ?`, [...params, page.limit + 1, page.offset]);
  const hosts = rows.slice(0, page.limit).map(hostSummary);
  const next = nextCursor(page, rows.length);
  return next ? { hosts, nextCursor: next } : { hosts };
}

export interface TimelineEntry {
  time: string;
  type: 'crash' | 'precursor' | 'unexpected-reboot' | 'resource';
  summary: string;
  reportId?: string;
  bucket?: string;
  severity?: string;
}

const TIMELINE_LIMIT = 500;

export async function hostDetail(db: SqlDatabase, host: string): Promise<
  | {
      host: HostSummary;
      timeline: TimelineEntry[];
      releases: { release: string; firstSeen: string; lastSeen: string }[];
      readiness?: unknown;
    }
  | undefined
> {
  const row = await first<HostRow>(db, 'SELECT * FROM hosts WHERE host = ?', [host]);
  if (!row) return undefined;
  const crashes = await db.all<{ id: string; bucket: string; title: string; time: string }>(
    'SELECT id, bucket, title, time FROM reports WHERE host = ? ORDER BY time DESC LIMIT ?',
    [host, TIMELINE_LIMIT],
  );
  const events = await db.all<{ type: string; time: string; summary: string; severity: string | null }>(
    "SELECT type, time, summary, severity FROM events WHERE host = ? AND type <> 'readiness' ORDER BY time DESC LIMIT ?",
    [host, TIMELINE_LIMIT],
  );
  const timeline: TimelineEntry[] = [
    ...crashes.map((c): TimelineEntry => ({ time: c.time, type: 'crash', summary: c.title, reportId: c.id, bucket: c.bucket })),
    ...events.map((e): TimelineEntry => {
      const t: TimelineEntry = { time: e.time, type: e.type as TimelineEntry['type'], summary: e.summary };
      if (e.severity) t.severity = e.severity;
      return t;
    }),
  ]
    .sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0))
    .slice(0, TIMELINE_LIMIT);
  const releases = (await db.all<{ release: string; first_seen: string; last_seen: string }>('SELECT release, first_seen, last_seen FROM host_releases WHERE host = ?', [host]))
    .map((r) => ({ release: r.release, firstSeen: r.first_seen, lastSeen: r.last_seen }))
    .sort((a, b) => compareReleases(a.release, b.release));
  const out: { host: HostSummary; timeline: TimelineEntry[]; releases: typeof releases; readiness?: unknown } = { host: hostSummary(row), timeline, releases };
  if (row.readiness_json) out.readiness = JSON.parse(row.readiness_json);
  return out;
}
