import { kernelStateHtml } from './dump-kernel-sections.js';
import type { Diagnosis, PlaybookStep } from '../analysis/diagnosis.js';
import type { AnalysisResult, AnalysisTail, CrashReport, Incident, StackFrame } from '../reports/crash-report.js';
import { describeModuleFlags } from '../reports/decode/module-flags.js';
import { KIND_TABLE, UNEXPECTED_REBOOT_ROW } from '../reports/kinds.js';
import { culpritFrameIndex, earlierSameCrash, frameText, incidentReports, inputKind, reportFacts, whereText } from './report-facts.js';
import { HTML_STYLE } from './html-style.js';

/** A piece of a logged line explained on hover. */
interface Annotation {
  /** The exact text to find in the line. */
  text: string;
  tip: string;
  className?: string;
}

const KIND_DESCRIPTIONS = new Map([...KIND_TABLE, UNEXPECTED_REBOOT_ROW].map((row) => [row.kind, row.description]));

/** An incident's part of the page, laid out as soon as the incident is diagnosed: its reports are not kept. */
export interface HtmlIncident {
  id: string;
  /** Its line in the contents. */
  contentsItem: string;
  /** What its reports were (`warning → panic`), for a repeat's one line. */
  kinds: string;
  section: string;
}

/**
 * One self-contained page (inline CSS, no script, no network): per incident the answer, the
 * timeline, the call trace with the culprit marked, and the logged report with every decoded
 * field explained on hover.
 */
export function renderHtml(result: AnalysisResult): string {
  const byId = new Map(result.reports.map((r) => [r.id, r]));
  return renderHtmlOf(result, result.reports.length, result.incidents.map((i) => htmlIncident(i, incidentReports(i, byId))));
}

/** One incident's part of the page, from the incident (diagnosed) and its reports. */
export function htmlIncident(incident: Incident, reports: readonly CrashReport[]): HtmlIncident {
  const byId = new Map(reports.map((r) => [r.id, r]));
  const d = incident.diagnosis;
  const at = byId.get(incident.firstCause)?.lines[0];
  return {
    id: incident.id,
    contentsItem: `<li><a href="#${esc(incident.id)}">${esc(incident.id)}</a> ${esc(d?.title ?? '')}${d ? ` <span class="cause cause-${esc(d.cause.category)}">${esc(d.cause.category)}</span>` : ''}${at ? ` <code>${esc(`${at.source}:${at.line}`)}</code>` : ''}</li>`,
    kinds: incident.reportIds.map((id) => byId.get(id)?.kind ?? '').join(' → '),
    section: incidentSection(incident, byId),
  };
}

/** The page from its incidents, laid out as they came, and the rest of the analysis. */
export function renderHtmlOf(tail: AnalysisTail, reportCount: number, laidOut: readonly HtmlIncident[]): string {
  const laid = new Map(laidOut.map((l) => [l.id, l]));
  const title = tail.incidents.length === 1 ? (tail.incidents[0]?.diagnosis?.title ?? 'kernel crash') : `${tail.incidents.length} incidents`;
  const sources = tail.inputs.map((i) => `${esc(i.source)} (${esc(inputKind(i))}, ${i.lines} lines${i.partial ? `, read in part: ${esc(i.partial)}` : ''})`).join(', ');
  const body: string[] = [
    `<header><h1>ktriage: ${esc(title)}</h1><p>${reportCount} report(s) in ${tail.incidents.length} incident(s) from ${sources}.</p></header>`,
    '<main>',
  ];
  if (tail.incidents.length === 0) body.push('<p class="none">No kernel crash report found.</p>');
  if (tail.incidents.length > 1) body.push(`<nav class="contents"><h2>Incidents</h2><ol>${tail.incidents.map((i) => laid.get(i.id)?.contentsItem ?? '').join('')}</ol></nav>`);
  // The same crash again (same bucket) gets a line pointing at the incident that has the answer.
  const repeats = earlierSameCrash(tail.incidents);
  for (const incident of tail.incidents) {
    const seen = repeats.get(incident.id);
    if (seen) {
      body.push(`<section class="incident repeat" id="${esc(incident.id)}"><p>Incident ${esc(incident.id)}: ${esc(laid.get(incident.id)?.kinds ?? '')}, the same crash as <a href="#${esc(seen.id)}">${esc(seen.id)}</a> (${esc(incident.diagnosis?.title ?? '')}).</p></section>`);
      continue;
    }
    body.push(laid.get(incident.id)?.section ?? '');
  }
  if (tail.precursors.length > 0) {
    body.push(`<section class="precursors"><h2>Storage and filesystem events (${tail.precursors.length})</h2><ul>`);
    for (const p of tail.precursors.slice(0, 50)) body.push(`<li><code>${esc(whereText(p.source, p.line, p.ts))}</code> <b>${esc(p.kind)}</b> ${esc(p.text)}</li>`);
    body.push('</ul></section>');
  }
  for (const k of tail.kernels ?? []) body.push(kernelStateHtml(k, esc));
  body.push('</main>');
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    `<title>ktriage: ${esc(title)}</title>`,
    `<style>${HTML_STYLE}</style>`,
    '</head><body>',
    ...body,
    '</body></html>',
    '',
  ].join('\n');
}

