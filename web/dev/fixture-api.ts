/**
 * Development only (`npx vite web`): the collector contract's read API answered from a made-up
 * fleet whose reports are real ones (test/fixtures/reports, analysed by the CLI). Not a test and
 * not shipped; the tests run against a real `ktriage serve`. Tokens: `dev-read`, `dev-admin`.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Plugin } from 'vite';
import type { AnalysisResult, CrashReport, Incident } from '../../src/reports/crash-report.js';
import type { BucketSummary, ReportSummary } from '../src/api-types.js';

const ROOT = join(import.meta.dirname, '..', '..');
const DAY = 86_400_000;

interface Row {
  report: CrashReport;
  incident?: Incident;
  host: string;
  release: string;
  time: number;
}

function fleet(): { rows: Row[]; status: Map<string, Partial<BucketSummary>>; notes: Map<string, { time: string; author: string; text: string }[]> } {
  const dir = join(ROOT, 'test', 'fixtures', 'reports');
  const logs = readdirSync(dir).filter((f) => f.endsWith('.log')).slice(0, 24);
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const releases = ['6.1.0-25-amd64', '6.1.0-26-amd64', '6.12.9-amd64'];
  const hosts = Array.from({ length: 40 }, (_, i) => `${['web', 'db', 'cache', 'batch'][i % 4]}-${String(i + 1).padStart(2, '0')}`);
  const rows: Row[] = [];
  const now = Date.now();
  logs.forEach((log, li) => {
    const out = spawnSync('node', [join(ROOT, 'bin', 'ktriage.js'), 'analyze', '--json', join(dir, log)], { encoding: 'utf8', maxBuffer: 64 << 20 });
    const result = JSON.parse(out.stdout) as AnalysisResult;
    const report = result.reports.find((r) => r.bucket);
    if (!report) return;
    const incident = result.incidents.find((i) => i.reportIds.includes(report.id));
    const n = Math.floor(3 + rand() * (li < 4 ? 120 : 25));
    for (let k = 0; k < n; k++) {
      const time = now - Math.floor(rand() * (li % 5 === 0 ? 3 : 30) * DAY);
      rows.push({ report: { ...report, id: `${report.bucket?.slice(0, 8)}-${k}` }, ...(incident ? { incident } : {}), host: hosts[Math.floor(rand() * hosts.length)] ?? 'web-01', release: releases[Math.floor(rand() * (li % 5 === 0 ? 3 : 2))] ?? '', time });
    }
  });
  return { rows, status: new Map(), notes: new Map() };
}

export function fixtureApi(): Plugin {
  let data: ReturnType<typeof fleet> | undefined;
  const sessions = new Map<string, 'read' | 'admin'>();
  return {
    name: 'ktriage-fixture-api',
    configureServer(server) {
      server.middlewares.use((req: IncomingMessage, res: ServerResponse, next: () => void) => {
        if (!req.url?.startsWith('/api/')) return next();
        data ??= fleet();
        void answer(req, res, data, sessions);
      });
    },
  };
}

async function answer(req: IncomingMessage, res: ServerResponse, data: ReturnType<typeof fleet>, sessions: Map<string, 'read' | 'admin'>): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  const send = (status: number, body?: unknown) => {
    res.statusCode = status;
    if (body !== undefined) res.setHeader('content-type', 'application/json');
    res.end(body === undefined ? undefined : JSON.stringify(body));
  };
  const body = async () => {
    let text = '';
    for await (const chunk of req) text += String(chunk);
    return JSON.parse(text || '{}') as Record<string, string>;
  };
  const cookie = /ktriage_session=(\w+)/.exec(req.headers.cookie ?? '')?.[1];
  const scope = cookie ? sessions.get(cookie) : undefined;
  if (url.pathname === '/api/v1/session') {
    if (req.method === 'POST') {
      const { token } = await body();
      const s = token === 'dev-admin' ? 'admin' : token === 'dev-read' ? 'read' : undefined;
      if (!s) return send(401, { error: { code: 'KT_E_AUTH', message: 'unknown token' } });
      const id = Math.random().toString(36).slice(2);
      sessions.set(id, s);
      res.setHeader('set-cookie', `ktriage_session=${id}; HttpOnly; SameSite=Strict; Path=/`);
      return send(204);
    }
    if (req.method === 'DELETE') {
      if (cookie) sessions.delete(cookie);
      res.setHeader('set-cookie', 'ktriage_session=; Max-Age=0; Path=/');
      return send(204);
    }
    return scope ? send(200, { scope }) : send(401, { error: { code: 'KT_E_AUTH', message: 'no session' } });
  }
  if (!scope) return send(401, { error: { code: 'KT_E_AUTH', message: 'no session' } });
  const since = url.searchParams.get('since');
  const rows = data.rows.filter((r) => !since || r.time >= new Date(since).getTime());
  const byBucket = new Map<string, Row[]>();
  for (const r of data.rows) byBucket.set(r.report.bucket ?? '', [...(byBucket.get(r.report.bucket ?? '') ?? []), r]);
  const summary = (id: string): BucketSummary => {
    const rs = byBucket.get(id) ?? [];
    const first = rs[0]!;
    const times = rs.map((r) => r.time);
    const day0 = Date.now() - 14 * DAY;
    const spark = Array.from({ length: 14 }, (_, i) => rs.filter((r) => r.time >= day0 + i * DAY && r.time < day0 + (i + 1) * DAY).length);
    const isNew = Math.min(...times) > Date.now() - 3 * DAY;
    const extra = data.status.get(id) ?? {};
    const d = first.incident?.diagnosis;
    return {
      id, title: first.report.title, kind: first.report.kind, cause: d?.cause.category ?? 'unknown',
      ...(first.report.culprit ? { culprit: first.report.culprit.function } : {}), ...(first.report.culprit?.module ? { module: first.report.culprit.module } : {}),
      count: rs.length, hosts: new Set(rs.map((r) => r.host)).size, firstSeen: new Date(Math.min(...times)).toISOString(), lastSeen: new Date(Math.max(...times)).toISOString(),
      releases: [...new Set(rs.map((r) => r.release))].sort(), status: 'open', new: isNew, regressed: id.startsWith('a') || id.startsWith('3'),
      ...(id.startsWith('a') || id.startsWith('3') ? { regression: { reason: 'new-release' as const, release: '6.12.9-amd64', detail: 'first seen on 6.12.9-amd64 after 20 days on 6.1.0-26-amd64' } } : {}),
      sparkline: spark, ...extra,
    };
  };
  const path = url.pathname.replace('/api/v1/', '').split('/').map(decodeURIComponent);
  if (path[0] === 'overview') {
    const days = Array.from({ length: 30 }, (_, i) => Date.now() - (29 - i) * DAY);
    const series = days.map((t) => {
      const inDay = rows.filter((r) => r.time >= t - DAY && r.time < t);
      const byKind: Record<string, number> = {};
      const byCause: Record<string, number> = {};
      for (const r of inDay) {
        byKind[r.report.kind] = (byKind[r.report.kind] ?? 0) + 1;
        const c = r.incident?.diagnosis?.cause.category ?? 'unknown';
        byCause[c] = (byCause[c] ?? 0) + 1;
      }
      return { t: new Date(t - DAY).toISOString(), total: inDay.length, byKind, byCause };
    });
    const buckets = [...new Set(rows.map((r) => r.report.bucket ?? ''))].map(summary);
    const hostCounts = new Map<string, number>();
    for (const r of rows) hostCounts.set(r.host, (hostCounts.get(r.host) ?? 0) + 1);
    const rel = new Map<string, { hosts: Set<string>; crashes: number }>();
    for (const r of rows) {
      const e = rel.get(r.release) ?? { hosts: new Set(), crashes: 0 };
      e.hosts.add(r.host);
      e.crashes++;
      rel.set(r.release, e);
    }
    return send(200, {
      series, bucketSize: 'day', newBuckets: buckets.filter((b) => b.new), regressedBuckets: buckets.filter((b) => b.regressed),
      topHosts: [...hostCounts].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([host, crashes]) => ({ host, crashes })),
      unexpectedReboots: [{ host: 'db-02', time: new Date(Date.now() - 5 * 3600_000).toISOString(), summary: 'boot -1 ended without a clean shutdown and left no kernel report' }],
      releases: [...rel].map(([release, e]) => ({ release, hosts: e.hosts.size, crashes: e.crashes, crashesPerHost: e.crashes / e.hosts.size })),
    });
  }
  if (path[0] === 'buckets' && path.length === 1) {
    const p = url.searchParams;
    const q = p.get('q')?.toLowerCase();
    let list = [...new Set(rows.filter((r) => (!p.get('host') || r.host === p.get('host')) && (!p.get('release') || r.release === p.get('release'))).map((r) => r.report.bucket ?? ''))].map(summary);
    list = list.filter((b) => (!p.get('kind') || b.kind === p.get('kind')) && (!p.get('cause') || b.cause === p.get('cause')) && (!p.get('status') || b.status === p.get('status')) && (!p.get('module') || b.module === p.get('module')) && (!q || `${b.title} ${b.culprit} ${b.module}`.toLowerCase().includes(q)));
    list.sort((a, b) => (p.get('sort') === 'recent' ? b.lastSeen.localeCompare(a.lastSeen) : b.count - a.count));
    return send(200, { buckets: list, total: list.length });
  }
  if (path[0] === 'buckets' && path[1]) {
    const id = path[1];
    const rs = byBucket.get(id);
    if (!rs) return send(404, { error: { code: 'KT_E_NOT_FOUND', message: 'no such bucket' } });
    if (path[2] === 'reports') return send(200, { reports: rs.slice(0, 50).map(reportSummary) });
    if (req.method === 'PATCH') {
      if (scope !== 'admin') return send(403, { error: { code: 'KT_E_SCOPE', message: 'admin scope needed' } });
      const patch = await body();
      data.status.set(id, { ...data.status.get(id), ...(patch['status'] ? { status: patch['status'] as BucketSummary['status'] } : {}), ...(patch['fixedIn'] ? { fixedIn: patch['fixedIn'] } : {}) });
      if (patch['note']) data.notes.set(id, [...(data.notes.get(id) ?? []), { time: new Date().toISOString(), author: 'dev-admin', text: patch['note'] }]);
      return send(200, summary(id));
    }
    const first = rs[0]!;
    const days = Array.from({ length: 30 }, (_, i) => Date.now() - (30 - i) * DAY);
    const hostMap = new Map<string, { count: number; last: number }>();
    for (const r of rs) hostMap.set(r.host, { count: (hostMap.get(r.host)?.count ?? 0) + 1, last: Math.max(r.time, hostMap.get(r.host)?.last ?? 0) });
    const relMap = new Map<string, number[]>();
    for (const r of rs) relMap.set(r.release, [...(relMap.get(r.release) ?? []), r.time]);
    return send(200, {
      bucket: summary(id), representative: { report: first.report, ...(first.incident ? { incident: first.incident } : {}) },
      hosts: [...hostMap].sort((a, b) => b[1].count - a[1].count).map(([host, v]) => ({ host, count: v.count, lastSeen: new Date(v.last).toISOString() })),
      releases: [...relMap].map(([release, ts]) => ({ release, count: ts.length, firstSeen: new Date(Math.min(...ts)).toISOString(), lastSeen: new Date(Math.max(...ts)).toISOString() })),
      series: { hourly: [], daily: days.map((t) => ({ t: new Date(t).toISOString(), count: rs.filter((r) => r.time >= t && r.time < t + DAY).length })) },
      notes: data.notes.get(id) ?? [],
    });
  }
  if (path[0] === 'reports' && path[1]) {
    const r = data.rows.find((x) => x.report.id === path[1]);
    if (!r) return send(404, { error: { code: 'KT_E_NOT_FOUND', message: 'no such report' } });
    if (path[2] === 'raw') {
      res.setHeader('content-type', 'text/plain; charset=utf-8');
      res.end(r.report.lines.map((l) => l.text).join('\n'));
      return;
    }
    return send(200, { report: r.report, ...(r.incident ? { incident: r.incident } : {}), host: r.host, release: r.release, receivedAt: new Date(r.time).toISOString() });
  }
  if (path[0] === 'hosts' && !path[1]) {
    const hosts = [...new Set(data.rows.map((r) => r.host))].sort().map((host) => hostSummary(data.rows, host));
    return send(200, { hosts });
  }
  if (path[0] === 'hosts' && path[1]) {
    const rs = data.rows.filter((r) => r.host === path[1]).sort((a, b) => b.time - a.time);
    return send(200, {
      host: hostSummary(data.rows, path[1]),
      timeline: rs.map((r) => ({ time: new Date(r.time).toISOString(), type: 'crash', summary: r.report.title, reportId: r.report.id, bucket: r.report.bucket, severity: r.report.severity })),
      releases: [...new Set(rs.map((r) => r.release))].map((release) => ({ release, firstSeen: new Date(Math.min(...rs.filter((r) => r.release === release).map((r) => r.time))).toISOString(), lastSeen: new Date(Math.max(...rs.filter((r) => r.release === release).map((r) => r.time))).toISOString() })),
    });
  }
  return send(404, { error: { code: 'KT_E_NOT_FOUND', message: 'no such endpoint' } });
}

function reportSummary(r: Row): ReportSummary {
  return { id: r.report.id, bucket: r.report.bucket ?? '', title: r.report.title, kind: r.report.kind, host: r.host, release: r.release, time: new Date(r.time).toISOString(), receivedAt: new Date(r.time).toISOString() };
}

function hostSummary(rows: Row[], host: string) {
  const rs = rows.filter((r) => r.host === host);
  return { host, lastSeen: new Date(Math.max(...rs.map((r) => r.time))).toISOString(), release: rs[0]?.release, crashes: rs.length, unexpectedReboots: 0 };
}
