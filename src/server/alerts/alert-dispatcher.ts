import type { Metrics } from '../metrics.js';
import type { SqlDatabase } from '../storage/sql-database.js';
import { alertBody, postJson, type AlertTarget, type CollectorAlert } from './alert-sink.js';

export interface AlertOptions {
  target: AlertTarget;
  /** At most this many alerts a minute; the rest are counted and dropped. */
  perMinute: number;
  externalUrl: string;
}

/**
 * Sends each alert once: its key (reason and bucket) is claimed in the database first, so a
 * retry, a restart or a second collector does not send it again. Past the rate limit, alerts
 * are dropped (and counted) rather than queued without bound.
 */
export class AlertDispatcher {
  private sentThisMinute = 0;
  private minute = 0;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: SqlDatabase,
    private readonly options: AlertOptions,
    private readonly metrics: Metrics,
  ) {}

  /** Queues the alerts; resolves when they were sent or dropped (callers need not wait). */
  send(alerts: readonly CollectorAlert[]): Promise<void> {
    if (alerts.length === 0) return this.chain;
    this.chain = this.chain.then(() => this.deliver(alerts)).catch(() => undefined);
    return this.chain;
  }

  /** Resolves when everything queued so far was handled. */
  idle(): Promise<void> {
    return this.chain;
  }

  private async deliver(alerts: readonly CollectorAlert[]): Promise<void> {
    const fresh: CollectorAlert[] = [];
    for (const a of alerts) {
      const key = `${a.reason}:${a.bucket}${a.reason === 'fixed-came-back' ? `:${a.release ?? ''}` : ''}`;
      const { changes } = await this.db.transaction((tx) => tx.run('INSERT INTO alerts_sent (key, sent_at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING', [key, a.time]));
      if (changes === 1) fresh.push(a);
      else this.metrics.add('ktriage_alerts_suppressed_total');
    }
    const minute = Math.floor(Date.now() / 60_000);
    if (minute !== this.minute) {
      this.minute = minute;
      this.sentThisMinute = 0;
    }
    const room = Math.max(0, this.options.perMinute - this.sentThisMinute);
    const now = fresh.slice(0, room);
    this.metrics.add('ktriage_alerts_suppressed_total', fresh.length - now.length);
    if (now.length === 0) return;
    this.sentThisMinute += now.length;
    const { path, body } = alertBody(this.options.target, now, this.options.externalUrl);
    const url = this.options.target.url.replace(/\/$/, '') + path;
    for (let attempt = 1; attempt <= 3; attempt++) {
      const status = await postJson(url, body).catch(() => 0);
      if (status >= 200 && status < 300) {
        this.metrics.add('ktriage_alerts_sent_total', now.length);
        return;
      }
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
    this.metrics.add('ktriage_alerts_failed_total', now.length);
  }
}
