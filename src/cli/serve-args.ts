import { parseArgs } from 'node:util';
import { KtError } from '../errors.js';
import { REDACT_KINDS, type RedactOptions } from '../server/redact.js';
import { DEFAULT_SERVE_OPTIONS, type Endpoint, type ServeOptions } from '../server/serve.js';
import { SCOPES, type Scope } from '../server/storage/token-store.js';

export const SERVE_USAGE = `usage: ktriage serve [options]

The fleet collector: takes crash reports from every host (HTTP, netconsole, syslog), groups
equal crashes into buckets, flags new ones and regressions, and answers over an HTTP API
(docs/collector-api.md). Nothing but /healthz and /metrics answers without a token
('ktriage token create').

options:
  --listen HOST:PORT          HTTP API address (default 127.0.0.1:8080)
  --db PATH|URL               SQLite file (default ./ktriage.db) or postgres://… (also DATABASE_URL)
  --netconsole-listen H:P     netconsole receiver (UDP; plain and extended)
  --syslog-listen H:P         syslog receiver (RFC 5424/3164 over UDP and TCP on the same port)
  --quiet-seconds N           a live stream's report is complete after N quiet seconds (default 5)
  --alertmanager URL          push alerts to Alertmanager (URL of its root; POST /api/v2/alerts)
  --alert-webhook URL         or POST them as JSON to URL
  --alerts-per-minute N       alert rate limit (default 20)
  --redact LIST               remove from reports on ingest: hosts,ips,addresses
  --retention-days N          drop the raw text of reports older than N days (counts are kept)
  --rate-limit N              requests a second per token (default 200; 0 = none)
  --max-body-bytes N          largest request body (default 16 MiB; 64 MiB decompressed)
  --request-timeout-ms N      a client must send its whole request within N ms (default 30000)
  --demo                      seed an empty database with a demo fleet made from real reports
  -h, --help                  this help`;

export const TOKEN_USAGE = `usage: ktriage token create --scope ingest|read|admin [--name NAME] [--db PATH|URL]
       ktriage token list [--db PATH|URL]
       ktriage token revoke ID|TOKEN [--db PATH|URL]

Manages the collector's API tokens. 'create' prints the new token as its last line (it is
stored hashed and cannot be shown again). Scopes: ingest (POST reports, logs, events),
read (GET), admin (everything, and PATCH).`;

export function parseEndpoint(value: string, what: string): Endpoint {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value);
  const port = Number(m?.[3]);
  if (!m || port > 65535) throw new KtError('KT_E_USAGE', `${what} must be HOST:PORT, got '${value}'`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

function positive(value: string | undefined, what: string, allowZero = false): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || (!allowZero && n === 0)) throw new KtError('KT_E_USAGE', `${what} must be a positive number, got '${value}'`);
  return n;
}

export function parseServeArgs(argv: string[], env: NodeJS.ProcessEnv): ServeOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: false,
      options: {
        listen: { type: 'string' },
        db: { type: 'string' },
        'netconsole-listen': { type: 'string' },
        'syslog-listen': { type: 'string' },
        'quiet-seconds': { type: 'string' },
        alertmanager: { type: 'string' },
        'alert-webhook': { type: 'string' },
        'alerts-per-minute': { type: 'string' },
        redact: { type: 'string' },
        'retention-days': { type: 'string' },
        'rate-limit': { type: 'string' },
        'max-body-bytes': { type: 'string' },
        'request-timeout-ms': { type: 'string' },
        demo: { type: 'boolean', default: false },
      },
    });
  } catch (e) {
    throw new KtError('KT_E_USAGE', (e as Error).message);
  }
  const v = parsed.values;
  const o: ServeOptions = { ...DEFAULT_SERVE_OPTIONS, limits: { ...DEFAULT_SERVE_OPTIONS.limits }, demo: v.demo === true };
  if (v.listen) o.listen = parseEndpoint(v.listen, '--listen');
  o.db = v.db ?? env['DATABASE_URL'] ?? DEFAULT_SERVE_OPTIONS.db;
  if (v['netconsole-listen']) o.netconsole = parseEndpoint(v['netconsole-listen'], '--netconsole-listen');
  if (v['syslog-listen']) o.syslog = parseEndpoint(v['syslog-listen'], '--syslog-listen');
  o.quietSeconds = positive(v['quiet-seconds'], '--quiet-seconds') ?? o.quietSeconds;
  if (v.alertmanager && v['alert-webhook']) throw new KtError('KT_E_USAGE', 'give --alertmanager or --alert-webhook, not both');
  const alertUrl = v.alertmanager ?? v['alert-webhook'];
  if (alertUrl) {
    if (!/^https?:\/\/\S+$/.test(alertUrl)) throw new KtError('KT_E_USAGE', `alert receiver must be an http(s) URL, got '${alertUrl}'`);
    o.alerts = { target: { kind: v.alertmanager ? 'alertmanager' : 'webhook', url: alertUrl }, perMinute: positive(v['alerts-per-minute'], '--alerts-per-minute') ?? 20 };
  }
  if (v.redact) {
    const kinds = v.redact.split(',').map((s) => s.trim());
    const bad = kinds.find((k) => !REDACT_KINDS.includes(k as (typeof REDACT_KINDS)[number]));
    if (bad) throw new KtError('KT_E_USAGE', `--redact takes ${REDACT_KINDS.join(',')}; got '${bad}'`);
    o.redact = { hosts: kinds.includes('hosts'), ips: kinds.includes('ips'), addresses: kinds.includes('addresses') } satisfies RedactOptions;
  }
  const retention = positive(v['retention-days'], '--retention-days');
  if (retention !== undefined) o.retentionDays = retention;
  o.limits.ratePerSecond = positive(v['rate-limit'], '--rate-limit', true) ?? o.limits.ratePerSecond;
  o.limits.maxBodyBytes = positive(v['max-body-bytes'], '--max-body-bytes') ?? o.limits.maxBodyBytes;
  o.limits.requestTimeoutMs = positive(v['request-timeout-ms'], '--request-timeout-ms') ?? o.limits.requestTimeoutMs;
  o.limits.headersTimeoutMs = Math.min(o.limits.headersTimeoutMs, o.limits.requestTimeoutMs);
  return o;
}

export type TokenAction = { action: 'create'; db: string; scope: Scope; name: string } | { action: 'list'; db: string } | { action: 'revoke'; db: string; id: string };

export function parseTokenArgs(argv: string[], env: NodeJS.ProcessEnv): TokenAction {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { db: { type: 'string' }, scope: { type: 'string' }, name: { type: 'string' } } });
  } catch (e) {
    throw new KtError('KT_E_USAGE', (e as Error).message);
  }
  const [action, ...rest] = parsed.positionals;
  const db = parsed.values.db ?? env['DATABASE_URL'] ?? DEFAULT_SERVE_OPTIONS.db;
  if (action === 'create') {
    const scope = parsed.values.scope;
    if (!SCOPES.includes(scope as Scope)) throw new KtError('KT_E_USAGE', `token create needs --scope ${SCOPES.join('|')}`);
    return { action, db, scope: scope as Scope, name: parsed.values.name ?? `${scope}-token` };
  }
  if (action === 'list') return { action, db };
  if (action === 'revoke') {
    if (rest.length !== 1) throw new KtError('KT_E_USAGE', 'token revoke takes one token id (or the token)');
    return { action, db, id: rest[0]! };
  }
  throw new KtError('KT_E_USAGE', `token takes create, list or revoke${action ? `, not '${action}'` : ''}\n\n${TOKEN_USAGE}`);
}
