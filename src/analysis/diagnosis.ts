/**
 * What the analysis stage concludes about one incident: why it most likely happened, what to do
 * now and how to keep it from happening again. Serialised as `incidents[].diagnosis` by `--json`
 * (docs/crash-report.md).
 */

/** The likely cause classes, from the evidence in the reports (src/analysis/cause-rules.ts). */
export type CauseCategory =
  | 'hardware'
  | 'firmware'
  | 'driver'
  | 'third-party-driver'
  | 'kernel-bug'
  | 'resource-exhaustion'
  | 'boot'
  | 'configuration'
  | 'deliberate'
  /** Nothing, or too little, points anywhere: said with low confidence rather than a guess. */
  | 'undetermined';

export type Confidence = 'high' | 'medium' | 'low';

/** One thing found in the incident that points at a cause. */
export interface CauseEvidence {
  /** The rule that found it (a row id in src/analysis/cause-rules.ts). */
  rule: string;
  /** How strongly it points at its category, 0…1. */
  weight: number;
  /** What was found, in words, with the values read (`RIP in lkdtm [OE]`). */
  finding: string;
  /** The report it was found in, when it is one report's. */
  reportId?: string;
}

export interface CauseCandidate {
  category: CauseCategory;
  /** Combined weight of the evidence, 0…1 (1 − Π(1 − weight)). */
  score: number;
  evidence: CauseEvidence[];
}

export interface CauseAssessment {
  category: CauseCategory;
  confidence: Confidence;
  /** Same as the winning candidate's score. */
  score: number;
  evidence: CauseEvidence[];
  /** What would confirm (or refute) the hypothesis. */
  confirm: string[];
  /** The other categories the evidence pointed at, best first. */
  alternatives: CauseCandidate[];
}

/** A command to run, the same everywhere or per distribution family. */
export interface PlaybookCommand {
  /** What the command shows or does. */
  purpose: string;
  any?: string;
  debian?: string;
  rhel?: string;
}

export interface PlaybookStep {
  step: string;
  commands?: PlaybookCommand[];
}

export interface Playbook {
  /** Row id in src/analysis/playbooks.ts. */
  id: string;
  title: string;
  /** What to look at first, most useful first. */
  checks: PlaybookStep[];
  /** How to fix or work around it. */
  fix: PlaybookStep[];
  /** How to keep the next one from happening, or from being lost (ids of src/analysis/prevention.ts rows resolved to text). */
  prevent: PlaybookStep[];
}

/** A known-issue rule (rules/known-issues.yaml or a user's file) that matched the incident. */
export interface KnownIssueMatch {
  id: string;
  title: string;
  note: string;
  links: string[];
  /** The file the rule came from. */
  source: string;
  /** Which of the rule's conditions matched, in words. */
  matched: string[];
}

/** A setting that turned a report the kernel could survive into a panic. */
export interface Escalation {
  /** The sysctl or boot parameter, e.g. `kernel.panic_on_warn`. */
  setting: string;
  explanation: string;
}

export interface Diagnosis {
  /** Title, bucket and culprit of the incident's first cause. */
  title: string;
  bucket?: string;
  culprit?: { function: string; module?: string; file?: string; line?: number };
  cause: CauseAssessment;
  escalation?: Escalation;
  knownIssues: KnownIssueMatch[];
  playbook: Playbook;
  /** The three things to do first, from the known issues and the playbook. */
  nextSteps: string[];
}
