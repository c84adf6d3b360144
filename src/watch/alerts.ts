import type { WatchSeverity } from './severity.js';

/** Something a person should hear about, before rate limiting. */
export interface WatchAlert {
  /** Rule or resource rule name: the alert's identity together with host and device. */
  name: string;
  severity: WatchSeverity;
  host: string;
  /** One line saying what happened. */
  summary: string;
  device?: string;
  /** Where the report is: the collector's URL of it, or the report id. */
  report?: string;
  /** How many times it happened in the rate-limit window. */
  count: number;
  startsAt: string;
}

export interface AlertTarget {
  /** `alertmanager` posts Alertmanager's v2 API; `webhook` posts `{ alerts: [...] }`. */
  kind: 'alertmanager' | 'webhook';
  url: string;
}

/** Alertmanager's v2 alert: labels identify it (and group it there), annotations describe it. */
export function alertmanagerAlert(a: WatchAlert): { labels: Record<string, string>; annotations: Record<string, string>; startsAt: string } {
  const labels: Record<string, string> = { alertname: `ktriage_${a.name.replace(/[^A-Za-z0-9_]/g, '_')}`, severity: a.severity, host: a.host, rule: a.name, source: 'ktriage-watch' };
  if (a.device) labels['device'] = a.device;
  const annotations: Record<string, string> = { summary: a.summary, count: String(a.count) };
  if (a.count > 1) annotations['description'] = `${a.count} times on ${a.host} since ${a.startsAt}`;
  if (a.report) annotations['report'] = a.report;
  return { labels, annotations, startsAt: a.startsAt };
}

/**
 * Posts alerts; never waits on the kernel log's account (fire and forget with a few quick
 * retries), and counts what it could not deliver.
 */
export class AlertSender {
  sent = 0;
  failed = 0;
  constructor(private readonly target: AlertTarget) {}

  send(alert: WatchAlert): void {
    void this.post(alert, 3);
  }

  private async post(alert: WatchAlert, tries: number): Promise<void> {
    const am = alertmanagerAlert(alert);
    const url = this.target.kind === 'alertmanager' ? new URL('/api/v2/alerts', this.target.url) : new URL(this.target.url);
    const body = this.target.kind === 'alertmanager' ? [am] : { alerts: [{ ...am, status: 'firing' }] };
    for (let i = 0; i < tries; i++) {
      try {
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(5000) });
        await res.arrayBuffer();
        if (res.ok) {
          this.sent++;
          return;
        }
      } catch {
        // Retried below.
      }
      await new Promise((r) => setTimeout(r, 500 * 2 ** i).unref());
    }
    this.failed++;
  }
}
