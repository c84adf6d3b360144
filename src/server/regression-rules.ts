import { compareReleases } from './release-order.js';

/** What the regression rules look at for one bucket, right after a batch added to it. */
export interface BucketFacts {
  id: string;
  /** Created by this batch. */
  isNew: boolean;
  status: string;
  fixedIn?: string;
  /** Releases of the reports this batch added to it. */
  batchReleases: string[];
  /** Releases on which the fleet crashed before this bucket first appeared (all other buckets). */
  otherReleases: string[];
  firstSeen: string;
  /** Reports in the last 24 hours, and per day over the 7 days before. */
  lastDay: number;
  previousWeekPerDay: number;
  now: number;
}

export type RegressionReason = 'new-release' | 'rate-jump' | 'fixed-came-back';

export interface Regression {
  reason: RegressionReason;
  release?: string;
  detail: string;
}

interface RegressionRule {
  reason: RegressionReason;
  /** Why this is worth flagging, for the docs. */
  why: string;
  test: (f: BucketFacts) => Regression | undefined;
}

/** A rate jump: at least this many in a day, and this many times the usual daily rate. */
export const RATE_JUMP = { minimumPerDay: 10, factor: 4, historyHours: 48 } as const;

export const REGRESSION_RULES: readonly RegressionRule[] = [
  {
    reason: 'fixed-came-back',
    why: 'a bucket marked fixed in release X shows up again on X or newer (an older release is expected to still crash)',
    test: (f) => {
      if (f.status !== 'fixed' || !f.fixedIn) return undefined;
      const back = f.batchReleases.filter((r) => compareReleases(r, f.fixedIn!) >= 0).sort(compareReleases).pop();
      return back ? { reason: 'fixed-came-back', release: back, detail: `marked fixed in ${f.fixedIn}, seen again on ${back}` } : undefined;
    },
  },
  {
    reason: 'new-release',
    why: 'a crash never seen before appears on a kernel release newer than every release the fleet crashed on before',
    test: (f) => {
      if (!f.isNew || f.otherReleases.length === 0) return undefined;
      const newest = [...f.otherReleases].sort(compareReleases).pop()!;
      const release = [...f.batchReleases].sort(compareReleases).shift();
      if (!release || compareReleases(release, newest) <= 0) return undefined;
      return { reason: 'new-release', release, detail: `first seen on ${release}, newer than every earlier release (newest before: ${newest})` };
    },
  },
  {
    reason: 'rate-jump',
    why: 'a known bucket crashes much more often than its own history says',
    test: (f) => {
      if (f.isNew || f.now - Date.parse(f.firstSeen) < RATE_JUMP.historyHours * 3_600_000) return undefined;
      const usual = Math.max(1, f.previousWeekPerDay);
      if (f.lastDay < RATE_JUMP.minimumPerDay || f.lastDay < RATE_JUMP.factor * usual) return undefined;
      return { reason: 'rate-jump', detail: `${f.lastDay} in the last 24 h against ${f.previousWeekPerDay.toFixed(1)} a day over the week before` };
    },
  },
];

/** The first rule that fires, in table order. */
export function findRegression(facts: BucketFacts): Regression | undefined {
  for (const rule of REGRESSION_RULES) {
    const r = rule.test(facts);
    if (r) return r;
  }
  return undefined;
}
