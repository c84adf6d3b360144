import type { LogLine } from '../logs/log-line.js';

/** What every live source counts: the agent's metrics read these. */
export interface SourceStats {
  lines: number;
  /** Records the kernel overwrote before they were read (kmsg EPIPE / sequence gaps). */
  lost: number;
  /** Records that do not follow the format: refused, counted. */
  malformed: number;
  /** Lines longer than the cap: head kept, rest dropped. */
  oversized: number;
  /** Seconds between a line's own time and its reading (when the format has a time). */
  lagSeconds: number;
}

/** Where a source has read up to, kept in the state directory to resume after a restart. */
export type SourceCursor = Record<string, string | number>;

export interface LineSource {
  readonly name: string;
  readonly stats: SourceStats;
  /** Starts reading; `emit` gets each batch of lines with the cursor just after them. */
  start(emit: (lines: LogLine[], cursor: SourceCursor) => void): void;
  stop(): void;
}

export function newStats(): SourceStats {
  return { lines: 0, lost: 0, malformed: 0, oversized: 0, lagSeconds: 0 };
}
