import { analyzeUpload } from '../ingest/analyze-upload.js';
import { parseEventBatch, parseReportBatch } from '../ingest/parse-ingest.js';
import { readPage } from '../page-cursor.js';
import { BUCKET_STATUSES, bucketDetail, bucketReports, listBuckets, patchBucket, reportDetail, reportRaw, type BucketFilter, type BucketStatus } from '../storage/bucket-queries.js';
import { hostDetail, listHosts } from '../storage/host-queries.js';
import { overview } from '../storage/overview-query.js';
import { createSession, deleteSession, verifyToken } from '../storage/token-store.js';
import { isoTime } from '../time-buckets.js';
import { ApiError } from './api-error.js';
import { openApiDocument } from './openapi.js';
import { parseJson } from './read-body.js';
import { json, type Route, type RouteContext } from './route.js';
import { SESSION_COOKIE, sessionCookieOf } from './session-cookie.js';

function notFound(what: string): never {
  throw new ApiError('KT_E_NOT_FOUND', `no such ${what}`);
}

function param(ctx: RouteContext, name: string, max = 255): string | undefined {
  const v = ctx.url.searchParams.get(name);
  if (v === null || v === '') return undefined;
  if (v.length > max) throw new ApiError('KT_E_BAD_REQUEST', `${name} is longer than ${max} characters`);
  return v;
}

function timeParam(ctx: RouteContext, name: string): string | undefined {
  const v = param(ctx, name, 64);
  if (v === undefined) return undefined;
  return isoTime(v) ?? (() => {
    throw new ApiError('KT_E_BAD_REQUEST', `${name} must be an ISO 8601 time`);
  })();
}

function oneOf<T extends string>(ctx: RouteContext, name: string, allowed: readonly T[]): T | undefined {
  const v = param(ctx, name);
  if (v === undefined) return undefined;
  if (!allowed.includes(v as T)) throw new ApiError('KT_E_BAD_REQUEST', `${name} must be one of ${allowed.join(', ')}`);
  return v as T;
}

/** Host, boot and release of an upload, from the query or the X-Ktriage-* headers. */
function uploadMeta(ctx: RouteContext): { host: string; boot?: string; release?: string } {
  const pick = (name: string, header: string) => {
    const v = param(ctx, name) ?? (ctx.req.headers[header] as string | undefined);
    if (v !== undefined && (v.length === 0 || v.length > 255 || /[\u0000-\u001f]/.test(v))) throw new ApiError('KT_E_BAD_REQUEST', `${name} must be 1 to 255 printable characters`);
    return v;
  };
  const host = pick('host', 'x-ktriage-host');
  if (!host) throw new ApiError('KT_E_BAD_REQUEST', 'host is required (?host= or X-Ktriage-Host)');
  const out: { host: string; boot?: string; release?: string } = { host };
  const boot = pick('boot', 'x-ktriage-boot');
  const release = pick('release', 'x-ktriage-release');
  if (boot) out.boot = boot;
  if (release) out.release = release;
  return out;
}

