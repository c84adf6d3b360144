import type { CrashReport, ReportKind } from './crash-report.js';

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
  private readonly seen = new Map<string, CrashReport[]>();
  /** Unexpected reboots kept, by host and text: a copy is known before it is decoded. */
  private readonly reboots = new Set<string>();

  /**
   * True for an unexpected reboot whose lines repeat one already kept, which isNew would drop
   * once decoded: a console of many boots holds thousands, and decoding each cost most of the
   * time spent on such a log.
   */
  isKnownReboot(kind: ReportKind, host: string | undefined, lines: readonly { text: string }[]): boolean {
    return kind === 'unexpected-reboot' && this.reboots.has(rebootKey(host, lines));
  }

  isNew(report: CrashReport): boolean {
    const key = contentKey(report);
    const same = this.seen.get(key);
    if (same?.some((earlier) => isCopy(earlier, report))) return false;
    if (same) same.push(report);
    else this.seen.set(key, [report]);
    if (report.kind === 'unexpected-reboot') this.reboots.add(rebootKey(report.host, report.lines));
    return true;
  }
}

function rebootKey(host: string | undefined, lines: readonly { text: string }[]): string {
  return `${host ?? ''}\u0001${lines.map((l) => l.text).join('\n')}`;
}

function isCopy(a: CrashReport, b: CrashReport): boolean {
  // Every boot banner is stamped 0.000000: reboots are told apart by the lines before them.
  if (a.kind === 'unexpected-reboot') return sameLines(a, b);
  if (a.ts !== undefined && b.ts !== undefined) return Math.abs(a.ts - b.ts) < 1e-6;
  if (a.ts !== undefined || b.ts !== undefined) return true;
  // Neither has a timestamp: only the whole text tells a repeat from a copy.
  return sameLines(a, b);
}

function sameLines(a: CrashReport, b: CrashReport): boolean {
  return a.lines.length === b.lines.length && a.lines.every((l, i) => l.text === b.lines[i]?.text);
}

function contentKey(report: CrashReport): string {
  const frames = (report.stacks[0]?.frames ?? []).slice(0, 4).map((f) => `${f.function}+${f.offset ?? ''}`);
  return [report.host ?? '', report.kind, report.header.trim(), report.pid ?? '', frames.join(',')].join('\u0001');
}
