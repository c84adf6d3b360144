import type { Diagnosis, PlaybookStep } from '../analysis/diagnosis.js';
import type { AnalysisResult, AnalysisTail, CrashReport, Incident } from '../reports/crash-report.js';
import { kernelStateMarkdown } from './dump-kernel-sections.js';
import { culpritFrameIndex, frameText, incidentReports, inputKind, reportFacts, whereText } from './report-facts.js';

/** Frames of the first cause's trace quoted in the note. */
const FRAMES_QUOTED = 16;
/** Lines of a report quoted as raw evidence. */
const LINES_QUOTED = 60;

/** Stands for the heading level of an incident's parts until the number of incidents is known. */
const HEADING = '\uE000h\uE000';

/** An incident's part of the note, laid out as soon as the incident is diagnosed: its reports are not kept. */
export interface MarkdownIncident {
  id: string;
  /** `## Incident …` when the note has several. */
  intro: string;
  /** The section, its headings written HEADING. */
  body: string;
}

/**
 * The RCA note an engineer pastes into a ticket: per incident what happened, the evidence, the
 * root-cause hypothesis, the fix, prevention and the timeline. GitHub-flavoured Markdown.
 */
export function renderMarkdown(result: AnalysisResult): string {
  const byId = new Map(result.reports.map((r) => [r.id, r]));
  return renderMarkdownOf(result, result.reports.length, result.incidents.map((i) => markdownIncident(i, incidentReports(i, byId))));
}

/** The note from its incidents, laid out as they came, and the rest of the analysis. */
export function renderMarkdownOf(tail: AnalysisTail, reportCount: number, laidOut: readonly MarkdownIncident[]): string {
  const sources = tail.inputs.map((i) => `\`${i.source}\` (${inputKind(i)}, ${i.lines} lines${i.partial ? `, read in part: ${i.partial}` : ''})`).join(', ');
  const out: string[] = [];
  if (tail.incidents.length === 0) {
    out.push('# Kernel crash analysis', '', `No kernel crash report found in ${sources}.`);
    for (const k of tail.kernels ?? []) out.push('', ...kernelStateMarkdown(k));
    return `${out.join('\n')}\n`;
  }
  const several = tail.incidents.length > 1;
  const headline = several ? `${tail.incidents.length} kernel incidents` : (tail.incidents[0]?.diagnosis?.title ?? 'Kernel crash');
  out.push(`# RCA: ${escapeMd(headline)}`, '', `Analysed ${sources} with ktriage: ${reportCount} report(s) in ${tail.incidents.length} incident(s).`);
  const byId = new Map(laidOut.map((l) => [l.id, l]));
  for (const incident of tail.incidents) {
    const laid = byId.get(incident.id);
    if (!laid || laid.body === '') continue;
    out.push('', ...(several ? [laid.intro, ''] : []), laid.body.replaceAll(HEADING, several ? '###' : '##'));
  }
  if (tail.precursors.length > 0) {
    out.push('', '## Storage and filesystem events', '');
    for (const p of tail.precursors.slice(0, 20)) out.push(`- \`${whereText(p.source, p.line, p.ts)}\` ${p.kind}: ${code(p.text)}`);
    if (tail.precursors.length > 20) out.push(`- … and ${tail.precursors.length - 20} more`);
  }
  for (const k of tail.kernels ?? []) out.push('', ...kernelStateMarkdown(k));
  return `${out.join('\n')}\n`;
}

/** One incident's part of the note, from the incident (diagnosed) and its reports. */
export function markdownIncident(incident: Incident, reports: readonly CrashReport[]): MarkdownIncident {
  const byId = new Map(reports.map((r) => [r.id, r]));
  const d = incident.diagnosis;
  return { id: incident.id, intro: `## Incident ${incident.id}: ${escapeMd(d?.title ?? '')}`, body: incidentSection(incident, byId).join('\n') };
}

