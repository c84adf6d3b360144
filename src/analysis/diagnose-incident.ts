import type { CrashReport, Incident, PrecursorEvent } from '../reports/crash-report.js';
import { classifyCause } from './classify-cause.js';
import type { CauseAssessment, Diagnosis, KnownIssueMatch, Playbook, PlaybookCommand, PlaybookStep } from './diagnosis.js';
import { escalationOf } from './escalations.js';
import { allFrames, buildFacts, type IncidentFacts } from './incident-facts.js';
import { matchKnownIssues, type KnownIssueRule } from './known-issues.js';
import { PLAYBOOKS, type PlaybookRow } from './playbooks.js';
import { PREVENTION } from './prevention.js';
import { stripCompilerSuffix } from './skip-frames.js';

/** Storage events this long before an incident still count as its precursors. */
const PRECURSOR_LOOKBACK_SECONDS = 3600;
/** How many next steps the summary gives. */
const NEXT_STEPS = 3;

/**
 * The incident-level answer: likely cause with evidence and confidence, what escalated it, known
 * issues it matches, the playbook for it and the first three things to do. Pure.
 */
export function diagnoseIncident(
  incident: Incident,
  reportsById: ReadonlyMap<string, CrashReport>,
  precursors: readonly PrecursorEvent[],
  knownIssues: readonly KnownIssueRule[],
): Diagnosis {
  const reports = incident.reportIds.map((id) => reportsById.get(id)).filter((r): r is CrashReport => r !== undefined);
  const facts = buildFacts(reports, precursorsOf(reports, precursors));
  const cause = classifyCause(facts);
  const matches = matchKnownIssues(facts, knownIssues);
  const playbook = playbookFor(facts, cause);
  const first = facts.first;
  const diagnosis: Diagnosis = {
    title: first.title,
    cause,
    knownIssues: matches,
    playbook,
    nextSteps: nextSteps(matches, playbook),
  };
  if (first.bucket !== undefined) diagnosis.bucket = first.bucket;
  const culprit = culpritOf(first);
  if (culprit) diagnosis.culprit = culprit;
  const escalation = escalationOf(facts);
  if (escalation) diagnosis.escalation = escalation;
  return diagnosis;
}

/** Storage events of the same host and input, before the incident ended and not long before it began. */
function precursorsOf(reports: readonly CrashReport[], all: readonly PrecursorEvent[]): PrecursorEvent[] {
  const first = reports[0];
  const last = reports[reports.length - 1];
  const firstLine = first?.lines[0];
  const lastLine = last?.lines[last.lines.length - 1];
  if (!first || !firstLine || !lastLine) return [];
  return all.filter((p) => {
    if (p.source !== firstLine.source || p.host !== first.host || p.line > lastLine.line) return false;
    return p.ts === undefined || first.ts === undefined || first.ts - p.ts <= PRECURSOR_LOOKBACK_SECONDS;
  });
}

function culpritOf(report: CrashReport): Diagnosis['culprit'] {
  if (!report.culprit) return undefined;
  const name = report.culprit.function;
  const culprit: NonNullable<Diagnosis['culprit']> = { function: name };
  if (report.culprit.module) culprit.module = report.culprit.module;
  // Where the blamed code is: resolved from debug info (--vmlinux), printed in the log, or named
  // by the WARNING/BUG line raised in that very function.
  const frame = report.culprit.from === 'ip' ? undefined : allFrames(report).find((f) => stripCompilerSuffix(f.function) === name && (f.resolved?.file || f.file));
  const resolved = report.culprit.from === 'ip' ? report.ip?.resolved : frame?.resolved;
  // The innermost location may be inlined code (a header); the line in the culprit is its call site.
  const inCulprit = resolved && resolved.function !== name ? resolved.inlinedInto.find((c) => c.function === name) : resolved;
  const file = inCulprit?.file ?? frame?.file;
  const line = inCulprit?.line || frame?.line;
  if (file) {
    culprit.file = file;
    if (line) culprit.line = line;
    return culprit;
  }
  const sourceFile = report.details['sourceFile'];
  const sourceLine = report.details['sourceLine'];
  const raisedIn = stripCompilerSuffix(report.ip?.function ?? name);
  if (typeof sourceFile === 'string' && raisedIn === name) {
    culprit.file = sourceFile;
    if (typeof sourceLine === 'number') culprit.line = sourceLine;
  }
  return culprit;
}

