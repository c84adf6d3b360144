import type { Route } from './route.js';

/** The schemas of the API's bodies (docs/collector-api.md says the same in prose). */
const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const time = { type: 'string', format: 'date-time' } as const;
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const SCHEMAS = {
  Error: { type: 'object', required: ['error'], properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: str, message: str } } } },
  CrashReport: { type: 'object', description: 'as `ktriage analyze --json` prints it (docs/crash-report.schema.json)', required: ['id', 'kind', 'title'] },
  Incident: { type: 'object', description: 'as `ktriage analyze --json` prints it', required: ['id', 'reportIds'] },
  ReportBatch: {
    type: 'object',
    required: ['host', 'reports'],
    properties: { host: str, release: str, boot: str, reports: { type: 'array', maxItems: 1000, items: ref('CrashReport') }, incidents: { type: 'array', items: ref('Incident') } },
  },
  EventBatch: {
    type: 'object',
    required: ['host', 'events'],
    properties: {
      host: str,
      events: {
        type: 'array',
        maxItems: 1000,
        items: {
          type: 'object',
          required: ['id', 'type', 'time', 'summary'],
          properties: {
            id: str,
            type: { enum: ['unexpected-reboot', 'precursor', 'resource', 'readiness'] },
            time,
            release: str,
            boot: str,
            severity: { enum: ['info', 'warning', 'critical'] },
            summary: str,
            reportIds: { type: 'array', items: str },
            data: { type: 'object' },
          },
        },
      },
    },
  },
  IngestReply: { type: 'object', required: ['accepted', 'duplicates'], properties: { accepted: int, duplicates: int, reports: { type: 'array', items: { type: 'object', properties: { id: str, bucket: str, title: str } } } } },
  BucketSummary: {
    type: 'object',
    required: ['id', 'title', 'kind', 'cause', 'count', 'hosts', 'firstSeen', 'lastSeen', 'releases', 'status', 'new', 'regressed', 'sparkline'],
    properties: {
      id: str,
      title: str,
      kind: str,
      cause: str,
      culprit: str,
      module: str,
      count: int,
      hosts: int,
      firstSeen: time,
      lastSeen: time,
      releases: { type: 'array', items: str },
      status: { enum: ['open', 'known', 'fixed', 'ignored'] },
      fixedIn: str,
      new: { type: 'boolean' },
      regressed: { type: 'boolean' },
      regression: { type: 'object', properties: { reason: { enum: ['new-release', 'rate-jump', 'fixed-came-back'] }, release: str, detail: str } },
      sparkline: { type: 'array', items: int, minItems: 14, maxItems: 14 },
    },
  },
  ReportSummary: { type: 'object', properties: { id: str, bucket: str, title: str, kind: str, host: str, release: str, time, receivedAt: time } },
  HostSummary: { type: 'object', properties: { host: str, lastSeen: time, release: str, crashes: int, unexpectedReboots: int } },
  BucketPatch: { type: 'object', properties: { status: { enum: ['open', 'known', 'fixed', 'ignored'] }, fixedIn: str, note: str } },
};

const REQUEST_BODIES: Record<string, unknown> = {
  'POST /api/v1/reports': ref('ReportBatch'),
  'POST /api/v1/events': ref('EventBatch'),
  'PATCH /api/v1/buckets/{id}': ref('BucketPatch'),
  'POST /api/v1/session': { type: 'object', required: ['token'], properties: { token: str } },
};

const REPLIES: Record<string, unknown> = {
  'POST /api/v1/reports': ref('IngestReply'),
  'POST /api/v1/logs': ref('IngestReply'),
  'POST /api/v1/events': ref('IngestReply'),
  'GET /api/v1/buckets': { type: 'object', properties: { buckets: { type: 'array', items: ref('BucketSummary') }, total: int, nextCursor: str } },
  'PATCH /api/v1/buckets/{id}': ref('BucketSummary'),
  'GET /api/v1/buckets/{id}/reports': { type: 'object', properties: { reports: { type: 'array', items: ref('ReportSummary') }, nextCursor: str } },
  'GET /api/v1/hosts': { type: 'object', properties: { hosts: { type: 'array', items: ref('HostSummary') }, nextCursor: str } },
};

const QUERY: Record<string, string[]> = {
  'POST /api/v1/logs': ['host', 'boot', 'release'],
  'GET /api/v1/overview': ['since', 'until'],
  'GET /api/v1/buckets': ['kind', 'cause', 'release', 'host', 'module', 'status', 'q', 'since', 'until', 'sort', 'limit', 'cursor'],
  'GET /api/v1/buckets/{id}/reports': ['limit', 'cursor'],
  'GET /api/v1/hosts': ['q', 'limit', 'cursor'],
};

/** OpenAPI 3.1 of the route table: every route, its access, its bodies. */
export function openApiDocument(routes: readonly Route[]): unknown {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.path.replace(/:([a-zA-Z]+)/g, '{$1}');
    const key = `${r.method} ${path}`;
    const names = [...r.path.matchAll(/:([a-zA-Z]+)/g)].map((m) => m[1]!);
    const op: Record<string, unknown> = {
      summary: r.summary,
      security: r.access === 'open' ? [] : [{ bearer: [] }, { session: [] }],
      'x-ktriage-scope': r.access,
      parameters: [
        ...names.map((n) => ({ name: n, in: 'path', required: true, schema: str })),
        ...(QUERY[key] ?? []).map((n) => ({ name: n, in: 'query', required: false, schema: n === 'limit' ? { type: 'integer', minimum: 1, maximum: 500 } : str })),
      ],
      responses: {
        [r.method === 'POST' && path === '/api/v1/session' ? '204' : r.method === 'DELETE' ? '204' : '200']: {
          description: 'success',
          ...(REPLIES[key] ? { content: { 'application/json': { schema: REPLIES[key] } } } : {}),
        },
        '4XX': { description: 'refused; the body says why', content: { 'application/json': { schema: ref('Error') } } },
      },
    };
    if (REQUEST_BODIES[key]) op['requestBody'] = { required: true, content: { 'application/json': { schema: REQUEST_BODIES[key] } } };
    if (key === 'POST /api/v1/logs') op['requestBody'] = { required: true, content: { 'text/plain': { schema: str } }, description: 'Content-Encoding gzip, zstd or deflate accepted' };
    (paths[path] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'ktriage collector', version: '1', description: 'Fleet crash collector (docs/collector-api.md)' },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, session: { type: 'apiKey', in: 'cookie', name: 'ktriage_session' } },
      schemas: SCHEMAS,
    },
    paths,
  };
}
