import type { CrashReport, Incident } from '../reports/crash-report.js';
import { culpritByRecipe, findCulprit, type Culprit, type RecipeCulprit } from './culprit.js';
import { kindsTagged } from '../reports/kinds.js';
import { sha256Hex } from './sha256.js';
import { titleOf, titleShape } from './title.js';

/**
 * The analysis stage for one report: the culprit, a syzbot-style title, and a bucket signature.
 * Pure: a function of the decoded report only.
 */
export function diagnose(report: CrashReport, continuation: readonly CrashReport[] = [], continued = true): CrashReport {
  const shape = titleShape(report);
  // Older kernels panic (panic_on_warn, oops=panic) before a WARNING or oops prints its trace,
  // and other messages cut into a trace: the reports printed into this one continue its text.
  const more = continuation.flatMap((r) => r.lines.map((l) => l.text));
  const found: RecipeCulprit | undefined = NOTHING_TO_BLAME.has(report.kind) ? undefined : 'whole' in shape ? findCulprit(report) : culpritByRecipe(report, shape.family, more);
  const onlyInHeader = found?.onlyInHeader === true;
  let blamed: Culprit | undefined;
  if (found) {
    const { onlyInHeader: _, ...culprit } = found;
    blamed = culprit;
  }
  const title = titleOf(report, onlyInHeader ? undefined : blamed);
  const diagnosed: CrashReport = { ...report, title, bucket: bucketOf(title) };
  if (blamed) diagnosed.culprit = blamed;
  const problem = 'family' in shape && (!blamed || onlyInHeader) ? 'no frame to blame' : orphanPanic(report, continued);
  if (problem) return { ...diagnosed, corrupted: true, corruptedReasons: [...report.corruptedReasons, problem] };
  return diagnosed;
}

/** Events no code frame caused: memory ran out, the hardware failed, the machine restarted. */
const NOTHING_TO_BLAME = kindsTagged('nothing-to-blame');

/**
 * Panics that only follow an oops, a WARNING or a hung task: seen first, that report was lost.
 * `continued` is false for a report that is the first of its incident.
 */
const FOLLOW_UP_PANICS = /^(?:Fatal exception|panic_on_warn set|hung_task: blocked tasks)/;

function orphanPanic(report: CrashReport, continued: boolean): string | undefined {
  const message = report.panic?.message ?? '';
  return report.kind === 'panic' && !continued && FOLLOW_UP_PANICS.test(message) ? 'the report this panic follows was lost' : undefined;
}

/**
 * Headers that start a new problem rather than continue the one being printed. Anything else a
 * report's text runs into (its panic, a netdev refcount wait, a trap line, a list-debug message
 * before its BUG) is still that report's text.
 */
const STARTS_NEW_REPORT = /BUG:|WARNING:|INFO:|Unable to handle kernel|general protection fault|stack segment: |kernel BUG|Kernel BUG|BUG kmalloc-|divide error:|UBSAN:|Booting the kernel|trusty: panic/;
const CONTINUES_REPORT = (header: string) => !STARTS_NEW_REPORT.test(header) || /Kernel panic - not syncing|unregister_netdevice: waiting for|invalid opcode: 0000|PANIC: double fault/.test(header);

/** Diagnoses every report of every incident (diagnoseIncidentReports). */
export function diagnoseAll(reports: readonly CrashReport[], incidents: readonly Incident[]): CrashReport[] {
  const byId = new Map(reports.map((r) => [r.id, r]));
  const diagnosed = new Map<string, CrashReport>();
  for (const incident of incidents) {
    const own = incident.reportIds.map((id) => byId.get(id)).filter((r): r is CrashReport => r !== undefined);
    for (const r of diagnoseIncidentReports(own)) diagnosed.set(r.id, r);
  }
  return reports.map((r) => diagnosed.get(r.id) ?? diagnose(r));
}

/**
 * Diagnoses the reports of one incident, in order; a report may read on into the reports
 * printed into it (CONTINUES_REPORT).
 */
export function diagnoseIncidentReports(reports: readonly CrashReport[]): CrashReport[] {
  return reports.map((report, i) => {
    const more: CrashReport[] = [];
    for (const next of reports.slice(i + 1)) {
      if (!CONTINUES_REPORT(next.header)) break;
      more.push(next);
    }
    return diagnose(report, more, i > 0);
  });
}

/**
 * Equal crashes on any host, boot or KASLR slide get the same bucket: the title holds no
 * address, PID or timestamp (they are normalised away), so the bucket is a digest of it.
 */
export function bucketOf(title: string): string {
  let bucket = knownBuckets.get(title);
  if (bucket === undefined) {
    bucket = sha256Hex(title).slice(0, 16);
    if (knownBuckets.size >= MAX_KNOWN_BUCKETS) knownBuckets.clear();
    knownBuckets.set(title, bucket);
  }
  return bucket;
}

/** Buckets of titles seen: a log repeats its crashes, and each digest costs ~50 µs before V8 optimizes it. */
const knownBuckets = new Map<string, string>();
const MAX_KNOWN_BUCKETS = 4096;
