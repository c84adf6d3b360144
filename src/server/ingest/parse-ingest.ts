import { createHash } from 'node:crypto';
import type { CrashReport, Incident } from '../../reports/crash-report.js';
import { ApiError } from '../http/api-error.js';
import type { StoredReport } from '../storage/ingest-reports.js';
import { EVENT_TYPES, SEVERITIES, type EventType, type HostEvent } from '../storage/ingest-events.js';
import { isoTime } from '../time-buckets.js';

/** Most reports or events one request may carry. */
export const MAX_BATCH = 1000;
const MAX_NAME = 255;

function bad(message: string): never {
  throw new ApiError('KT_E_BAD_REQUEST', message);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function optionalName(v: unknown, what: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_NAME || /[\u0000-\u001f]/.test(v)) bad(`${what} must be a non-empty string of at most ${MAX_NAME} printable characters`);
  return v;
}

/**
 * A report id the fleet can share. The pipeline's ids are stable (text, timestamp, host, boot);
 * an older agent's `r1`, `r2`… are only unique in one log, so those get one made the same way.
 */
export function fleetReportId(r: CrashReport, host: string, boot: string | undefined): string {
  if (!/^r\d{1,8}$/.test(r.id)) return r.id;
  const text = (r.lines ?? []).map((l) => l.text).join('\n');
  return createHash('sha256').update(`${host}\0${boot ?? ''}\0${r.ts ?? ''}\0${r.header}\0${text}`).digest('hex').slice(0, 24);
}

/** The first cause's cause category of the incident a report belongs to. */
function causeOf(incident: Incident | undefined): string {
  return incident?.diagnosis?.cause?.category ?? 'unknown';
}

export interface ReportBatch {
  host: string;
  release?: string;
  boot?: string;
  reports: CrashReport[];
  incidents: Incident[];
}

/** `POST /api/v1/reports`' body, checked field by field. */
export function parseReportBatch(body: unknown): ReportBatch {
  if (!isObject(body)) bad('body must be a JSON object with host and reports');
  const host = optionalName(body['host'], 'host') ?? bad('host is required');
  if (!Array.isArray(body['reports'])) bad('reports must be an array');
  if (body['reports'].length > MAX_BATCH) throw new ApiError('KT_E_TOO_LARGE', `at most ${MAX_BATCH} reports per request`);
  const incidents = body['incidents'] === undefined ? [] : body['incidents'];
  if (!Array.isArray(incidents)) bad('incidents must be an array when given');
  body['reports'].forEach((r, i) => {
    if (!isObject(r)) bad(`reports[${i}] must be an object`);
    if (typeof r['id'] !== 'string' || r['id'].length === 0 || r['id'].length > 200) bad(`reports[${i}].id must be a string of 1 to 200 characters`);
    if (typeof r['kind'] !== 'string' || r['kind'].length > 64) bad(`reports[${i}].kind must be a string`);
    if (typeof r['title'] !== 'string' || r['title'].length > 1000) bad(`reports[${i}].title must be a string of at most 1000 characters`);
    if (r['bucket'] !== undefined && (typeof r['bucket'] !== 'string' || r['bucket'].length > 200)) bad(`reports[${i}].bucket must be a string`);
    if (r['lines'] !== undefined && !Array.isArray(r['lines'])) bad(`reports[${i}].lines must be an array`);
  });
  incidents.forEach((inc, i) => {
    if (!isObject(inc) || !Array.isArray(inc['reportIds'])) bad(`incidents[${i}] must be an object with reportIds`);
  });
  const out: ReportBatch = { host, reports: body['reports'] as CrashReport[], incidents: incidents as Incident[] };
  const release = optionalName(body['release'], 'release');
  const boot = optionalName(body['boot'], 'boot');
  if (release) out.release = release;
  if (boot) out.boot = boot;
  return out;
}

/** A batch as rows to store, each with its incident, fleet id, release and time. */
export function storedReports(batch: ReportBatch, receivedAt: string): StoredReport[] {
  const incidentOf = new Map<string, Incident>();
  for (const inc of batch.incidents) for (const id of inc.reportIds) incidentOf.set(id, inc);
  // The agent's `uname -r` first; an upload's reports share the release one of them printed.
  const printed = batch.reports.find((r) => r.kernel?.release)?.kernel?.release;
  return batch.reports.map((r) => {
    const incident = incidentOf.get(r.id);
    const boot = r.boot ?? batch.boot;
    const release = batch.release ?? r.kernel?.release ?? printed;
    const id = fleetReportId(r, batch.host, boot);
    const s: StoredReport = {
      id,
      bucket: r.bucket ?? `t${createHash('sha256').update(r.title).digest('hex').slice(0, 15)}`,
      title: r.title,
      kind: r.kind,
      cause: causeOf(incident),
      host: batch.host,
      time: isoTime(r.wallTime) ?? receivedAt,
      receivedAt,
      report: { ...r, id, host: batch.host },
    };
    if (r.culprit?.function) s.culprit = r.culprit.function;
    if (r.culprit?.module ?? r.ip?.module) s.module = r.culprit?.module ?? r.ip?.module;
    if (release) s.release = release;
    if (boot) s.boot = boot;
    if (incident) s.incident = incident;
    return s;
  });
}

/** `POST /api/v1/events`' body. */
export function parseEventBatch(body: unknown): HostEvent[] {
  if (!isObject(body)) bad('body must be a JSON object with host and events');
  const host = optionalName(body['host'], 'host') ?? bad('host is required');
  if (!Array.isArray(body['events'])) bad('events must be an array');
  if (body['events'].length > MAX_BATCH) throw new ApiError('KT_E_TOO_LARGE', `at most ${MAX_BATCH} events per request`);
  return body['events'].map((e, i): HostEvent => {
    if (!isObject(e)) bad(`events[${i}] must be an object`);
    const id = optionalName(e['id'], `events[${i}].id`) ?? bad(`events[${i}].id is required`);
    if (!EVENT_TYPES.includes(e['type'] as EventType)) bad(`events[${i}].type must be one of ${EVENT_TYPES.join(', ')}`);
    const time = isoTime(e['time']) ?? bad(`events[${i}].time must be an ISO 8601 time`);
    if (typeof e['summary'] !== 'string' || e['summary'].length > 2000) bad(`events[${i}].summary must be a string of at most 2000 characters`);
    const ev: HostEvent = { id, host, type: e['type'] as EventType, time, summary: e['summary'] };
    const release = optionalName(e['release'], `events[${i}].release`);
    const boot = optionalName(e['boot'], `events[${i}].boot`);
    if (release) ev.release = release;
    if (boot) ev.boot = boot;
    if (e['severity'] !== undefined) {
      if (!SEVERITIES.includes(e['severity'] as HostEvent['severity'] & string)) bad(`events[${i}].severity must be one of ${SEVERITIES.join(', ')}`);
      ev.severity = e['severity'] as HostEvent['severity'];
    }
    if (e['reportIds'] !== undefined) {
      if (!Array.isArray(e['reportIds']) || !e['reportIds'].every((x) => typeof x === 'string')) bad(`events[${i}].reportIds must be an array of strings`);
      ev.reportIds = e['reportIds'] as string[];
    }
    if (e['data'] !== undefined) {
      if (!isObject(e['data'])) bad(`events[${i}].data must be an object`);
      ev.data = e['data'];
    }
    return ev;
  });
}