function incidentSection(incident: Incident, byId: Map<string, CrashReport>): string {
  const reports = incidentReports(incident, byId);
  const first = byId.get(incident.firstCause) ?? reports[0];
  const d = incident.diagnosis;
  if (!first || !d) return '';
  const out = [`<section class="incident" id="${esc(incident.id)}">`, answer(incident, d)];
  out.push('<h3>Timeline</h3><ol class="timeline">');
  for (const r of reports) {
    const time = r.wallTime ?? (r.ts !== undefined ? `${r.ts.toFixed(6)} s` : '');
    out.push(`<li class="sev-${r.severity}"><time>${esc(time)}</time> <a href="#${esc(r.id)}">${esc(r.id)} ${esc(r.kind)}</a> ${esc(r.title)}</li>`);
  }
  out.push('</ol>');
  const trace = first.stacks[0];
  if (trace && trace.frames.length > 0) {
    out.push(`<h3>Call trace of ${esc(first.id)}</h3><ol class="trace">`);
    if (first.ip) {
      const culprit = first.culprit?.from === 'ip' ? ' class="culprit"' : '';
      out.push(`<li${culprit}><span class="f" tabindex="0" data-tip="${esc(`The instruction pointer when the report was printed${culprit ? '; the culprit' : ''}.`)}">RIP: ${esc(first.ip.raw)}</span></li>`);
    }
    const culpritAt = culpritFrameIndex(first, trace.frames, d);
    trace.frames.forEach((f, i) => out.push(frameItem(f, i === culpritAt)));
    out.push('</ol>');
  }
  for (const r of reports) out.push(reportBlock(r, d));
  out.push(playbookBlock(d), '</section>');
  return out.join('\n');
}

