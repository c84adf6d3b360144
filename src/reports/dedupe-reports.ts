import type { CrashReport } from './crash-report.js';

/**
 * Drops reports captured twice: a console capture and the journal of the same boot given
 * together, a vmcore's log beside the console, one file pasted into another. Two copies agree on
 * host, kind, header, task and first frames, and on the kernel timestamp when both carry one; a
 * WARNING that really fired twice differs in timestamp or task. A copy without a kernel
 * timestamp (journal `short`, syslog) matches any copy with the same content.
 *
 * One report at a time, as they close: copies are dropped as they come, so they never pile up.
 */
export class ReportDeduper {
  /**
   * What telling a copy needs of each report kept, not the report, by content; the most recently
   * seen contents last. Bounded: a copy comes soon after its original (the same crash read from a
   * second input or twice in one stream), and an agent runs for months.
   */
  private readonly seen = new Map<string, KeptReport[]>();
  constructor(private readonly maxContents = MAX_REMEMBERED_CONTENTS) {}

  isNew(report: CrashReport): boolean {
    const key = contentKey(report);
    const same = this.seen.get(key);
    const kept = keptOf(report);
    if (same?.some((earlier) => isCopy(earlier, kept))) return false;
    if (same) {
      if (same.length >= MAX_KEPT_PER_CONTENT) same.shift();
      same.push(kept);
      this.seen.delete(key);
      this.seen.set(key, same);
    } else {
      if (this.seen.size >= this.maxContents) this.seen.delete(this.seen.keys().next().value as string);
      this.seen.set(key, [kept]);
    }
    return true;
  }
}

/** Distinct report contents remembered for telling copies (least recently seen forgotten first). */
export const MAX_REMEMBERED_CONTENTS = 20_000;
/** Repeats of one content remembered (a WARNING that fires every minute for months). */
const MAX_KEPT_PER_CONTENT = 64;

/** A kept report as isCopy reads it: the whole text only where the timestamp cannot tell. */
interface KeptReport {
  kind: CrashReport['kind'];
  ts: number | undefined;
  text: string | undefined;
}

function keptOf(report: CrashReport): KeptReport {
  const needsText = report.kind === 'unexpected-reboot' || report.ts === undefined;
  return { kind: report.kind, ts: report.ts, text: needsText ? report.lines.map((l) => l.text).join('\n') : undefined };
}

/**
 * What tells one unexpected reboot from another: its host and its lines (the last ones of the
 * boot before). The extractor hands on one reboot per key (a repeat would be dropped here as a
 * copy once decoded).
 */
export function rebootKey(host: string | undefined, lines: readonly { text: string }[]): string {
  return `${host ?? ''}\u0001${lines.map((l) => l.text).join('\n')}`;
}

function isCopy(a: KeptReport, b: KeptReport): boolean {
  // Every boot banner is stamped 0.000000: reboots are told apart by the lines before them.
  if (a.kind === 'unexpected-reboot') return a.text === b.text;
  if (a.ts !== undefined && b.ts !== undefined) return Math.abs(a.ts - b.ts) < 1e-6;
  if (a.ts !== undefined || b.ts !== undefined) return true;
  // Neither has a timestamp: only the whole text tells a repeat from a copy.
  return a.text === b.text;
}

function contentKey(report: CrashReport): string {
  const frames = (report.stacks[0]?.frames ?? []).slice(0, 4).map((f) => `${f.function}+${f.offset ?? ''}`);
  return [report.host ?? '', report.kind, report.header.trim(), report.pid ?? '', frames.join(',')].join('\u0001');
}
