import type { CauseAssessment, CauseCandidate, CauseCategory, CauseEvidence, Confidence } from './diagnosis.js';
import { CAUSE_RULES, type CauseRule } from './cause-rules.js';
import type { IncidentFacts } from './incident-facts.js';

/** A winner this far ahead of the runner-up, with this score, is called with high confidence. */
const HIGH = { score: 0.75, lead: 0.15 };
const MEDIUM = { score: 0.5, lead: 0.1 };
/**
 * Below this the evidence is too weak to name a class (an untainted kernel, a module merely
 * loaded): the answer is `undetermined`, and what little was found is kept as an alternative.
 */
const WEAKEST_CLASS = 0.3;

/**
 * Runs every cause rule on the incident and names the category the evidence points at most
 * strongly. Weights of one category combine as independent signals: 1 − Π(1 − w).
 */
export function classifyCause(facts: IncidentFacts, rules: readonly CauseRule[] = CAUSE_RULES): CauseAssessment {
  const byCategory = new Map<CauseCategory, CauseEvidence[]>();
  for (const rule of rules) {
    const found = rule.find(facts);
    if (!found) continue;
    const evidence: CauseEvidence = { rule: rule.id, weight: rule.weight, finding: found.finding };
    if (found.reportId !== undefined) evidence.reportId = found.reportId;
    byCategory.set(rule.category, [...(byCategory.get(rule.category) ?? []), evidence]);
  }
  const candidates: CauseCandidate[] = [...byCategory.entries()]
    .map(([category, evidence]) => ({ category, evidence: evidence.sort((a, b) => b.weight - a.weight), score: combine(evidence) }))
    .sort((a, b) => b.score - a.score);
  const [best, ...rest] = candidates;
  if (!best || best.score < WEAKEST_CLASS) {
    return { category: 'undetermined', confidence: 'low', score: 0, evidence: [], confirm: ['Nothing in the report points at a cause; capture a vmcore (kdump) next time.'], alternatives: candidates };
  }
  const lead = best.score - (rest[0]?.score ?? 0);
  const fired = new Set(best.evidence.map((e) => e.rule));
  return {
    category: best.category,
    confidence: confidenceOf(best.score, lead),
    score: best.score,
    evidence: best.evidence,
    confirm: [...new Set(rules.filter((r) => fired.has(r.id)).map((r) => r.confirm))],
    alternatives: rest,
  };
}

function combine(evidence: readonly CauseEvidence[]): number {
  const missing = evidence.reduce((p, e) => p * (1 - e.weight), 1);
  return Math.round((1 - missing) * 100) / 100;
}

function confidenceOf(score: number, lead: number): Confidence {
  if (score >= HIGH.score && lead >= HIGH.lead) return 'high';
  if (score >= MEDIUM.score && lead >= MEDIUM.lead) return 'medium';
  return 'low';
}
