import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** One thing worth waking someone for: a new bucket, a regression, a rate jump. */
export interface CollectorAlert {
  /** `new-bucket`, `new-release`, `rate-jump`, `fixed-came-back`. */
  reason: string;
  bucket: string;
  title: string;
  detail: string;
  release?: string;
  severity: 'warning' | 'critical';
  time: string;
}

export type AlertTarget = { kind: 'alertmanager'; url: string } | { kind: 'webhook'; url: string };

/** The body each receiver takes: Alertmanager's v2 alert list, or the alert itself as JSON. */
export function alertBody(target: AlertTarget, alerts: readonly CollectorAlert[], externalUrl: string): { path: string; body: string } {
  if (target.kind === 'webhook') return { path: '', body: JSON.stringify({ alerts }) };
  return {
    path: '/api/v2/alerts',
    body: JSON.stringify(
      alerts.map((a) => ({
        labels: { alertname: 'KtriageCrash', reason: a.reason, bucket: a.bucket, severity: a.severity, ...(a.release ? { release: a.release } : {}) },
        annotations: { summary: a.title, description: a.detail },
        startsAt: a.time,
        generatorURL: `${externalUrl}/api/v1/buckets/${encodeURIComponent(a.bucket)}`,
      })),
    ),
  };
}

/** POSTs JSON; resolves with the status, rejects on a network error or after the timeout. */
export function postJson(url: string, body: string, timeoutMs = 5000): Promise<number> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const send = u.protocol === 'https:' ? httpsRequest : request;
    const req = send(u, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(body);
  });
}
