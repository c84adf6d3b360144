import type { CrashReport } from './crash-report.js';

/**
 * Drops reports captured twice (a console capture and the journal pasted into one file, or
 * two inputs of the same boot). Two copies agree on header, kernel timestamp, task and the
 * first frames; a WARNING that really fired twice differs in timestamp or task.
 */
export function dedupeReports(reports: readonly CrashReport[]): CrashReport[] {
  const seen = new Set<string>();
  const kept: CrashReport[] = [];
  for (const report of reports) {
    const key = identity(report);
    if (seen.has(key)) continue;
    seen.add(key);
    kept.push(report);
  }
  return kept;
}

function identity(report: CrashReport): string {
  const frames = (report.stacks[0]?.frames ?? []).slice(0, 4).map((f) => `${f.function}+${f.offset ?? ''}`);
  // Without kernel timestamps a repeat cannot be told from a copy by time; the whole body decides.
  const body = report.ts === undefined ? report.lines.map((l) => l.text).join('\n') : '';
  return [report.host ?? '', report.kind, report.header.trim(), report.pid ?? '', report.ts?.toFixed(6) ?? '', frames.join(','), body].join('\u0001');
}
