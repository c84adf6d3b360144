import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { LogLine } from '../logs/log-line.js';
import { loadRules } from '../pipeline/index.js';
import type { CrashReport, Incident } from '../reports/crash-report.js';
import { agentMetrics, hostMetricName } from './agent-metrics.js';
import { AlertSender, type WatchAlert } from './alerts.js';
import { FileSource } from './file-source.js';
import { JournalSource } from './journal-source.js';
import { KmsgSource, type RecordDevice } from './kmsg-source.js';
import { LineRuleMatcher, loadLineRules, type RuleHit } from './line-rules.js';
import { LiveAnalyzer } from './live-analyzer.js';
import { serveMetrics } from './metrics.js';
import { checkPreviousBoot, type BootMemory, type PreviousBootResult, type WatchEvent } from './previous-boot.js';
import { stableEventId } from './report-id.js';
import { loadResourceRules, ResourceWatch, type ResourceBreach } from './resource-rules.js';
import { ResourceSampler } from './samplers.js';
import type { WatchSeverity } from './severity.js';
import type { LineSource, SourceCursor } from './source.js';
import { Spool } from './spool.js';
import { StateDir } from './state-dir.js';
import { StormGate } from './storm-gate.js';
import { Uploader } from './uploader.js';

export interface WatchOptions {
  host?: string;
  stateDir: string;
  /** Roots of /proc and /sys (tests point them at fake trees). */
  proc: string;
  sys: string;
  /** /dev/kmsg (or a FIFO); undefined: not read. */
  kmsg?: string;
  /** `start`: the whole buffer at first start; `now`: from the agent's start. A restart resumes either way. */
  from: 'start' | 'now';
  journal: boolean;
  journalctl: string;
  /** The journal's directory when it is not this system's (a node's journal mounted in a container). */
  journalDirectory?: string;
  files: string[];
  ruleFiles: string[];
  /** More known-issue rules for the analysis (docs/known-issues.md). */
  knownIssueFiles: string[];
  resourceRuleFiles: string[];
  collector?: { url: string; token?: string };
  alertmanager?: string;
  webhook?: string;
  metricsListen?: string;
  /** The checks at start alone (previous boot, pstore, dumps), then upload and exit. */
  once: boolean;
  pstoreDirs: string[];
  systemdPstoreDir?: string;
  crashDirs: string[];
  uploadDumps: boolean;
  sampleSeconds: number;
  quietSeconds: number;
  spoolMax: number;
  alertWindowSeconds: number;
  /** Ask the previous boot's journal (journalctl) at start. */
  journalAtStart: boolean;
  /** Tests wrap the kmsg device (EPIPE). */
  openKmsg?: (path: string) => RecordDevice;
}

/** What a running agent gives its caller: how to stop it, and where its metrics are. */
export interface RunningAgent {
  metricsPort?: number;
  /** What the checks at start found. */
  previous: PreviousBootResult;
  stop(): Promise<void>;
  /** Resolves when the spool is empty (tests, --once). */
  drained(timeoutMs: number): Promise<boolean>;
}

/** Enough for a whole panic report with its trace. */
const LAST_LINES = 200;

/**
 * The host agent, wired in one place: sources → rules and the analysis → spool → collector,
 * alerts and metrics. The start checks run first; then the live sources.
 */
