/**
 * Fetches from the collector with the session cookie. A 401 anywhere means the session is gone:
 * the app goes back to the login form (onUnauthorized).
 */
import type { BucketDetail, BucketList, BucketPatch, BucketSummary, HostDetail, HostSummary, Overview, ReportDetail, ReportSummary, Scope } from './api-types.js';

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

let onUnauthorized: () => void = () => {};
export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler;
}

async function request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: { accept: 'application/json' } };
  if (signal) init.signal = signal;
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { accept: 'application/json', 'content-type': 'application/json' };
  }
  const res = await fetch(path, init);
  if (res.status === 401 && path !== '/api/v1/session') onUnauthorized();
  if (!res.ok) {
    const error = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
    throw new ApiError(res.status, error?.error?.code ?? `HTTP_${res.status}`, error?.error?.message ?? `${res.status} ${res.statusText}`);
  }
  return res.status === 204 ? (undefined as T) : ((await res.json()) as T);
}

/** `?a=1&b=2` of the defined, non-empty values. */
export function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

const enc = encodeURIComponent;

export const api = {
  session: () => request<{ scope: Scope }>('GET', '/api/v1/session'),
  login: (token: string) => request<void>('POST', '/api/v1/session', { token }),
  logout: () => request<void>('DELETE', '/api/v1/session'),
  overview: (since: string | undefined, signal?: AbortSignal) => request<Overview>('GET', `/api/v1/overview${query({ since })}`, undefined, signal),
  buckets: (params: Record<string, string | number | undefined>, signal?: AbortSignal) => request<BucketList>('GET', `/api/v1/buckets${query(params)}`, undefined, signal),
  bucket: (id: string, signal?: AbortSignal) => request<BucketDetail>('GET', `/api/v1/buckets/${enc(id)}`, undefined, signal),
  bucketReports: (id: string, cursor: string | undefined, signal?: AbortSignal) =>
    request<{ reports: ReportSummary[]; nextCursor?: string }>('GET', `/api/v1/buckets/${enc(id)}/reports${query({ limit: 50, cursor })}`, undefined, signal),
  patchBucket: (id: string, patch: BucketPatch) => request<BucketSummary>('PATCH', `/api/v1/buckets/${enc(id)}`, patch),
  report: (id: string, signal?: AbortSignal) => request<ReportDetail>('GET', `/api/v1/reports/${enc(id)}`, undefined, signal),
  rawUrl: (id: string) => `/api/v1/reports/${enc(id)}/raw`,
  hosts: (params: Record<string, string | number | undefined>, signal?: AbortSignal) =>
    request<{ hosts: HostSummary[]; nextCursor?: string }>('GET', `/api/v1/hosts${query(params)}`, undefined, signal),
  host: (host: string, signal?: AbortSignal) => request<HostDetail>('GET', `/api/v1/hosts/${enc(host)}`, undefined, signal),
};
