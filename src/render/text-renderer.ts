import type { Diagnosis } from '../analysis/diagnosis.js';
import type { AnalysisResult, CrashReport, Incident, ResolvedLocation } from '../reports/crash-report.js';
import { earlierSameCrash, frameText, incidentReports, inputKind, reportFacts, whereText } from './report-facts.js';

export interface TextOptions {
  color: boolean;
}

type Paint = (code: string, s: string) => string;

/** How many frames of the main call trace the summary shows. */
const FRAMES_SHOWN = 12;

/**
 * What the text view keeps of a report: a few fields and its lines already laid out, not the
 * report itself (a long log's reports would all be held until the end).
 */
export interface TextReport {
  id: string;
  kind: string;
  title: string;
  /** Where it starts (`input:line [ts]`), for an incident that repeats an earlier one. */
  at?: string;
  block: string[];
}

/** The rest of the analysis, known once the whole input was read. */
type TextTail = Pick<AnalysisResult, 'incidents' | 'precursors' | 'inputs'>;

/** The default terminal view: incidents first cause first, each report's decoded fields. */
export function renderText(result: AnalysisResult, options: TextOptions): string {
  return renderTextOf(result, result.reports.map((r) => textReport(r, options)), options);
}

/** A report laid out for the text view, as soon as it is diagnosed. */
export function textReport(r: CrashReport, options: TextOptions): TextReport {
  const first = r.lines[0];
  const out: TextReport = { id: r.id, kind: r.kind, title: r.title, block: renderReport(r, painter(options)) };
  if (first) out.at = whereText(first.source, first.line, r.ts);
  return out;
}

/** The text view from its reports, laid out as they came, and the rest of the analysis. */
export function renderTextOf(tail: TextTail, reports: readonly TextReport[], options: TextOptions): string {
  const paint = painter(options);
  const out: string[] = [];
  const byId = new Map(reports.map((r) => [r.id, r]));
  const lineCount = tail.inputs.reduce((n, i) => n + i.lines, 0);
  for (const input of tail.inputs) {
    if (input.partial) out.push(paint('33', `warning: ${input.source} read only in part: ${input.partial}`));
  }
  const sources = tail.inputs.map((i) => `${i.source}: ${inputKind(i)}`).join(', ');
  if (reports.length === 0) {
    out.push(`No kernel crash report found in ${lineCount} lines (${sources}).`);
  } else {
    out.push(paint('1', `${reports.length} report(s) in ${tail.incidents.length} incident(s)`) + ` in ${lineCount} lines (${sources})`);
  }
  // The same crash again (the first cause in the same bucket) is one line, not the whole answer again.
  const repeats = earlierSameCrash(tail.incidents);
  for (const incident of tail.incidents) {
    const seen = repeats.get(incident.id);
    if (seen) {
      const first = byId.get(incident.firstCause);
      const kinds = incident.reportIds.map((id) => byId.get(id)?.kind).join(' → ');
      out.push('', `Incident ${incident.id}${incident.host ? ` on ${incident.host}` : ''}: ${kinds}, the same crash as ${seen.id} (${first?.title ?? ''})${first?.at ? ` at ${first.at}` : ''}`);
      continue;
    }
    out.push('', ...renderIncident(incident, byId, paint));
  }
  if (tail.precursors.length > 0) {
    out.push('', paint('1', `Storage and filesystem warnings (${tail.precursors.length}):`));
    for (const p of tail.precursors.slice(0, 20)) out.push(`  ${whereText(p.source, p.line, p.ts)}  ${p.kind}: ${p.text}`);
    if (tail.precursors.length > 20) out.push(`  … and ${tail.precursors.length - 20} more (--json lists them all)`);
  }
  return `${out.join('\n')}\n`;
}

/** One incident and its reports, as the text view shows it: what `analyze --follow` prints as each closes. */
export function renderIncidentText(incident: Incident, reports: readonly CrashReport[], options: TextOptions): string {
  const byId = new Map(reports.map((r) => [r.id, textReport(r, options)]));
  return `${renderIncident(incident, byId, painter(options)).join('\n')}\n`;
}

function painter(options: TextOptions): Paint {
  return options.color ? (code, s) => `\u001b[${code}m${s}\u001b[0m` : (_c, s) => s;
}

