import { logWindows } from '../../logs/log-stream.js';
import { createAnalyzer, stableIncidentId, stableReportId, type Analyzer } from '../../pipeline/index.js';
import type { CrashReport, Incident } from '../../reports/crash-report.js';
import type { Collector } from '../collector.js';
import { analyzerRules } from './analyze-upload.js';

/** A host silent this long is forgotten (its analyzer finished); it starts afresh when it speaks. */
const FORGET_AFTER_MS = 3_600_000;
/** Lines are handed to the analyzer in blocks, every BATCH_MS or BATCH_LINES: its byte scan passes over blocks without a report. */
const BATCH_MS = 20;
const BATCH_LINES = 4096;

interface HostStream {
  analyzer: Analyzer;
  source: string;
  pending: string[];
  /** The analyzer's work for this host, in order. */
  chain: Promise<void>;
  lastLineAt: number;
  release?: string;
  /** Lets the source finish what it holds (netconsole reordering) before the quiet period ends. */
  drain?: () => void;
}

/**
 * Live detection for streams (netconsole, syslog): one pipeline analyzer per sending host on the
 * wall clock, so a report is complete, stored and visible once its host has been quiet for
 * `quietSeconds`, while the stream stays open, and a host that died mid-panic still leaves what
 * it sent. Reports are stored per closed incident (with its cause and playbook).
 */
export class LiveStreams {
  private readonly streams = new Map<string, HostStream>();
  private readonly timer: NodeJS.Timeout;
  private readonly batchTimer: NodeJS.Timeout;
  private working: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly collector: Collector,
    private readonly channel: string,
    private readonly quietSeconds: number,
    private readonly rules: Awaited<ReturnType<typeof analyzerRules>>,
  ) {
    this.timer = setInterval(() => this.sweep(Date.now()), Math.max(50, Math.min(1000, quietSeconds * 250)));
    this.timer.unref();
    this.batchTimer = setInterval(() => {
      for (const st of this.streams.values()) this.hand(st);
    }, BATCH_MS);
    this.batchTimer.unref();
  }

  static async start(collector: Collector, channel: string, quietSeconds: number): Promise<LiveStreams> {
    return new LiveStreams(collector, channel, quietSeconds, await analyzerRules());
  }

  private stream(host: string): HostStream {
    let s = this.streams.get(host);
    if (!s) {
      const analyzer = createAnalyzer({
        rules: this.rules,
        clock: 'wall',
        quietSeconds: this.quietSeconds,
        onIncident: (incident, reports) => this.store(host, incident, reports),
      });
      const source = `${this.channel}:${host}`;
      analyzer.beginInput(source, 'console');
      s = { analyzer, source, pending: [], chain: Promise.resolve(), lastLineAt: Date.now() };
      this.streams.set(host, s);
    }
    return s;
  }

  /** Registers a host stream's drain hook. */
  onDrain(host: string, drain: () => void): void {
    this.stream(host).drain = drain;
  }

  /** One console line (`[ ts] text` or bare text) of a host's stream. */
  line(host: string, text: string, release?: string): void {
    const s = this.stream(host);
    s.lastLineAt = Date.now();
    if (release) s.release = release;
    s.pending.push(text.includes('\n') ? text.replaceAll('\n', ' ') : text);
    if (s.pending.length >= BATCH_LINES) this.hand(s);
  }

  /** The lines waiting, as one block through the analyzer's window path. */
  private hand(s: HostStream): void {
    if (s.pending.length === 0) return;
    const bytes = Buffer.from(`${s.pending.join('\n')}\n`);
    s.pending = [];
    s.chain = s.chain
      .then(async () => {
        async function* once(): AsyncGenerator<Buffer> {
          yield bytes;
        }
        for await (const window of logWindows(s.source, 'console', once(), { lines: 0 }, {})) s.analyzer.pushWindow(window, s.source);
      })
      .catch(() => undefined);
  }

  private store(host: string, incident: Incident, reports: readonly CrashReport[]): void {
    const release = this.streams.get(host)?.release;
    // Blocks carry no host: the host goes in now, and with it into the stable ids.
    const ids = new Map<string, string>();
    const own = reports.map((r) => {
      const withHost = { ...r, host };
      const id = stableReportId(withHost);
      ids.set(r.id, id);
      return { ...withHost, id };
    });
    const firstCause = ids.get(incident.firstCause) ?? incident.firstCause;
    const ownIncident: Incident = { ...incident, host, firstCause, id: stableIncidentId(firstCause), reportIds: incident.reportIds.map((id) => ids.get(id) ?? id) };
    const batch = { host, reports: own, incidents: [ownIncident], ...(release ? { release } : {}) };
    this.working = this.working.then(() => this.collector.ingestBatch(batch)).catch(() => undefined);
  }

  /** Drains sources quiet for half the period, completes what is quiet for all of it. */
  sweep(now: number): void {
    for (const [host, s] of this.streams) {
      if (now - s.lastLineAt >= (this.quietSeconds * 1000) / 2) s.drain?.();
      this.hand(s);
      s.chain = s.chain.then(() => s.analyzer.flush(Math.min(now, Date.now())));
      if (now - s.lastLineAt > FORGET_AFTER_MS) {
        this.streams.delete(host);
        s.chain = s.chain.then(async () => void (await s.analyzer.finish()));
      }
    }
  }

  /** Completes everything open now (shutdown, tests) and waits until it is stored. */
  async flushAll(): Promise<void> {
    for (const [, s] of this.streams) {
      s.drain?.();
      this.hand(s);
      await s.chain;
      await s.analyzer.finish();
    }
    this.streams.clear();
    await this.working;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.batchTimer);
    await this.flushAll();
  }
}