function incidentSection(incident: Incident, byId: Map<string, CrashReport>): string[] {
  const reports = incidentReports(incident, byId);
  const first = byId.get(incident.firstCause) ?? reports[0];
  const d = incident.diagnosis;
  if (!first || !d) return [];
  const h = HEADING;
  const out: string[] = [];
  out.push(...summaryTable(incident, first, d), '');
  out.push(`${h} What happened`, '', whatHappened(reports, first, d), '');
  out.push(`${h} Evidence`, '');
  for (const e of [...d.cause.evidence, ...d.cause.alternatives.flatMap((a) => a.evidence)]) out.push(`- ${e.finding}${e.reportId ? ` (${e.reportId})` : ''}`);
  for (const fact of reportFacts(first)) out.push(`- **${fact.label}:** ${escapeMd(fact.value)}`);
  const trace = first.stacks[0];
  if (trace && trace.frames.length > 0) {
    const culpritAt = culpritFrameIndex(first, trace.frames, d);
    const marked = trace.frames.slice(0, FRAMES_QUOTED).map((f, i) => `${frameText(f)}${i === culpritAt ? '   <== culprit' : ''}`);
    out.push('', `Call trace of ${first.id}:`, '', '```text');
    if (first.ip) out.push(`RIP: ${first.ip.raw}${first.culprit?.from === 'ip' ? '   <== culprit' : ''}`);
    out.push(...marked);
    if (trace.frames.length > FRAMES_QUOTED) out.push(`… ${trace.frames.length - FRAMES_QUOTED} more frames`);
    out.push('```');
  }
  out.push('', `${h} Root-cause hypothesis`, '', hypothesis(d), '');
  if (d.cause.confirm.length > 0) {
    out.push('To confirm:', '');
    for (const c of d.cause.confirm) out.push(`- ${c}`);
    out.push('');
  }
  if (d.escalation) out.push(`It became a panic because \`${d.escalation.setting}\` is set: ${d.escalation.explanation}.`, '');
  for (const k of d.knownIssues) {
    out.push(`**Known issue: ${escapeMd(k.title)}** (rule \`${k.id}\`, matched on ${k.matched.join(', ')})`, '', k.note.replace(/\s+/g, ' '), '');
    for (const link of k.links) out.push(`- <${link}>`);
    out.push('');
  }
  out.push(`${h} Next steps: ${escapeMd(d.playbook.title.toLowerCase())}`, '', '**Check first**', '', ...steps(d.playbook.checks), '', '**Fix**', '', ...steps(d.playbook.fix), '');
  out.push(`${h} Prevention`, '', ...steps(d.playbook.prevent), '');
  out.push(`${h} Timeline`, '', '| time | where | report | title |', '|---|---|---|---|');
  for (const r of reports) {
    const line = r.lines[0];
    const time = r.wallTime ?? (r.ts !== undefined ? `${r.ts.toFixed(6)} s after boot` : '');
    out.push(`| ${time} | ${line ? `\`${line.source}:${line.line}\`` : ''} | ${r.id} ${r.kind} | ${escapeMd(r.title)} |`);
  }
  out.push('', `<details><summary>Report ${first.id} as logged (${first.lines.length} lines)</summary>`, '', '```text');
  for (const l of first.lines.slice(0, LINES_QUOTED)) out.push(l.text.replace(/```/g, "'''"));
  if (first.lines.length > LINES_QUOTED) out.push(`… ${first.lines.length - LINES_QUOTED} more lines`);
  out.push('```', '', '</details>');
  return out;
}

function summaryTable(incident: Incident, first: CrashReport, d: Diagnosis): string[] {
  const rows: [string, string][] = [
    ['Title', escapeMd(d.title)],
    ['Likely cause', `**${d.cause.category}** (${d.cause.confidence} confidence, score ${d.cause.score.toFixed(2)})`],
  ];
  if (d.culprit) rows.push(['Culprit', `\`${d.culprit.function}\`${d.culprit.module ? ` in module \`${d.culprit.module}\`` : ''}${d.culprit.file ? ` at \`${d.culprit.file}${d.culprit.line !== undefined ? `:${d.culprit.line}` : ''}\`` : ''}`]);
  if (incident.host) rows.push(['Host', escapeMd(incident.host)]);
  if (first.kernel) rows.push(['Kernel', `\`${first.kernel.release}\`${first.kernel.build ? ` ${escapeMd(first.kernel.build)}` : ''}`]);
  if (first.hardware) rows.push(['Hardware', escapeMd(first.hardware.name)]);
  const line = first.lines[0];
  if (line) rows.push(['Logged at', `\`${whereText(line.source, line.line, first.ts)}\`${first.wallTime ? ` (${first.wallTime})` : ''}`]);
  if (d.bucket) rows.push(['Bucket', `\`${d.bucket}\``]);
  return ['| | |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)];
}

function whatHappened(reports: readonly CrashReport[], first: CrashReport, d: Diagnosis): string {
  const task = first.comm ? ` while running \`${first.comm}\`${first.pid !== undefined ? ` (PID ${first.pid})` : ''}` : '';
  const cpu = first.cpu !== undefined ? ` on CPU ${first.cpu}` : '';
  const chain = reports.length > 1 ? ` It led to ${reports.slice(1).map((r) => `${article(r.kind)} ${r.kind} (${r.id})`).join(', then ')}.` : '';
  const fatal = reports.some((r) => r.severity === 'fatal') ? ' The machine stopped.' : reports.some((r) => r.severity === 'oops') ? ' The task was killed; the kernel went on.' : '';
  return `The kernel reported ${escapeMd(d.title)} (${first.id}, ${first.kind})${cpu}${task}.${chain}${fatal}`;
}

function hypothesis(d: Diagnosis): string {
  const lead = d.cause.evidence[0];
  const main = `The most likely cause is **${d.cause.category}** (${d.cause.confidence} confidence)${lead ? `: ${lead.finding}` : ''}.`;
  const others = d.cause.alternatives.slice(0, 2).map((a) => `${a.category} (${a.score.toFixed(2)}: ${a.evidence[0]?.finding ?? ''})`);
  return others.length > 0 ? `${main} Also considered: ${others.join('; ')}.` : main;
}

function steps(list: readonly PlaybookStep[]): string[] {
  const out: string[] = [];
  list.forEach((s, i) => {
    out.push(`${i + 1}. ${s.step}`);
    for (const c of s.commands ?? []) {
      if (c.any) out.push(`   - ${c.purpose}: \`${c.any}\``);
      if (c.debian) out.push(`   - ${c.purpose} (Debian/Ubuntu): \`${c.debian}\``);
      if (c.rhel) out.push(`   - ${c.purpose} (RHEL/Fedora): \`${c.rhel}\``);
    }
  });
  return out;
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

/** Characters Markdown would read as formatting in table cells and prose. */
function escapeMd(text: string): string {
  return text.replace(/([\\`*_[\]|<>])/g, '\\$1');
}