function renderIncident(incident: Incident, byId: ReadonlyMap<string, TextReport>, paint: Paint): string[] {
  const reports = incidentReports(incident, byId);
  const host = incident.host ? ` on ${incident.host}` : '';
  const out = [paint('1;36', `Incident ${incident.id}${host}: ${reports.map((r) => r.kind).join(' → ')}`)];
  const d = incident.diagnosis;
  if (d) out.push(...renderAnswer(d, paint));
  const first = byId.get(incident.firstCause);
  if (first && reports.length > 1) out.push(`  first cause: ${first.id} ${first.kind}`);
  for (const report of reports) out.push(...report.block);
  return out;
}

/** The answer first: title, cause, culprit, what escalated it, known issues, the next three steps. */
function renderAnswer(d: Diagnosis, paint: Paint): string[] {
  const out = [`  ${paint('1', d.title)}`];
  const lead = d.cause.evidence[0];
  const runnerUp = d.cause.alternatives[0];
  const close = runnerUp && d.cause.score - runnerUp.score < 0.15 ? `; ${runnerUp.category} ${runnerUp.score.toFixed(2)} close behind` : '';
  out.push(`  cause:    ${paint('1', d.cause.category)} (${d.cause.confidence} confidence, ${d.cause.score.toFixed(2)}${close})${lead ? ` — ${lead.finding}` : ''}`);
  for (const e of d.cause.evidence.slice(1, 3)) out.push(`            also: ${e.finding}`);
  if (d.culprit) {
    const where = d.culprit.file ? ` at ${d.culprit.file}${d.culprit.line !== undefined ? `:${d.culprit.line}` : ''}` : '';
    out.push(`  culprit:  ${d.culprit.function}${d.culprit.module ? ` [${d.culprit.module}]` : ''}${where}`);
  }
  if (d.escalation) out.push(`  panicked because ${d.escalation.setting} is set: ${d.escalation.explanation}`);
  for (const k of d.knownIssues) out.push(`  known issue: ${k.title}${k.links[0] ? ` (${k.links[0]})` : ''}`);
  out.push('  next steps:');
  d.nextSteps.forEach((step, i) => out.push(`    ${i + 1}. ${step}`));
  out.push(`  (--format markdown for the full playbook and RCA note)`, '');
  return out;
}

function renderReport(r: CrashReport, paint: Paint): string[] {
  const sev = r.severity === 'fatal' || r.severity === 'oops' ? '1;31' : r.severity === 'error' ? '31' : '33';
  const first = r.lines[0];
  const out = [`  ${paint(sev, `[${r.id}] ${r.title}`)}`];
  if (r.culprit) out.push(`       culprit: ${r.culprit.function}${r.culprit.module ? ` [${r.culprit.module}]` : ''}`);
  out.push(`       ${r.kind}: ${r.header.trim()}`);
  if (first) out.push(`       at ${whereText(first.source, first.line, r.ts)}${r.wallTime ? ` (${r.wallTime})` : ''}`);
  if (r.corrupted) out.push(paint('33', `       corrupted: ${r.corruptedReasons.join('; ')}`));
  for (const fact of reportFacts(r)) {
    out.push(`       ${fact.label}: ${fact.value}`);
    if (fact.label === 'ip') out.push(...renderResolved(r.ip?.resolved, '           '));
  }
  if (r.code?.disassembly) {
    const d = r.code.disassembly;
    out.push('       code:', ...d.instructions.map((i) => `         ${i.faulting ? '=>' : '  '} ${i.text}`));
    if (d.explanation) out.push(`       faulting instruction: ${d.explanation}`);
  }
  for (const stack of r.stacks.slice(0, 3)) {
    out.push(`       ${stack.label === 'main' ? 'call trace' : `${stack.label} stack`}${stack.task ? ` (${stack.task})` : ''}:`);
    for (const frame of stack.frames.slice(0, FRAMES_SHOWN)) out.push(`         ${frameText(frame)}`, ...renderResolved(frame.resolved, '             '));
    if (stack.frames.length > FRAMES_SHOWN) out.push(`         … ${stack.frames.length - FRAMES_SHOWN} more frames`);
  }
  return out;
}

/** file:line from the debug info, then each function the code was inlined into (src/symbols/). */
function renderResolved(r: ResolvedLocation | undefined, pad: string): string[] {
  if (!r) return [];
  const at = (file?: string, line?: number): string => `${file ?? '??'}:${line || '?'}`;
  const out = [`${pad}at ${at(r.file, r.line)}${r.function ? ` (${r.function})` : ''}`];
  for (const c of r.inlinedInto) out.push(`${pad}inlined into ${c.function ?? '??'} at ${at(c.file, c.line)}`);
  if (r.mismatch) out.push(`${pad}warning: ${r.mismatch}`);
  return out;
}
