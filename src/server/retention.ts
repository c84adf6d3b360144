import type { SqlDatabase } from './storage/sql-database.js';

/** Report JSON past retention keeps what the counts and lists need; the lines (raw text) go. */
export async function dropRawText(db: SqlDatabase, olderThan: string): Promise<number> {
  const old = await db.all<{ id: string; report_json: string }>('SELECT id, report_json FROM reports WHERE time < ? AND raw_dropped = 0 LIMIT 1000', [olderThan]);
  if (old.length === 0) return 0;
  await db.transaction(async (tx) => {
    for (const r of old) {
      const report = JSON.parse(r.report_json) as Record<string, unknown>;
      report['lines'] = [];
      delete report['code'];
      delete report['registers'];
      await tx.run('UPDATE reports SET report_json = ?, raw_dropped = 1 WHERE id = ?', [JSON.stringify(report), r.id]);
    }
  });
  return old.length;
}

/** Runs dropRawText now and every hour; the returned function stops it. */
export function startRetention(db: SqlDatabase, days: number, everyMs = 3_600_000): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  const sweep = () => {
    running = (async () => {
      const cutoff = new Date(Date.now() - days * 86_400_000).toISOString();
      while ((await dropRawText(db, cutoff)) > 0);
    })().catch(() => undefined);
  };
  sweep();
  const timer = setInterval(sweep, everyMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
