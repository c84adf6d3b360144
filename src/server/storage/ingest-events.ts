import { greatest, placeholders, type SqlDatabase } from './sql-database.js';
import { touchHostRelease } from './ingest-reports.js';

export const EVENT_TYPES = ['unexpected-reboot', 'precursor', 'resource', 'readiness'] as const;
export type EventType = (typeof EVENT_TYPES)[number];
export const SEVERITIES = ['info', 'warning', 'critical'] as const;

/** A host event from the agent, as stored. */
export interface HostEvent {
  id: string;
  host: string;
  type: EventType;
  time: string;
  release?: string;
  boot?: string;
  severity?: (typeof SEVERITIES)[number];
  summary: string;
  reportIds?: string[];
  data?: Record<string, unknown>;
}

/** Stores events idempotently by id; a new one updates its host's row (last seen, release, reboots, readiness). */
export async function ingestEvents(db: SqlDatabase, events: readonly HostEvent[], receivedAt: string): Promise<{ accepted: HostEvent[]; duplicates: number }> {
  const ordered = [...events].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return db.transaction(async (tx) => {
    const accepted: HostEvent[] = [];
    for (const e of ordered) {
      const { changes } = await tx.run(
        `INSERT INTO events (id, host, type, time, release, boot, severity, summary, report_ids, data_json, received_at)
         VALUES (${placeholders(11)}) ON CONFLICT (id) DO NOTHING`,
        [e.id, e.host, e.type, e.time, e.release ?? null, e.boot ?? null, e.severity ?? null, e.summary, e.reportIds ? JSON.stringify(e.reportIds) : null, e.data ? JSON.stringify(e.data) : null, receivedAt],
      );
      if (changes === 1) accepted.push(e);
    }
    const byHost = [...new Set(accepted.map((e) => e.host))].sort();
    for (const host of byHost) {
      const mine = accepted.filter((e) => e.host === host);
      const last = mine.reduce((m, e) => (e.time > m.time ? e : m));
      const reboots = mine.filter((e) => e.type === 'unexpected-reboot').length;
      const readiness = mine.filter((e) => e.type === 'readiness' && e.data).sort((a, b) => (a.time < b.time ? -1 : 1)).pop();
      await tx.run(
        `INSERT INTO hosts (host, last_seen, release, unexpected_reboots, readiness_json) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (host) DO UPDATE SET unexpected_reboots = hosts.unexpected_reboots + excluded.unexpected_reboots,
           release = CASE WHEN excluded.last_seen >= hosts.last_seen AND excluded.release IS NOT NULL THEN excluded.release ELSE hosts.release END,
           readiness_json = COALESCE(excluded.readiness_json, hosts.readiness_json),
           last_seen = ${greatest(tx, 'hosts.last_seen', 'excluded.last_seen')}`,
        [host, last.time, last.release ?? null, reboots, readiness ? JSON.stringify(readiness.data) : null],
      );
      for (const e of mine) if (e.release) await touchHostRelease(tx, host, e.release, e.time, e.time);
    }
    return { accepted, duplicates: events.length - accepted.length };
  });
}
