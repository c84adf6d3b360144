import type { LogLine } from '../../logs/log-line.js';
import { createAnalyzer, lineReader, type Analyzer } from '../../pipeline/index.js';
import type { CrashReport, Incident } from '../../reports/crash-report.js';
import type { Collector } from '../collector.js';
import { analyzerRules } from './analyze-upload.js';

/** A host silent this long is forgotten (its analyzer finished); it starts afresh when it speaks. */
const FORGET_AFTER_MS = 3_600_000;

interface HostStream {
  analyzer: Analyzer;
  parse: (raw: string) => LogLine[];
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
  private working: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly collector: Collector,
    private readonly channel: string,
    private readonly quietSeconds: number,
    private readonly rules: Awaited<ReturnType<typeof analyzerRules>>,
  ) {
    this.timer = setInterval(() => this.sweep(Date.now()), Math.max(50, Math.min(1000, quietSeconds * 250)));
    this.timer.unref();
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
      analyzer.beginInput(`${this.channel}:${host}`, 'console');
      s = { analyzer, parse: lineReader('console', `${this.channel}:${host}`), lastLineAt: Date.now() };
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
    for (const line of s.parse(text)) s.analyzer.push({ ...line, host });
  }

  private store(host: string, incident: Incident, reports: readonly CrashReport[]): void {
    const release = this.streams.get(host)?.release;
    const batch = { host, reports: [...reports], incidents: [incident], ...(release ? { release } : {}) };
    this.working = this.working.then(() => this.collector.ingestBatch(batch)).catch(() => undefined);
  }

  /** Drains sources quiet for half the period, completes what is quiet for all of it. */
  sweep(now: number): void {
    for (const [host, s] of this.streams) {
      if (now - s.lastLineAt >= (this.quietSeconds * 1000) / 2) s.drain?.();
      s.analyzer.flush(now);
      if (now - s.lastLineAt > FORGET_AFTER_MS) {
        this.streams.delete(host);
        void s.analyzer.finish();
      }
    }
  }

  /** Completes everything open now (shutdown, tests) and waits until it is stored. */
  async flushAll(): Promise<void> {
    for (const [, s] of this.streams) {
      s.drain?.();
      await s.analyzer.finish();
    }
    this.streams.clear();
    await this.working;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flushAll();
  }
}