export async function startAgent(opts: WatchOptions): Promise<RunningAgent> {
  const lineRules = await loadLineRules(opts.ruleFiles);
  const analyzerRules = await loadRules({ knownIssueFiles: opts.knownIssueFiles });
  const resourceRules = await loadResourceRules(opts.resourceRuleFiles);
  const state = new StateDir(opts.stateDir);
  const host = opts.host ?? hostname();
  const bootId = readTrim(join(opts.proc, 'sys/kernel/random/boot_id')) ?? 'unknown';
  const release = readTrim(join(opts.proc, 'sys/kernel/osrelease'));
  const metrics = agentMetrics();
  const spool = new Spool(state, opts.spoolMax);
  const uploader = opts.collector ? new Uploader(spool, { url: opts.collector.url, token: opts.collector.token }) : undefined;
  const alertSender = opts.alertmanager ? new AlertSender({ kind: 'alertmanager', url: opts.alertmanager }) : opts.webhook ? new AlertSender({ kind: 'webhook', url: opts.webhook }) : undefined;
  const reportUrl = (id: string) => (opts.collector ? new URL(`/api/v1/reports/${id}`, opts.collector.url).toString() : `report ${id}`);
  metrics.onScrape(() => {
    metrics.set('ktriage_watch_spool_depth', {}, spool.depth);
    metrics.set('ktriage_watch_spool_dropped_total', {}, spool.dropped);
    if (uploader) {
      metrics.set('ktriage_watch_uploads_total', { result: 'ok' }, uploader.stats.sent);
      metrics.set('ktriage_watch_uploads_total', { result: 'failed' }, uploader.stats.failures);
      metrics.set('ktriage_watch_uploads_total', { result: 'rejected' }, uploader.rejected);
    }
    if (alertSender) {
      metrics.set('ktriage_watch_alerts_total', { result: 'sent' }, alertSender.sent);
      metrics.set('ktriage_watch_alerts_total', { result: 'failed' }, alertSender.failed);
    }
  });

  /**
   * What is found within one tick goes to the spool as one item per endpoint and boot (one
   * fsync, not one per report); read positions are saved only after it is written.
   */
  const pendingReports = new Map<string, { reports: CrashReport[]; incidents: Incident[] }>();
  const pendingEvents: WatchEvent[] = [];
  const spoolReports = (reports: readonly CrashReport[], incidents: readonly Incident[], boot: string | undefined): void => {
    if (reports.length === 0) return;
    const key = boot ?? '';
    let batch = pendingReports.get(key);
    if (!batch) pendingReports.set(key, (batch = { reports: [], incidents: [] }));
    batch.reports.push(...reports);
    batch.incidents.push(...incidents);
  };
  const spoolEvent = (event: WatchEvent): void => void pendingEvents.push(release ? { release, ...event } : event);
  const flushSpool = (): void => {
    for (const [boot, { reports, incidents }] of pendingReports) {
      spool.put({ endpoint: '/api/v1/reports', body: { host, ...(release && { release }), ...(boot && { boot }), reports, ...(incidents.length > 0 && { incidents }) } });
    }
    pendingReports.clear();
    if (pendingEvents.length > 0) spool.put({ endpoint: '/api/v1/events', body: { host, events: pendingEvents.splice(0) } });
    uploader?.kick();
  };

  const alertGate = new StormGate<WatchAlert>(opts.alertWindowSeconds * 1000, (_key, alert, count, first) => {
    alertSender?.send({ ...alert, count, summary: first ? alert.summary : `${alert.summary} (${count} times)` });
  });
  const alert = (a: Omit<WatchAlert, 'count' | 'startsAt' | 'host'>): void => {
    alertGate.hit(`${a.name}\u0000${a.device ?? ''}`, { ...a, host, count: 1, startsAt: new Date().toISOString() });
  };
  /** Precursor events reach the collector through the same gate: a storm is one event, then one with the count. */
  const eventGate = new StormGate<RuleHit>(opts.alertWindowSeconds * 1000, (_key, hit, count, first) => {
    const line = hit.line;
    spoolEvent({
      id: stableEventId('precursor', host, bootId, hit.rule.name, line.seq ?? line.ts ?? line.wallTime, line.text, first ? 1 : count),
      type: 'precursor',
      time: line.wallTime ?? new Date().toISOString(),
      boot: bootId,
      severity: hit.rule.severity,
      summary: first ? `${hit.rule.name}: ${line.text.slice(0, 300)}` : `${hit.rule.name}: ${count} times, the last: ${line.text.slice(0, 300)}`,
      data: { rule: hit.rule.name, count, ...(line.ts !== undefined && { ts: line.ts }), ...(line.seq !== undefined && { seq: line.seq }) },
    });
  });

  // ── the previous boot ──────────────────────────────────────────────────────────────────────
  const previous = await checkPreviousBoot({
    host,
    bootId,
    state,
    pstoreDirs: opts.pstoreDirs,
    ...(opts.systemdPstoreDir && { systemdPstoreDir: opts.systemdPstoreDir }),
    crashDirs: opts.crashDirs,
    ...(opts.journalAtStart && { journalctl: opts.journalctl }),
    uploadDumps: opts.uploadDumps,
    rules: analyzerRules,
  });
  metrics.inc('ktriage_watch_files_refused_total', {}, previous.refused.length);
  spoolReports(previous.reports, previous.incidents, previous.previousBoot);
  for (const r of previous.reports) countReport(r);
  if (previous.event) {
    metrics.inc('ktriage_watch_unexpected_reboots_total');
    spoolEvent(previous.event);
    alert({ name: 'unexpected-reboot', severity: 'critical', summary: previous.event.summary, ...(previous.reports[0] && { report: reportUrl(previous.reports[0].id) }) });
  }
  flushSpool();
  const memory = state.readJson<BootMemory | undefined>('boot.json', undefined);
  /** The last lines read, kept as read and written out as text only with boot.json (every few seconds). */
  const keptLines: string[] = memory?.bootId === bootId ? memory.lastLines : [];
  const recentLines: LogLine[] = [];
  const lastLines = (): string[] => {
    keptLines.push(...recentLines.splice(0).map((l) => (l.ts === undefined ? l.text : `[${l.ts.toFixed(6).padStart(12)}] ${l.text}`)));
    keptLines.splice(0, Math.max(0, keptLines.length - LAST_LINES));
    return keptLines;
  };
  state.writeJson('boot.json', { bootId, stoppedCleanly: false, lastLines: lastLines() } satisfies BootMemory);
  // Dumps and pstore records are handled once: the state above already says so.

  function countReport(r: CrashReport): void {
    metrics.inc('ktriage_watch_reports_total', { kind: r.kind, severity: r.severity });
    metrics.set('ktriage_watch_last_report_timestamp_seconds', {}, Date.now() / 1000);
  }

  let metricsServer: Server | undefined;
  let metricsPort: number | undefined;
  if (opts.metricsListen) ({ server: metricsServer, port: metricsPort } = await serveMetrics(metrics, opts.metricsListen));

  const drained = async (timeoutMs: number): Promise<boolean> => {
    const until = Date.now() + timeoutMs;
    while (spool.depth > 0 && Date.now() < until) {
      await uploader?.drain();
      if (spool.depth > 0) await new Promise((r) => setTimeout(r, 200));
    }
    return spool.depth === 0;
  };

  if (opts.once) {
    alertGate.flushAll();
    eventGate.flushAll();
    flushSpool();
    return {
      ...(metricsPort !== undefined && { metricsPort }),
      previous,
      drained,
      stop: async () => {
        uploader?.stop();
        metricsServer?.close();
        state.writeJson('boot.json', { bootId, stoppedCleanly: true, lastLines: lastLines() } satisfies BootMemory);
      },
    };
  }

  // ── live sources ───────────────────────────────────────────────────────────────────────────
  const matcher = new LineRuleMatcher(lineRules);
  const analyzer = new LiveAnalyzer({
    rules: analyzerRules,
    quietSeconds: opts.quietSeconds,
    onIncident: (incident, own) => spoolReports(own, [incident], incident.boot),
    onReport: (report) => {
      countReport(report);
      spoolReports([report], [], report.boot);
      const hit = matcher.match({ text: report.header, origin: { source: 'report', line: 0 } });
      if (hit?.rule.alert) alert({ name: hit.rule.name, severity: hit.rule.severity, summary: `${report.title} on ${host}`, report: reportUrl(report.id) });
    },
  });
  const cursors = state.readJson<Record<string, SourceCursor>>('cursors.json', {});
  const sameBoot = cursors['boot']?.['id'] === bootId;
  const heldCursors: Record<string, SourceCursor> = { ...cursors, boot: { id: bootId } };

  const sources: LineSource[] = [];
  const uptime = Number(readTrim(join(opts.proc, 'uptime'))?.split(' ')[0] ?? 0);
  const bootWallMs = Date.now() - uptime * 1000;
  if (opts.kmsg) {
    const resume = sameBoot ? cursors['kmsg']?.['seq'] : undefined;
    sources.push(
      new KmsgSource({
        path: opts.kmsg,
        from: typeof resume === 'number' ? resume : opts.from,
        nowUptime: uptime,
        bootWallMs,
        ...(opts.openKmsg && { open: opts.openKmsg }),
      }),
    );
  }
  if (opts.journal) {
    const after = sameBoot ? cursors['journal']?.['realtimeUs'] : undefined;
    sources.push(new JournalSource({ journalctl: opts.journalctl, from: opts.from, ...(opts.journalDirectory && { directory: opts.journalDirectory }), ...(typeof after === 'number' && { afterRealtimeUs: after }) }));
  }
  for (const path of opts.files) {
    const resume = cursors[`file:${path}`];
    sources.push(new FileSource({ path, fromStart: opts.from === 'start', ...(resume && { resume }) }));
  }

  const onLines = (source: LineSource, key: string) => (lines: LogLine[], cursor: SourceCursor) => {
    for (const line of lines) {
      line.host = line.host ?? host;
      if (source instanceof KmsgSource) line.boot = bootId;
      const hit = matcher.match(line);
      if (hit) {
        metrics.inc('ktriage_watch_events_total', { rule: hit.rule.name, severity: hit.rule.severity });
        eventGate.hit(hit.rule.name, hit);
        if (hit.rule.alert && hit.rule.matches !== 'report') alert({ name: hit.rule.name, severity: hit.rule.severity, summary: `${hit.rule.name} on ${host}: ${line.text.slice(0, 200)}` });
      }
      analyzer.push(line);
      recentLines.push(line);
    }
    if (recentLines.length > 2 * LAST_LINES) recentLines.splice(0, recentLines.length - LAST_LINES);
    heldCursors[key] = cursor;
  };
  metrics.onScrape(() => {
    for (const s of sources) {
      const name = s.name;
      metrics.set('ktriage_watch_source_lines_total', { source: name }, s.stats.lines);
      metrics.set('ktriage_watch_source_lag_seconds', { source: name }, s.stats.lagSeconds);
      metrics.set('ktriage_watch_records_lost_total', { source: name }, s.stats.lost);
      metrics.set('ktriage_watch_records_refused_total', { source: name, reason: 'malformed' }, s.stats.malformed);
      metrics.set('ktriage_watch_records_refused_total', { source: name, reason: 'oversized' }, s.stats.oversized);
    }
  });
  for (const source of sources) {
    const key = source instanceof KmsgSource ? 'kmsg' : source instanceof JournalSource ? 'journal' : source.name;
    if (source instanceof KmsgSource) analyzer.beginInput('kmsg', 'kmsg');
    source.start(onLines(source, key));
  }

  /** Read positions are saved only when every line before them is spooled: a kill re-reads, never skips. */
  let lastMemoryWrite = 0;
  const tick = async (): Promise<void> => {
    const before = JSON.stringify(heldCursors);
    analyzer.flush();
    flushSpool();
    if (analyzer.settled && before !== JSON.stringify(cursors)) {
      Object.assign(cursors, JSON.parse(before) as Record<string, SourceCursor>);
      state.writeJson('cursors.json', cursors);
    }
    if (Date.now() - lastMemoryWrite > 5000) {
      lastMemoryWrite = Date.now();
      state.writeJson('boot.json', { bootId, stoppedCleanly: false, lastLines: lastLines() } satisfies BootMemory);
    }
  };
  let ticking = false;
  const tickTimer = setInterval(() => {
    if (ticking) return;
    ticking = true;
    void tick().finally(() => (ticking = false));
  }, 500);

  // ── resources ──────────────────────────────────────────────────────────────────────────────
  const sampler = new ResourceSampler({ proc: opts.proc, sys: opts.sys });
  const resources = new ResourceWatch(resourceRules);
  const sample = (): void => {
    const samples = sampler.sample();
    for (const s of samples) {
      const name = hostMetricName(s.metric);
      if (!metrics.has(name)) metrics.gauge(name, `Host resource reading ${s.metric} (rules/watch-resources.yaml).`);
      metrics.set(name, s.labels, s.value);
    }
    for (const b of resources.check(samples)) onBreach(b);
  };
  const onBreach = (b: ResourceBreach): void => {
    metrics.inc('ktriage_watch_resource_breaches_total', { rule: b.rule.name, severity: b.rule.severity });
    const device = Object.values(b.sample.labels).join(' ') || undefined;
    spoolEvent({
      id: stableEventId('resource', host, bootId, b.rule.name, JSON.stringify(b.sample.labels), Math.floor(Date.now() / 1000)),
      type: 'resource',
      time: new Date().toISOString(),
      boot: bootId,
      severity: b.rule.severity,
      summary: b.summary,
      data: { rule: b.rule.name, metric: b.sample.metric, labels: b.sample.labels, value: b.sample.value },
    });
    alert({ name: b.rule.name, severity: b.rule.severity as WatchSeverity, summary: `${b.summary} on ${host}`, ...(device && { device }) });
  };
  sample();
  const sampleTimer = setInterval(sample, opts.sampleSeconds * 1000);

  return {
    ...(metricsPort !== undefined && { metricsPort }),
    previous,
    drained,
    stop: async () => {
      clearInterval(tickTimer);
      clearInterval(sampleTimer);
      for (const s of sources) s.stop();
      await analyzer.finish();
      alertGate.flushAll();
      eventGate.flushAll();
      flushSpool();
      Object.assign(cursors, heldCursors);
      state.writeJson('cursors.json', cursors);
      state.writeJson('boot.json', { bootId, stoppedCleanly: true, lastLines: lastLines() } satisfies BootMemory);
      await drained(3000);
      uploader?.stop();
      metricsServer?.close();
    },
  };
}

function readTrim(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}
