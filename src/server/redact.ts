import { createHash } from 'node:crypto';
import type { CrashReport } from '../reports/crash-report.js';

/** What `--redact` removes from reports as they arrive, before anything is stored. */
export interface RedactOptions {
  hosts: boolean;
  ips: boolean;
  addresses: boolean;
}

export const REDACT_KINDS = ['hosts', 'ips', 'addresses'] as const;

/** A host name replaced by a stable pseudonym: the same host keeps one name, which says nothing. */
export function pseudonymHost(host: string): string {
  return `host-${createHash('sha256').update(host).digest('hex').slice(0, 10)}`;
}

const IPV4 = /\b(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}\b/g;
const IPV6 = /\b(?:[0-9a-f]{1,4}:){2,7}[0-9a-f]{1,4}\b/gi;
/** Kernel virtual addresses (x86-64 and arm64 upper half), with or without 0x. */
const KERNEL_ADDRESS = /\b(?:0x)?ffff[0-9a-f]{12}\b/gi;

export function redactText(text: string, o: RedactOptions, hostNames: readonly string[]): string {
  let t = text;
  if (o.hosts) for (const h of hostNames) if (h.length >= 2) t = t.split(h).join(pseudonymHost(h));
  if (o.ips) t = t.replace(IPV4, '[ip]').replace(IPV6, '[ip]');
  if (o.addresses) t = t.replace(KERNEL_ADDRESS, (m) => (m.startsWith('0x') ? '0x' : '') + 'ffff[addr]');
  return t;
}

/**
 * The report with what was asked removed from every string in it. Bucket and title come from
 * function names, not addresses, so grouping is unchanged.
 */
export function redactReport(report: CrashReport, o: RedactOptions, host: string): CrashReport {
  const names = [host, report.host].filter((h): h is string => !!h);
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return redactText(v, o, names);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  const out = walk(report) as CrashReport;
  out.id = report.id;
  if (report.bucket) out.bucket = report.bucket;
  if (o.hosts && report.host) out.host = pseudonymHost(report.host);
  return out;
}
