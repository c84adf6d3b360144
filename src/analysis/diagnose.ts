import { createHash } from 'node:crypto';
import type { CrashReport } from '../reports/crash-report.js';
import { findCulprit } from './culprit.js';
import { titleOf } from './title.js';

/**
 * The analysis stage for one report: the culprit, a syzbot-style title, and a bucket signature.
 * Pure: a function of the decoded report only.
 */
export function diagnose(report: CrashReport): CrashReport {
  const culprit = findCulprit(report);
  const title = titleOf(report, culprit);
  const diagnosed: CrashReport = { ...report, title, bucket: bucketOf(title) };
  if (culprit) diagnosed.culprit = culprit;
  return diagnosed;
}

/**
 * Equal crashes on any host, boot or KASLR slide get the same bucket: the title holds no
 * address, PID or timestamp (they are normalised away), so the bucket is a digest of it.
 */
export function bucketOf(title: string): string {
  return createHash('sha256').update(title).digest('hex').slice(0, 16);
}