function answer(incident: Incident, d: Diagnosis): string {
  const rows: string[] = [];
  const lead = d.cause.evidence[0];
  rows.push(`<dt>Likely cause</dt><dd><span class="cause cause-${esc(d.cause.category)}">${esc(d.cause.category)}</span> <span class="confidence">${esc(d.cause.confidence)} confidence (${d.cause.score.toFixed(2)})</span>${lead ? ` — ${esc(lead.finding)}` : ''}</dd>`);
  if (d.cause.evidence.length > 1) rows.push(`<dt>Also</dt><dd><ul>${d.cause.evidence.slice(1).map((e) => `<li>${esc(e.finding)}</li>`).join('')}</ul></dd>`);
  if (d.culprit) {
    const where = d.culprit.file ? ` at <code>${esc(d.culprit.file)}${d.culprit.line !== undefined ? `:${d.culprit.line}` : ''}</code>` : '';
    rows.push(`<dt>Culprit</dt><dd><code class="culprit-name">${esc(d.culprit.function)}</code>${d.culprit.module ? ` in module <code>${esc(d.culprit.module)}</code>` : ''}${where}</dd>`);
  }
  if (d.escalation) rows.push(`<dt>Panicked because</dt><dd><code>${esc(d.escalation.setting)}</code> is set: ${esc(d.escalation.explanation)}</dd>`);
  for (const k of d.knownIssues) {
    rows.push(`<dt>Known issue</dt><dd><b>${esc(k.title)}</b>. ${esc(k.note.replace(/\s+/g, ' '))}${k.links.map((l) => ` <a href="${esc(l)}" rel="noreferrer">${esc(l)}</a>`).join('')}</dd>`);
  }
  if (d.cause.alternatives.length > 0) rows.push(`<dt>Considered</dt><dd>${d.cause.alternatives.map((a) => `${esc(a.category)} (${a.score.toFixed(2)})`).join(', ')}</dd>`);
  const host = incident.host ? ` on ${esc(incident.host)}` : '';
  return [
    `<div class="answer"><p class="incident-id">Incident ${esc(incident.id)}${host}${d.bucket ? ` · bucket <code>${esc(d.bucket)}</code>` : ''}</p>`,
    `<h2 class="title">${esc(d.title)}</h2>`,
    `<dl>${rows.join('')}</dl>`,
    `<h3>Next steps</h3><ol class="next-steps">${d.nextSteps.map((s) => `<li>${inlineCode(s)}</li>`).join('')}</ol></div>`,
  ].join('\n');
}

function frameItem(f: StackFrame, isCulprit: boolean): string {
  const classes = [isCulprit ? 'culprit' : '', f.reliable ? '' : 'unreliable'].filter(Boolean).join(' ');
  const tip = [
    isCulprit ? 'The culprit: the first frame that is not shared crash machinery.' : '',
    f.reliable ? '' : '"?": found on the stack but not proven to be part of the call chain.',
    f.context !== 'task' && f.context !== 'unknown' ? `Ran in ${f.context} context.` : '',
    f.offset && f.size ? `0x${f.offset} bytes into a function of 0x${f.size} bytes.` : '',
  ].filter(Boolean).join(' ');
  return `<li${classes ? ` class="${classes}"` : ''}><span class="f" tabindex="0" data-tip="${esc(tip || 'a caller of the frame above')}">${esc(frameText(f))}</span></li>`;
}

function reportBlock(r: CrashReport, d: Diagnosis): string {
  const facts = reportFacts(r).map((f) => `<dt>${esc(f.label)}</dt><dd>${esc(f.value)}</dd>`).join('');
  const annotations = annotationsOf(r, d);
  const lines = r.lines.map((l) => `<span class="line"><span class="ln">${l.line}</span>${annotate(l.text, annotations)}</span>`).join('');
  const corrupted = r.corrupted ? `<p class="corrupted">Corrupted report: ${esc(r.corruptedReasons.join('; '))}</p>` : '';
  return [
    `<article class="report" id="${esc(r.id)}"><h3>${esc(r.id)} ${esc(r.kind)}: ${esc(r.title)}</h3>`,
    corrupted,
    `<dl class="facts">${facts}</dl>`,
    `<details open><summary>As logged (${r.lines.length} lines, ${esc(r.lines[0]?.source ?? '')}), hover a marked field</summary><pre class="log">${lines}</pre></details></article>`,
  ].join('\n');
}

function playbookBlock(d: Diagnosis): string {
  const steps = (list: readonly PlaybookStep[]): string =>
    `<ol>${list
      .map((s) => `<li>${inlineCode(s.step)}${(s.commands ?? []).map((c) => commandLines(c.purpose, c)).join('')}</li>`)
      .join('')}</ol>`;
  return [
    `<details class="playbook"><summary>Playbook: ${esc(d.playbook.title)}</summary>`,
    `<h4>Check first</h4>${steps(d.playbook.checks)}<h4>Fix</h4>${steps(d.playbook.fix)}<h4>Prevent</h4>${steps(d.playbook.prevent)}`,
    d.cause.confirm.length > 0 ? `<h4>To confirm the cause</h4><ul>${d.cause.confirm.map((c) => `<li>${inlineCode(c)}</li>`).join('')}</ul>` : '',
    '</details>',
  ].join('');
}

