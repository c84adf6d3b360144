import type { Spool } from './spool.js';

export interface UploaderOptions {
  /** The collector's base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  token?: string;
  /** Each request's own limit: a collector that hangs is retried, never waited on forever. */
  timeoutMs?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export interface UploaderStats {
  sent: number;
  failures: number;
  lastError?: string;
}

/**
 * Sends the spool to the collector, oldest first, one item at a time, and acknowledges an item
 * only after a 2xx whose body is the JSON the API promises. Anything else (refused, timeout,
 * 5xx, 429, garbage) keeps the item and waits with a doubling, jittered backoff (a 429's
 * Retry-After when it gives one). A 4xx other than 408/429 means the collector will never take
 * that item: it is dropped and counted so one bad item cannot stop the rest.
 */
export class Uploader {
  readonly stats: UploaderStats = { sent: 0, failures: 0 };
  rejected = 0;
  private backoff: number;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = false;

  constructor(
    private readonly spool: Spool,
    private readonly opts: UploaderOptions,
  ) {
    this.backoff = opts.minBackoffMs ?? 500;
  }

  /** Something new was spooled: send now unless already sending or waiting out a backoff. */
  kick(): void {
    if (!this.running && !this.timer && !this.stopped) void this.drain();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Sends until the spool is empty or a send fails; resolves either way. */
  async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let item = this.spool.peek(); item && !this.stopped; item = this.spool.peek()) {
        const outcome = await this.send(item.endpoint, item.body);
        if (outcome.ok || outcome.reject) {
          if (outcome.reject) this.rejected++;
          else this.stats.sent++;
          this.spool.ack(item.name);
          this.backoff = this.opts.minBackoffMs ?? 500;
          continue;
        }
        this.stats.failures++;
        this.stats.lastError = outcome.error;
        this.retryIn(outcome.retryAfterMs ?? this.nextBackoff());
        return;
      }
    } finally {
      this.running = false;
    }
  }

  private nextBackoff(): number {
    const wait = this.backoff * (0.5 + Math.random() / 2);
    this.backoff = Math.min(this.backoff * 2, this.opts.maxBackoffMs ?? 60_000);
    return wait;
  }

  private retryIn(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.drain();
    }, ms);
    this.timer.unref();
  }

  private async send(endpoint: string, body: unknown): Promise<{ ok?: boolean; reject?: boolean; error?: string; retryAfterMs?: number }> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.opts.token) headers['authorization'] = `Bearer ${this.opts.token}`;
    try {
      const res = await fetch(new URL(endpoint, this.opts.url), {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
      });
      const text = (await res.text()).slice(0, 4096);
      if (res.ok) {
        const answer = parseJson(text);
        if (answer && typeof answer['accepted'] === 'number') return { ok: true };
        return { error: `${endpoint}: ${res.status} with a body that is not the collector's answer` };
      }
      if (res.status === 429) {
        const after = Number(res.headers.get('retry-after'));
        return { error: `${endpoint}: 429`, retryAfterMs: Number.isFinite(after) && after > 0 ? Math.min(after, 600) * 1000 : undefined };
      }
      if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 401) return { reject: true, error: `${endpoint}: ${res.status} ${text.slice(0, 200)}` };
      return { error: `${endpoint}: ${res.status}` };
    } catch (e) {
      return { error: `${endpoint}: ${(e as Error).message}` };
    }
  }
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
