import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { KtError } from '../../errors.js';
import { analyzeText } from '../../pipeline/index.js';
import type { CrashReport, Incident } from '../../reports/crash-report.js';
import { Collector } from '../collector.js';
import { analyzeUpload } from '../ingest/analyze-upload.js';
import { patchBucket } from '../storage/bucket-queries.js';
import type { HostEvent } from '../storage/ingest-events.js';
import { first } from '../storage/sql-database.js';
import { DEMO_CRASHES, DEMO_HOSTS, DEMO_PRECURSORS, DEMO_RELEASES, DEMO_ROLLOUTS, DEMO_UNEXPECTED_REBOOTS, type DemoCrash } from './demo-fleet.js';

const HOUR = 3_600_000;
const FIXTURES = new URL('../../../test/fixtures/', import.meta.url);

/** A small seeded generator: the same demo fleet every time. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

function fixture(path: string): Buffer {
  const file = fileURLToPath(new URL(path, FIXTURES));
  if (!existsSync(file)) throw new KtError('KT_E_NO_SUCH_FILE', `--demo needs the repository's test/fixtures (${file} is missing)`);
  return readFileSync(file);
}

interface Occurrence {
  at: number;
  host: string;
  crash: DemoCrash;
}

/** Each host's release at a time, from the rollouts. */
function releasePlan(hosts: readonly string[], now: number, rand: () => number): (host: string, at: number) => string {
  const upgrades = new Map<string, { at: number; release: string }[]>();
  for (const r of DEMO_ROLLOUTS) {
    const mine = hosts.filter((h) => r.hosts.test(h));
    mine.forEach((h, i) => {
      const hoursAgo = r.fromHoursAgo - ((r.fromHoursAgo - r.toHoursAgo) * i) / Math.max(1, mine.length - 1) - rand();
      (upgrades.get(h) ?? upgrades.set(h, []).get(h)!).push({ at: now - hoursAgo * HOUR, release: r.release });
    });
  }
  return (host, at) => {
    let release: string = DEMO_RELEASES[0];
    for (const u of upgrades.get(host) ?? []) if (at >= u.at) release = u.release;
    return release;
  };
}

function occurrences(hosts: readonly string[], releaseOf: (h: string, at: number) => string, now: number, rand: () => number): Occurrence[] {
  const out: Occurrence[] = [];
  for (const crash of DEMO_CRASHES) {
    const mine = hosts.filter((h) => crash.hosts.test(h));
    const onRelease = crash.onRelease ? new RegExp(`^(${crash.onRelease})$`) : undefined;
    const span = crash.fromHoursAgo - crash.toHoursAgo;
    const n = Math.max(1, Math.round(span / crash.everyHours));
    const times = Array.from({ length: n }, () => now - (crash.toHoursAgo + rand() * span) * HOUR);
    if (crash.storm) for (let i = 0; i < crash.storm.count; i++) times.push(now - rand() * crash.storm.hours * HOUR);
    for (const at of times) {
      const candidates = onRelease ? mine.filter((h) => onRelease.test(releaseOf(h, at))) : mine;
      if (candidates.length === 0) continue;
      out.push({ at, host: candidates[Math.floor(rand() * candidates.length)]!, crash });
    }
    if (crash.cameBack) out.push({ at: now - crash.cameBack.hoursAgo * HOUR, host: crash.cameBack.host, crash });
  }
  // A crash new on a release is the first the fleet sees on it: other crashes on that release come after.
  const newOn = DEMO_CRASHES.filter((c) => c.onRelease && !c.onRelease.includes('|'));
  for (const c of newOn) {
    const firstAt = Math.min(...out.filter((o) => o.crash === c).map((o) => o.at));
    for (let i = out.length - 1; i >= 0; i--) {
      const o = out[i]!;
      if (o.crash !== c && o.at < firstAt && releaseOf(o.host, o.at) === c.onRelease) out.splice(i, 1);
    }
  }
  return out.sort((a, b) => a.at - b.at);
}

