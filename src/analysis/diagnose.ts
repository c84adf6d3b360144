import { createHash } from 'node:crypto';
import type { CrashReport, Incident } from '../reports/crash-report.js';
import { culpritByRecipe, findCulprit } from './culprit.js';
import { titleOf, titleShape } from './title.js';

/**
 * The analysis stage for one report: the culprit, a syzbot-style title, and a bucket signature.
 * Pure: a function of the decoded report only.
 */
export function diagnose(report: CrashReport, panicAfter?: CrashReport): CrashReport {
  // Older kernels panic (panic_on_warn, oops=panic) before a WARNING or oops prints its trace:
  // the panic's trace, printed right after, is then the report's own.
  const shape = titleShape(report);
  const culprit =
    'whole' in shape
      ? findCulprit(report)
      : (culpritByRecipe(report, shape.family) ?? (panicAfter ? culpritByRecipe(report, shape.family, panicAfter.lines.map((l) => l.text)) : undefined));
  const title = titleOf(report, culprit);
  const diagnosed: CrashReport = { ...report, title, bucket: bucketOf(title) };
  if (culprit) diagnosed.culprit = culprit;
  return diagnosed;
}

/** Diagnoses every report; a report whose incident continues with a panic may borrow its trace. */
export function diagnoseAll(reports: readonly CrashReport[], incidents: readonly Incident[]): CrashReport[] {
  const panicAfter = new Map<string, CrashReport>();
  const byId = new Map(reports.map((r) => [r.id, r]));
  for (const incident of incidents) {
    for (let i = 0; i + 1 < incident.reportIds.length; i++) {
      const next = byId.get(incident.reportIds[i + 1] ?? '');
      if (next?.kind === 'panic') panicAfter.set(incident.reportIds[i] ?? '', next);
    }
  }
  return reports.map((r) => diagnose(r, panicAfter.get(r.id)));
}

/**
 * Equal crashes on any host, boot or KASLR slide get the same bucket: the title holds no
 * address, PID or timestamp (they are normalised away), so the bucket is a digest of it.
 */
export function bucketOf(title: string): string {
  return createHash('sha256').update(title).digest('hex').slice(0, 16);
}
