import { spawn, type ChildProcess } from 'node:child_process';
import type { LogLine } from '../logs/log-line.js';
import { JournalExportFormat } from '../logs/formats/journal-export-format.js';
import { newStats, type LineSource, type SourceCursor, type SourceStats } from './source.js';

export interface JournalSourceOptions {
  /** The journalctl binary (tests give a script printing a real export stream). */
  journalctl?: string;
  /** `start`: this boot's kernel messages from its beginning; `now`: only new ones. */
  from: 'start' | 'now';
  /** Resume after this wall-clock time (µs since the epoch) from a previous run. */
  afterRealtimeUs?: number;
  /** Read the journal files of this directory (`journalctl --directory`), e.g. a node's from a container. */
  directory?: string;
  /** Wait before starting journalctl again when it exits. */
  restartMs?: number;
}

/**
 * `journalctl -k -f -o export` as a child, its stream parsed by the export-format reader
 * `analyze` uses (binary fields, oversized values bounded). Restarted if it exits, from the
 * last entry read.
 */
export class JournalSource implements LineSource {
  readonly name = 'journal';
  readonly stats: SourceStats = newStats();
  private child: ChildProcess | undefined;
  private stopped = false;
  private lastRealtimeUs: number | undefined;
  private emit: ((lines: LogLine[], cursor: SourceCursor) => void) | undefined;
  restarts = 0;
  private format = new JournalExportFormat('journal');

  constructor(private readonly opts: JournalSourceOptions) {
    this.lastRealtimeUs = opts.afterRealtimeUs;
  }

  start(emit: (lines: LogLine[], cursor: SourceCursor) => void): void {
    this.emit = emit;
    this.spawnChild();
  }

  stop(): void {
    this.stopped = true;
    this.child?.kill();
  }

  private spawnChild(): void {
    const args = ['-k', '-f', '-o', 'export', '--no-pager', '-q'];
    if (this.opts.directory !== undefined) args.push('--directory', this.opts.directory);
    if (this.lastRealtimeUs !== undefined) args.push('--since', `@${Math.floor(this.lastRealtimeUs / 1e6)}`);
    else if (this.opts.from === 'now') args.push('-n', '0');
    else args.push('-b', '0', '-n', 'all');
    const child = spawn(this.opts.journalctl ?? 'journalctl', args, { stdio: ['ignore', 'pipe', 'ignore'] });
    this.child = child;
    this.format = new JournalExportFormat('journal');
    child.stdout?.on('data', (chunk: Buffer) => this.feed(chunk));
    child.on('error', () => undefined);
    child.on('close', () => {
      if (this.stopped) return;
      this.restarts++;
      setTimeout(() => this.spawnChild(), this.opts.restartMs ?? 5000).unref();
    });
  }

  /** Bytes of journalctl's export stream (binary fields and huge values bounded by the reader). */
  feed(chunk: Buffer): void {
    const out: LogLine[] = [];
    try {
      this.format.push(chunk, out);
    } catch {
      // An entry the reader cannot take (the fuzzer found a garbled timestamp): this chunk is
      // dropped and counted, and a fresh reader goes on with the next one.
      this.stats.malformed++;
      this.format = new JournalExportFormat('journal');
      return;
    }
    this.take(out);
  }

  /** Where lines go when fed directly (tests, the fuzzer). */
  listen(emit: (lines: LogLine[], cursor: SourceCursor) => void): void {
    this.emit = emit;
  }

  private take(lines: LogLine[]): void {
    const fresh: LogLine[] = [];
    for (const line of lines) {
      const us = line.wallTime === undefined ? undefined : Date.parse(line.wallTime) * 1000;
      if (us !== undefined && this.lastRealtimeUs !== undefined && us < this.lastRealtimeUs) continue;
      if (us !== undefined) {
        this.lastRealtimeUs = us;
        this.stats.lagSeconds = Math.max(0, (Date.now() * 1000 - us) / 1e6);
      }
      fresh.push(line);
    }
    this.stats.lines += fresh.length;
    if (fresh.length > 0) this.emit?.(fresh, { realtimeUs: this.lastRealtimeUs ?? 0 });
  }
}