export const API_ROUTES: readonly Route[] = [
  {
    method: 'GET',
    path: '/healthz',
    access: 'open',
    summary: 'liveness',
    handle: async () => json({ ok: true }),
  },
  {
    method: 'GET',
    path: '/metrics',
    access: 'open',
    summary: 'Prometheus text exposition',
    handle: async (ctx) => ({ status: 200, text: ctx.collector.metrics.render(), contentType: 'text/plain; version=0.0.4' }),
  },
  {
    method: 'GET',
    path: '/api/v1/openapi.json',
    access: 'open',
    summary: 'this API as OpenAPI 3.1',
    handle: async () => json(openApiDocument(API_ROUTES)),
  },
  {
    method: 'POST',
    path: '/api/v1/reports',
    access: 'ingest',
    summary: "an agent's analysed reports; idempotent by report id; durable before the reply",
    handle: async (ctx) => {
      const batch = parseReportBatch(parseJson(await ctx.body()));
      const r = await ctx.collector.ingestBatch(batch);
      return json({ accepted: r.accepted, duplicates: r.duplicates });
    },
  },
  {
    method: 'POST',
    path: '/api/v1/logs',
    access: 'ingest',
    summary: 'raw kernel log text, any format analyze reads, analysed on arrival',
    handle: async (ctx) => {
      const meta = uploadMeta(ctx);
      const bytes = await ctx.body();
      const { reports, incidents } = await analyzeUpload(bytes, `upload:${meta.host}`, meta.host, meta.boot);
      const r = await ctx.collector.ingestBatch({ ...meta, reports, incidents });
      return json({ accepted: r.accepted, duplicates: r.duplicates, reports: r.reports });
    },
  },
  {
    method: 'POST',
    path: '/api/v1/events',
    access: 'ingest',
    summary: 'host events from the agent; idempotent by event id',
    handle: async (ctx) => json(await ctx.collector.ingestEvents(parseEventBatch(parseJson(await ctx.body())))),
  },
  {
    method: 'GET',
    path: '/api/v1/overview',
    access: 'read',
    summary: 'the fleet over a time range',
    handle: async (ctx) => {
      const until = timeParam(ctx, 'until') ?? new Date().toISOString();
      const since = timeParam(ctx, 'since') ?? new Date(Date.parse(until) - 7 * 86_400_000).toISOString();
      return json(await overview(ctx.collector.db, since, until));
    },
  },
  {
    method: 'GET',
    path: '/api/v1/buckets',
    access: 'read',
    summary: 'list, filter and search buckets',
    handle: async (ctx) => {
      const f: BucketFilter = { sort: oneOf(ctx, 'sort', ['count', 'recent', 'growth'] as const) ?? 'count' };
      for (const k of ['kind', 'cause', 'release', 'host', 'module', 'q'] as const) {
        const v = param(ctx, k);
        if (v !== undefined) f[k] = v;
      }
      const status = oneOf(ctx, 'status', BUCKET_STATUSES);
      const since = timeParam(ctx, 'since');
      const until = timeParam(ctx, 'until');
      if (status) f.status = status;
      if (since) f.since = since;
      if (until) f.until = until;
      return json(await listBuckets(ctx.collector.db, f, readPage(ctx.url.searchParams)));
    },
  },
  {
    method: 'GET',
    path: '/api/v1/buckets/:id',
    access: 'read',
    summary: 'one bucket with its representative report, hosts, releases, series and notes',
    handle: async (ctx) => json((await bucketDetail(ctx.collector.db, ctx.params['id']!)) ?? notFound('bucket')),
  },
  {
    method: 'PATCH',
    path: '/api/v1/buckets/:id',
    access: 'admin',
    summary: "a bucket's status, fixed-in release and a note",
    handle: async (ctx) => {
      const body = parseJson(await ctx.body());
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ApiError('KT_E_BAD_REQUEST', 'body must be a JSON object');
      const b = body as Record<string, unknown>;
      const change: Parameters<typeof patchBucket>[2] = { author: ctx.caller?.name ?? 'admin' };
      if (b['status'] !== undefined) {
        if (!BUCKET_STATUSES.includes(b['status'] as BucketStatus)) throw new ApiError('KT_E_BAD_REQUEST', `status must be one of ${BUCKET_STATUSES.join(', ')}`);
        change.status = b['status'] as BucketStatus;
      }
      if (b['fixedIn'] !== undefined) {
        if (typeof b['fixedIn'] !== 'string' || b['fixedIn'].length > 255) throw new ApiError('KT_E_BAD_REQUEST', 'fixedIn must be a kernel release string');
        change.fixedIn = b['fixedIn'];
      }
      if (b['note'] !== undefined) {
        if (typeof b['note'] !== 'string' || b['note'].length === 0 || b['note'].length > 10_000) throw new ApiError('KT_E_BAD_REQUEST', 'note must be a string of 1 to 10000 characters');
        change.note = b['note'];
      }
      return json((await patchBucket(ctx.collector.db, ctx.params['id']!, change)) ?? notFound('bucket'));
    },
  },
  {
    method: 'GET',
    path: '/api/v1/buckets/:id/reports',
    access: 'read',
    summary: "a bucket's reports, newest first",
    handle: async (ctx) => json(await bucketReports(ctx.collector.db, ctx.params['id']!, readPage(ctx.url.searchParams))),
  },
  {
    method: 'GET',
    path: '/api/v1/reports/:id',
    access: 'read',
    summary: 'one report with its incident',
    handle: async (ctx) => json((await reportDetail(ctx.collector.db, ctx.params['id']!)) ?? notFound('report')),
  },
  {
    method: 'GET',
    path: '/api/v1/reports/:id/raw',
    access: 'read',
    summary: "the report's lines as text",
    handle: async (ctx) => ({ status: 200, text: (await reportRaw(ctx.collector.db, ctx.params['id']!)) ?? notFound('report'), contentType: 'text/plain; charset=utf-8' }),
  },
  {
    method: 'GET',
    path: '/api/v1/hosts',
    access: 'read',
    summary: 'hosts with their last release, crashes and unexpected reboots',
    handle: async (ctx) => json(await listHosts(ctx.collector.db, param(ctx, 'q'), readPage(ctx.url.searchParams))),
  },
  {
    method: 'GET',
    path: '/api/v1/hosts/:host',
    access: 'read',
    summary: "a host's timeline, releases and readiness",
    handle: async (ctx) => json((await hostDetail(ctx.collector.db, ctx.params['host']!)) ?? notFound('host')),
  },
  {
    method: 'POST',
    path: '/api/v1/session',
    access: 'open',
    summary: 'trade a read or admin token for a session cookie',
    handle: async (ctx) => {
      const body = parseJson(await ctx.body()) as { token?: unknown } | null;
      const token = typeof body?.token === 'string' ? await verifyToken(ctx.collector.db, body.token) : undefined;
      if (!token || token.scope === 'ingest') throw new ApiError('KT_E_UNAUTHORIZED', 'not a live read or admin token');
      const secret = await createSession(ctx.collector.db, token);
      return { status: 204, headers: { 'set-cookie': `${SESSION_COOKIE}=${secret}; HttpOnly; SameSite=Strict; Path=/` } };
    },
  },
  {
    method: 'GET',
    path: '/api/v1/session',
    access: 'session',
    summary: "the session's scope",
    handle: async (ctx) => json({ scope: ctx.caller!.scope }),
  },
  {
    method: 'DELETE',
    path: '/api/v1/session',
    access: 'open',
    summary: 'end the session',
    handle: async (ctx) => {
      const secret = sessionCookieOf(ctx.req);
      if (secret) await deleteSession(ctx.collector.db, secret);
      return { status: 204, headers: { 'set-cookie': `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0` } };
    },
  },
];

