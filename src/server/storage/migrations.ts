import { PostgresDatabase } from './postgres-database.js';
import type { SqlDatabase } from './sql-database.js';
import { SqliteDatabase } from './sqlite-database.js';

/**
 * Versioned schema, applied in order at start; a version once released is never edited, only
 * followed by a new one. `{{int}}` and `{{serial}}` are the only words the dialects spell apart.
 */
interface Migration {
  version: number;
  name: string;
  sql: string;
}

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'tokens, reports, buckets and their rollups, hosts, events, notes',
    sql: `
CREATE TABLE tokens (
  id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, scope TEXT NOT NULL, name TEXT NOT NULL,
  created_at TEXT NOT NULL, revoked_at TEXT);
CREATE TABLE sessions (
  hash TEXT PRIMARY KEY, token_id TEXT NOT NULL, scope TEXT NOT NULL, expires_at TEXT NOT NULL);
CREATE TABLE buckets (
  id TEXT PRIMARY KEY, title TEXT NOT NULL, kind TEXT NOT NULL, cause TEXT NOT NULL,
  culprit TEXT, module TEXT, count {{int}} NOT NULL, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,
  first_release TEXT, representative TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'open', fixed_in TEXT,
  regression_reason TEXT, regression_release TEXT, regression_detail TEXT, regressed_at TEXT);
CREATE INDEX buckets_by_count ON buckets (count DESC, id);
CREATE INDEX buckets_by_last_seen ON buckets (last_seen DESC, id);
CREATE TABLE reports (
  id TEXT PRIMARY KEY, bucket TEXT NOT NULL, title TEXT NOT NULL, kind TEXT NOT NULL,
  host TEXT NOT NULL, release TEXT, boot TEXT, time TEXT NOT NULL, received_at TEXT NOT NULL,
  report_json TEXT NOT NULL, incident_json TEXT, raw_dropped {{int}} NOT NULL DEFAULT 0);
CREATE INDEX reports_by_bucket ON reports (bucket, time DESC, id);
CREATE INDEX reports_by_host ON reports (host, time DESC);
CREATE INDEX reports_by_time ON reports (time);
CREATE TABLE bucket_hosts (
  bucket TEXT NOT NULL, host TEXT NOT NULL, count {{int}} NOT NULL, last_seen TEXT NOT NULL,
  PRIMARY KEY (bucket, host));
CREATE INDEX bucket_hosts_by_host ON bucket_hosts (host);
CREATE TABLE bucket_releases (
  bucket TEXT NOT NULL, release TEXT NOT NULL, count {{int}} NOT NULL, first_seen TEXT NOT NULL,
  last_seen TEXT NOT NULL, PRIMARY KEY (bucket, release));
CREATE INDEX bucket_releases_by_release ON bucket_releases (release);
CREATE TABLE bucket_hours (
  bucket TEXT NOT NULL, hour TEXT NOT NULL, count {{int}} NOT NULL, PRIMARY KEY (bucket, hour));
CREATE TABLE fleet_hours (
  hour TEXT NOT NULL, kind TEXT NOT NULL, cause TEXT NOT NULL, count {{int}} NOT NULL,
  PRIMARY KEY (hour, kind, cause));
CREATE TABLE hosts (
  host TEXT PRIMARY KEY, last_seen TEXT NOT NULL, release TEXT, crashes {{int}} NOT NULL DEFAULT 0,
  unexpected_reboots {{int}} NOT NULL DEFAULT 0, readiness_json TEXT);
CREATE TABLE host_releases (
  host TEXT NOT NULL, release TEXT NOT NULL, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,
  PRIMARY KEY (host, release));
CREATE TABLE events (
  id TEXT PRIMARY KEY, host TEXT NOT NULL, type TEXT NOT NULL, time TEXT NOT NULL, release TEXT,
  boot TEXT, severity TEXT, summary TEXT NOT NULL, report_ids TEXT, data_json TEXT, received_at TEXT NOT NULL);
CREATE INDEX events_by_host ON events (host, time);
CREATE INDEX events_by_type ON events (type, time);
CREATE TABLE notes (
  id {{serial}}, bucket TEXT NOT NULL, time TEXT NOT NULL, author TEXT NOT NULL, text TEXT NOT NULL);
CREATE INDEX notes_by_bucket ON notes (bucket);
CREATE TABLE alerts_sent (key TEXT PRIMARY KEY, sent_at TEXT NOT NULL);
`,
  },
];

function spelled(sql: string, dialect: SqlDatabase['dialect']): string {
  return sql
    .replaceAll('{{int}}', dialect === 'sqlite' ? 'INTEGER' : 'BIGINT')
    .replaceAll('{{serial}}', dialect === 'sqlite' ? 'INTEGER PRIMARY KEY AUTOINCREMENT' : 'BIGSERIAL PRIMARY KEY');
}

const LEDGER = 'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)';

async function applyPending(db: SqlDatabase, script: (sql: string) => Promise<void>): Promise<number[]> {
  await script(LEDGER);
  const done = new Set((await db.all<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => Number(r.version)));
  const applied: number[] = [];
  for (const m of MIGRATIONS) {
    if (done.has(m.version)) continue;
    await script(`BEGIN;\n${spelled(m.sql, db.dialect)}\nINSERT INTO schema_migrations VALUES (${m.version}, '${m.name}', '${new Date().toISOString()}');\nCOMMIT;`);
    applied.push(m.version);
  }
  return applied;
}

/** Brings the schema up to date; several collectors starting at once migrate once. Returns the versions applied. */
export async function migrate(db: SqlDatabase): Promise<number[]> {
  if (db instanceof SqliteDatabase) return applyPending(db, async (sql) => db.execScript(sql));
  if (db instanceof PostgresDatabase) return db.withMigrationLock((locked, script) => applyPending(locked, script));
  throw new Error('unknown database adapter');
}

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