/** A real report as it would come from `host` at `at`: its own id, boot, time and host. */
function asFrom(report: CrashReport, host: string, at: number, boot: string): CrashReport {
  return { ...report, id: `r${digest(`demo\0${host}\0${at}\0${report.id}`)}`, host, boot, wallTime: new Date(at).toISOString() };
}

/**
 * Seeds an empty database with a fleet made from real reports: 30 hosts on three Debian
 * kernels, steady crashes, a storm, a crash new on the newest kernel, one fixed that came back,
 * known and hardware ones, unexpected reboots and storage trouble. Does nothing on a database
 * that already has buckets.
 */
export async function seedDemoFleet(collector: Collector, now = Date.now()): Promise<{ reports: number; events: number } | undefined> {
  const has = await first<{ n: number }>(collector.db, 'SELECT COUNT(*) AS n FROM buckets');
  if (Number(has?.n ?? 0) > 0) return undefined;
  const quiet = new Collector(collector.db, collector.metrics);
  const rand = random(16);
  const hosts = DEMO_HOSTS.flatMap((g) => Array.from({ length: g.count }, (_, i) => `${g.prefix}-${String(i + 1).padStart(2, '0')}`));
  const releaseOf = releasePlan(hosts, now, rand);
  const analysed = new Map<string, { reports: CrashReport[]; incidents: Incident[] }>();
  for (const crash of DEMO_CRASHES) analysed.set(crash.log, await analyzeUpload(fixture(crash.log), crash.log));
  const triaged = new Set<DemoCrash>();
  let reports = 0;
  for (const o of occurrences(hosts, releaseOf, now, rand)) {
    for (const crash of DEMO_CRASHES) {
      if (!crash.triage || triaged.has(crash) || o.at < now - crash.triage.hoursAgo * HOUR) continue;
      triaged.add(crash);
      const bucket = analysed.get(crash.log)!.reports[0]!.bucket!;
      await patchBucket(quiet.db, bucket, { status: crash.triage.status, ...(crash.triage.fixedIn && { fixedIn: crash.triage.fixedIn }), note: crash.triage.note, author: 'demo-admin' }, now - crash.triage.hoursAgo * HOUR);
    }
    const source = analysed.get(o.crash.log)!;
    const boot = `demo-${digest(`${o.host}\0${Math.floor(o.at / 86_400_000)}`)}`;
    const ids = new Map<string, CrashReport>();
    for (const r of source.reports) ids.set(r.id, asFrom(r, o.host, o.at, boot));
    const incidents = source.incidents.map((i) => ({ ...i, id: `i${digest(`${ids.get(i.firstCause)?.id}`)}`, reportIds: i.reportIds.map((id) => ids.get(id)?.id ?? id), firstCause: ids.get(i.firstCause)?.id ?? i.firstCause, host: o.host, boot }));
    const r = await quiet.ingestBatch({ host: o.host, release: releaseOf(o.host, o.at), boot, reports: [...ids.values()], incidents }, new Date(o.at + 2000).toISOString());
    reports += r.accepted;
  }
  const events: HostEvent[] = DEMO_UNEXPECTED_REBOOTS.map((e) => ({
    id: `demo-reboot-${e.host}-${e.hoursAgo}`,
    host: e.host,
    type: 'unexpected-reboot',
    time: new Date(now - e.hoursAgo * HOUR).toISOString(),
    release: releaseOf(e.host, now - e.hoursAgo * HOUR),
    severity: 'warning',
    summary: 'the previous boot ended without a clean shutdown and left no crash report',
  }));
  const full = await analyzeText(fixture(DEMO_PRECURSORS.log), { source: DEMO_PRECURSORS.log });
  full.precursors.forEach((p, i) => {
    const at = now - DEMO_PRECURSORS.hoursAgo * HOUR + i * 1000;
    events.push({ id: `demo-precursor-${DEMO_PRECURSORS.host}-${i}`, host: DEMO_PRECURSORS.host, type: 'precursor', time: new Date(at).toISOString(), severity: 'warning', summary: `${p.kind}: ${p.text}`, release: releaseOf(DEMO_PRECURSORS.host, at) });
  });
  const e = await quiet.ingestEvents(events, new Date(now).toISOString());
  return { reports, events: e.accepted };
}
