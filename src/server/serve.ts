import { AlertDispatcher } from './alerts/alert-dispatcher.js';
import type { AlertTarget } from './alerts/alert-sink.js';
import { Collector } from './collector.js';
import { dashboardAssets } from './dashboard-assets.js';
import { CollectorHttp, DEFAULT_HTTP_LIMITS, type HttpLimits } from './http/http-server.js';
import { Metrics } from './metrics.js';
import type { RedactOptions } from './redact.js';
import { startRetention } from './retention.js';
import { openDatabase } from './storage/open-database.js';
import type { SqlDatabase } from './storage/sql-database.js';

export interface Endpoint {
  host: string;
  port: number;
}

export interface ServeOptions {
  listen: Endpoint;
  db: string;
  netconsole?: Endpoint;
  syslog?: Endpoint;
  alerts?: { target: AlertTarget; perMinute: number };
  redact?: RedactOptions;
  retentionDays?: number;
  quietSeconds: number;
  limits: HttpLimits;
  demo: boolean;
}

export const DEFAULT_SERVE_OPTIONS: ServeOptions = {
  listen: { host: '127.0.0.1', port: 8080 },
  db: './ktriage.db',
  quietSeconds: 5,
  limits: DEFAULT_HTTP_LIMITS,
  demo: false,
};

/** What a running collector is made of, for the CLI and the tests. */
export interface RunningCollector {
  collector: Collector;
  db: SqlDatabase;
  http: CollectorHttp;
  url: string;
  /** Bound addresses of the receivers that were asked for. */
  netconsole?: Endpoint;
  syslog?: Endpoint;
  close(): Promise<void>;
}

/** Wires the collector: database (migrated), HTTP API, receivers, alerts, retention. */
export async function startCollector(options: ServeOptions): Promise<RunningCollector> {
  const db = await openDatabase(options.db);
  const metrics = new Metrics();
  const listenUrl = `http://${options.listen.host.includes(':') ? `[${options.listen.host}]` : options.listen.host}:${options.listen.port}`;
  const alerts = options.alerts ? new AlertDispatcher(db, { ...options.alerts, externalUrl: listenUrl }, metrics) : undefined;
  const collector = new Collector(db, metrics, { ...(options.redact ? { redact: options.redact } : {}), ...(alerts ? { alerts } : {}) });
  if (options.demo) {
    const { seedDemoFleet } = await import('./demo/seed-demo-fleet.js');
    await seedDemoFleet(collector);
  }
  const http = new CollectorHttp(collector, options.limits);
  http.setFallback(dashboardAssets());
  const bound = await http.listen(options.listen.host, options.listen.port);
  const closers: (() => Promise<void>)[] = [];
  const running: RunningCollector = {
    collector,
    db,
    http,
    url: `http://${bound.host.includes(':') ? `[${bound.host}]` : bound.host}:${bound.port}`,
    async close() {
      for (const c of closers.reverse()) await c();
      await http.close();
      await alerts?.idle();
      await db.close();
    },
  };
  if (options.netconsole || options.syslog) {
    const { startReceivers } = await import('./ingest/start-receivers.js');
    const r = await startReceivers(collector, options);
    if (r.netconsole) running.netconsole = r.netconsole;
    if (r.syslog) running.syslog = r.syslog;
    closers.push(r.close);
  }
  if (options.retentionDays !== undefined) closers.push(startRetention(db, options.retentionDays));
  return running;
}