function playbookFor(facts: IncidentFacts, cause: CauseAssessment): Playbook {
  // Only a panic that is the first cause says what happened; a panic after an oops only ends it.
  const reasons = new Set(facts.first.panic ? [facts.first.panic.reason] : []);
  const kinds = new Set(facts.reports.map((r) => r.kind));
  const precursors = new Set(facts.precursors.map((p) => p.kind));
  const row = PLAYBOOKS.find((p) => rowMatches(p, reasons, kinds, cause, precursors)) ?? PLAYBOOKS[PLAYBOOKS.length - 1];
  if (!row) throw new Error('the playbook table ends with a row that matches everything');
  const fill = templateValues(facts);
  const steps = (list: readonly PlaybookStep[]): PlaybookStep[] => list.map((s) => fillStep(s, fill));
  return {
    id: row.id,
    title: row.title,
    checks: steps(row.checks),
    fix: steps(row.fix),
    prevent: steps(row.prevent.map((id) => PREVENTION[id])),
  };
}

function rowMatches(row: PlaybookRow, reasons: Set<string>, kinds: Set<string>, cause: CauseAssessment, precursors: Set<string>): boolean {
  const m = row.match;
  if (m.precursors && !m.precursors.some((k) => precursors.has(k))) return false;
  if (!m.panicReasons && !m.kinds && !m.causes) return true;
  return (
    (m.panicReasons?.some((r) => reasons.has(r)) ?? false) ||
    (m.kinds?.some((k) => kinds.has(k)) ?? false) ||
    (m.causes?.includes(cause.category) ?? false)
  );
}

/** Values for `{release}`, `{module}`, … in playbook commands; a placeholder in capitals when unknown. */
function templateValues(facts: IncidentFacts): Record<string, string> {
  const first = facts.first;
  const module = facts.reports.map((r) => r.culprit?.module ?? r.ip?.module).find((m) => m !== undefined);
  return {
    release: facts.reports.find((r) => r.kernel)?.kernel?.release ?? 'RELEASE',
    module: module ?? 'MODULE',
    device: facts.precursors.find((p) => p.device)?.device ?? 'DEVICE',
    comm: first.comm ?? 'COMM',
    title: first.title,
  };
}

function fillStep(step: PlaybookStep, values: Record<string, string>): PlaybookStep {
  const fill = (s: string): string => s.replace(/\{(release|module|device|comm|title)\}/g, (_m, key: string) => values[key] ?? key);
  const out: PlaybookStep = { step: fill(step.step) };
  if (step.commands) {
    out.commands = step.commands.map((c) => {
      const filled: PlaybookCommand = { purpose: c.purpose };
      if (c.any !== undefined) filled.any = fill(c.any);
      if (c.debian !== undefined) filled.debian = fill(c.debian);
      if (c.rhel !== undefined) filled.rhel = fill(c.rhel);
      return filled;
    });
  }
  return out;
}

function nextSteps(matches: readonly KnownIssueMatch[], playbook: Playbook): string[] {
  const steps = matches.slice(0, 1).map((m) => `Known issue "${m.title}": ${firstSentence(m.note)}`);
  for (const step of [...playbook.checks, ...playbook.fix]) steps.push(stepLine(step));
  return steps.slice(0, NEXT_STEPS);
}

/** One line: the step and its first command. */
export function stepLine(step: PlaybookStep): string {
  const command = step.commands?.[0];
  if (!command) return step.step;
  if (command.any) return `${step.step} \`${command.any}\``;
  const variants = [command.debian ? `\`${command.debian}\` (Debian/Ubuntu)` : '', command.rhel ? `\`${command.rhel}\` (RHEL/Fedora)` : ''].filter(Boolean);
  return `${step.step} ${variants.join(' or ')}`;
}

function firstSentence(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const end = flat.search(/[.!?](?:\s|$)/);
  return end > 0 ? flat.slice(0, end + 1) : flat;
}
