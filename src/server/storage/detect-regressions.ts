import { findRegression, type BucketFacts, type Regression } from '../regression-rules.js';
import { hourOf } from '../time-buckets.js';
import type { StoredReport } from './ingest-reports.js';
import { first, placeholders, type SqlDatabase } from './sql-database.js';

export interface FlaggedRegression extends Regression {
  bucket: string;
  title: string;
}

/**
 * Runs the regression rules on the buckets a batch touched and records what fires (a bucket
 * keeps one regression until someone changes its status). Returns the newly flagged ones.
 */
export async function detectRegressions(db: SqlDatabase, accepted: readonly StoredReport[], newBuckets: readonly string[], now = Date.now()): Promise<FlaggedRegression[]> {
  const byBucket = new Map<string, StoredReport[]>();
  for (const r of accepted) (byBucket.get(r.bucket) ?? byBucket.set(r.bucket, []).get(r.bucket)!).push(r);
  const created = new Set(newBuckets);
  const flagged: FlaggedRegression[] = [];
  for (const [id, reports] of byBucket) {
    const row = await first<{ status: string; fixed_in: string | null; first_seen: string; title: string; regression_reason: string | null }>(
      db,
      'SELECT status, fixed_in, first_seen, title, regression_reason FROM buckets WHERE id = ?',
      [id],
    );
    if (!row) continue;
    const isNew = created.has(id);
    // The fleet's releases before this batch: buckets the batch created do not count (a panic that follows a new WARNING is as new).
    const others = [...created];
    const otherReleases = isNew
      ? (await db.all<{ release: string }>(`SELECT DISTINCT release FROM bucket_releases WHERE bucket NOT IN (${placeholders(others.length)})`, others)).map((r) => r.release)
      : [];
    const dayAgo = hourOf(new Date(now - 86_400_000).toISOString());
    const weekAgo = hourOf(new Date(now - 8 * 86_400_000).toISOString());
    const counts = await first<{ last_day: number | null; before: number | null }>(
      db,
      `SELECT SUM(CASE WHEN hour > ? THEN count ELSE 0 END) AS last_day, SUM(CASE WHEN hour <= ? THEN count ELSE 0 END) AS before
       FROM bucket_hours WHERE bucket = ? AND hour > ?`,
      [dayAgo, dayAgo, id, weekAgo],
    );
    const facts: BucketFacts = {
      id,
      isNew,
      status: row.status,
      fixedIn: row.fixed_in ?? undefined,
      batchReleases: [...new Set(reports.map((r) => r.release).filter((r): r is string => !!r))],
      otherReleases,
      firstSeen: row.first_seen,
      lastDay: Number(counts?.last_day ?? 0),
      previousWeekPerDay: Number(counts?.before ?? 0) / 7,
      now,
    };
    const found = findRegression(facts);
    if (!found || (row.regression_reason === found.reason && found.reason !== 'fixed-came-back')) continue;
    await db.transaction((tx) =>
      tx.run(
        `UPDATE buckets SET regression_reason = ?, regression_release = ?, regression_detail = ?, regressed_at = ?,
           status = CASE WHEN ? = 'fixed-came-back' THEN 'open' ELSE status END WHERE id = ?`,
        [found.reason, found.release ?? null, found.detail, new Date(now).toISOString(), found.reason, id],
      ),
    );
    flagged.push({ ...found, bucket: id, title: row.title });
  }
  return flagged;
}

