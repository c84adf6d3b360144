import type { Collector } from '../collector.js';
import { analyzeUpload } from './analyze-upload.js';

/** Lines one host's stream may hold before they are analysed whatever the quiet. */
const MAX_PENDING_LINES = 20_000;

interface HostStream {
  lines: string[];
  lastLineAt: number;
  release?: string;
  /** Called before analysis, to let the source finish what it holds (netconsole reordering). */
  drain?: () => void;
}

/**
 * Live detection for streams (netconsole, syslog): one stream per sending host; a host's lines
 * are analysed once it has been quiet for `quietSeconds` (or its buffer is full), and the
 * reports stored at once, so a host that died mid-panic still leaves what it sent. Report ids
 * come from the report text, so a report analysed twice is stored once.
 */
export class LiveStreams {
  private readonly streams = new Map<string, HostStream>();
  private readonly timer: NodeJS.Timeout;
  private working: Promise<void> = Promise.resolve();

  constructor(
    private readonly collector: Collector,
    private readonly channel: string,
    private readonly quietSeconds: number,
  ) {
    this.timer = setInterval(() => this.sweep(Date.now()), Math.min(1000, quietSeconds * 250));
    this.timer.unref();
  }

  /** Registers a host stream's drain hook (called before its lines are analysed). */
  onDrain(host: string, drain: () => void): void {
    this.stream(host).drain = drain;
  }

  private stream(host: string): HostStream {
    let s = this.streams.get(host);
    if (!s) {
      s = { lines: [], lastLineAt: Date.now() };
      this.streams.set(host, s);
    }
    return s;
  }

  line(host: string, text: string, release?: string): void {
    const s = this.stream(host);
    s.lines.push(text);
    s.lastLineAt = Date.now();
    if (release) s.release = release;
    if (s.lines.length >= MAX_PENDING_LINES) this.analyse(host, s);
  }

  /** Streams quiet for long enough are analysed. */
  sweep(now: number): void {
    for (const [host, s] of this.streams) {
      if (now - s.lastLineAt < this.quietSeconds * 1000) continue;
      s.drain?.();
      if (s.lines.length > 0) this.analyse(host, s);
      else if (now - s.lastLineAt > 3_600_000) this.streams.delete(host);
    }
  }

  private analyse(host: string, s: HostStream): void {
    const lines = s.lines;
    s.lines = [];
    const release = s.release;
    this.working = this.working
      .then(async () => {
        const { reports, incidents } = await analyzeUpload(Buffer.from(`${lines.join('\n')}\n`), `${this.channel}:${host}`);
        if (reports.length === 0) return;
        await this.collector.ingestBatch({ host, reports, incidents, ...(release ? { release } : {}) });
      })
      .catch(() => undefined);
  }

  /** Analyses everything pending (shutdown, tests). */
  async flushAll(): Promise<void> {
    this.sweep(Number.POSITIVE_INFINITY);
    await this.working;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flushAll();
  }
}
