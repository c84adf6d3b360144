/**
 * The collector's read API as the dashboard reads it (/work/brief/COLLECTOR-API.md,
 * docs/collector-api.md). Reports and incidents are the analysis model itself.
 */
import type { CrashReport, Incident } from '../../src/reports/crash-report.js';

export type { CrashReport, Incident };
export type BucketStatus = 'open' | 'known' | 'fixed' | 'ignored';
export type Scope = 'read' | 'admin';

export interface BucketSummary {
  id: string;
  title: string;
  kind: string;
  cause: string;
  culprit?: string;
  module?: string;
  count: number;
  hosts: number;
  firstSeen: string;
  lastSeen: string;
  releases: string[];
  status: BucketStatus;
  fixedIn?: string;
  new: boolean;
  regressed: boolean;
  regression?: { reason: 'new-release' | 'rate-jump' | 'fixed-came-back'; release?: string; detail: string };
  sparkline: number[];
}

export interface SeriesPoint {
  t: string;
  total: number;
  byKind: Record<string, number>;
  byCause: Record<string, number>;
}

export interface Overview {
  series: SeriesPoint[];
  bucketSize: 'hour' | 'day';
  newBuckets: BucketSummary[];
  regressedBuckets: BucketSummary[];
  topHosts: { host: string; crashes: number }[];
  unexpectedReboots: { host: string; time: string; summary: string }[];
  releases: { release: string; hosts: number; crashes: number; crashesPerHost: number }[];
}

export interface BucketList {
  buckets: BucketSummary[];
  total: number;
  nextCursor?: string;
}

export interface BucketDetail {
  bucket: BucketSummary;
  representative: { report: CrashReport; incident?: Incident };
  hosts: { host: string; count: number; lastSeen: string }[];
  releases: { release: string; count: number; firstSeen: string; lastSeen: string }[];
  series: { hourly: { t: string; count: number }[]; daily: { t: string; count: number }[] };
  notes: { time: string; author: string; text: string }[];
}

export interface ReportSummary {
  id: string;
  bucket: string;
  title: string;
  kind: string;
  host: string;
  release?: string;
  time: string;
  receivedAt: string;
}

export interface ReportDetail {
  report: CrashReport;
  incident?: Incident;
  host: string;
  release?: string;
  receivedAt: string;
}

export interface HostSummary {
  host: string;
  lastSeen: string;
  release?: string;
  crashes: number;
  unexpectedReboots: number;
}

export type TimelineType = 'crash' | 'precursor' | 'unexpected-reboot' | 'resource';

export interface HostDetail {
  host: HostSummary;
  timeline: { time: string; type: TimelineType; summary: string; reportId?: string; bucket?: string; severity?: string }[];
  releases: { release: string; firstSeen: string; lastSeen: string }[];
  /** `ktriage doctor --json` as the agent sent it. */
  readiness?: unknown;
}

export interface BucketPatch {
  status?: BucketStatus;
  fixedIn?: string;
  note?: string;
}