function commandLines(purpose: string, c: { any?: string; debian?: string; rhel?: string }): string {
  const rows = [c.any ? ['', c.any] : undefined, c.debian ? ['Debian/Ubuntu', c.debian] : undefined, c.rhel ? ['RHEL/Fedora', c.rhel] : undefined].filter(
    (x): x is string[] => x !== undefined,
  );
  return rows.map(([family, cmd]) => `<div class="cmd"><span class="purpose">${esc(purpose)}${family ? ` (${esc(family)})` : ''}</span><code>${esc(cmd ?? '')}</code></div>`).join('');
}

/** What in the report's lines gets a hover explanation, from its decoded fields. */
function annotationsOf(r: CrashReport, d: Diagnosis): Annotation[] {
  const notes: Annotation[] = [];
  const add = (text: string | undefined, tip: string | undefined, className?: string): void => {
    if (text && tip && text.length >= 2) notes.push(className ? { text, tip, className } : { text, tip });
  };
  add(r.header.trim(), KIND_DESCRIPTIONS.get(r.kind), 'header');
  if (r.taint?.tainted) add(r.taint.raw.trim(), `Taint: ${r.taint.flags.map((f) => `${f.letter} = ${f.meaning}`).join('; ')}`);
  else if (r.taint) add('Not tainted', 'No taint flag set: only the kernel\'s own, signed code has run and nothing went wrong before.');
  const ipIsCulprit = r.culprit?.from === 'ip';
  if (r.ip) add(r.ip.raw, `The instruction pointer: ${r.ip.function ?? 'an address'}${r.ip.offset ? `, 0x${r.ip.offset} bytes into it` : ''}${r.ip.module ? `, in module ${r.ip.module}` : ''}.${ipIsCulprit ? ' The culprit.' : ''}`, ipIsCulprit ? 'culprit' : undefined);
  if (r.faultAddress) add(r.faultAddress.address, r.faultAddress.explanation);
  for (const line of r.pageFault?.lines ?? []) add(line.trim(), `Page-fault error code 0x${r.pageFault?.code.toString(16)}: ${r.pageFault?.description}`);
  if (r.code) add('Code:', r.code.unavailable ? 'The kernel could not read the code bytes.' : 'The machine code around the faulting instruction; the one in <> (or ()) is where it stopped.');
  if (r.hardware) add(r.hardware.name, 'The machine (DMI product name) and firmware version.');
  if (r.kernel) add(r.kernel.release, 'The kernel release (uname -r) that crashed.');
  if (r.panic) add(r.panic.message, `Panic reason: ${r.panic.reason}.`);
  for (const m of r.modules?.linked ?? []) {
    if (m.flags.length > 0) add(`${m.name}(${m.flags.join('')})`, `Module ${m.name}: ${describeModuleFlags(m.flags)}.`);
  }
  const main = r.stacks[0]?.frames ?? [];
  const culprit = main[culpritFrameIndex(r, main, d)];
  if (culprit) add(culprit.raw.trim(), 'The culprit frame: the first that is not shared crash machinery.', 'culprit');

  return notes;
}


/** The line, escaped, with the first occurrence of each annotation wrapped; annotations never overlap. */
function annotate(text: string, notes: readonly Annotation[]): string {
  const spans: { start: number; end: number; note: Annotation }[] = [];
  for (const note of notes) {
    const start = text.indexOf(note.text);
    if (start < 0) continue;
    const end = start + note.text.length;
    if (spans.some((s) => start < s.end && end > s.start)) continue;
    spans.push({ start, end, note });
  }
  spans.sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const s of spans) {
    out += esc(text.slice(at, s.start));
    out += `<span class="f${s.note.className ? ` ${s.note.className}` : ''}" tabindex="0" data-tip="${esc(s.note.tip)}">${esc(text.slice(s.start, s.end))}</span>`;
    at = s.end;
  }
  return out + esc(text.slice(at));
}

/** Escaped text with `code` spans. */
function inlineCode(text: string): string {
  return esc(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
