import type { AnalysisResult, CrashReport, Incident, ResolvedLocation, StackFrame } from '../reports/crash-report.js';

export interface TextOptions {
  color: boolean;
}

type Paint = (code: string, s: string) => string;

/** How many frames of the main call trace the summary shows. */
const FRAMES_SHOWN = 12;

/** The default terminal view: incidents first cause first, each report's decoded fields. */
export function renderText(result: AnalysisResult, options: TextOptions): string {
  const paint: Paint = options.color ? (code, s) => `\u001b[${code}m${s}\u001b[0m` : (_c, s) => s;
  const out: string[] = [];
  const byId = new Map(result.reports.map((r) => [r.id, r]));
  const lineCount = result.inputs.reduce((n, i) => n + i.lines, 0);
  for (const input of result.inputs) {
    if (input.partial) out.push(paint('33', `warning: ${input.source} read only in part: ${input.partial}`));
  }
  if (result.reports.length === 0) {
    out.push(`No kernel crash report found in ${lineCount} lines (${result.inputs.map((i) => `${i.source}: ${i.format}`).join(', ')}).`);
  } else {
    out.push(
      paint('1', `${result.reports.length} report(s) in ${result.incidents.length} incident(s)`) +
        ` in ${lineCount} lines (${result.inputs.map((i) => `${i.source}: ${i.format}`).join(', ')})`,
    );
  }
  for (const incident of result.incidents) out.push('', ...renderIncident(incident, byId, paint));
  if (result.precursors.length > 0) {
    out.push('', paint('1', `Storage and filesystem warnings (${result.precursors.length}):`));
    for (const p of result.precursors.slice(0, 20)) out.push(`  ${where(p.source, p.line, p.ts)}  ${p.kind}: ${p.text}`);
    if (result.precursors.length > 20) out.push(`  … and ${result.precursors.length - 20} more (--json lists them all)`);
  }
  return `${out.join('\n')}\n`;
}

function renderIncident(incident: Incident, byId: Map<string, CrashReport>, paint: Paint): string[] {
  const reports = incident.reportIds.map((id) => byId.get(id)).filter((r): r is CrashReport => r !== undefined);
  const first = byId.get(incident.firstCause);
  const host = incident.host ? ` on ${incident.host}` : '';
  const out = [paint('1;36', `Incident ${incident.id}${host}: ${reports.map((r) => r.kind).join(' → ')}`)];
  if (first && reports.length > 1) out.push(`  first cause: ${first.id} ${first.kind}`);
  for (const report of reports) out.push(...renderReport(report, paint));
  return out;
}

function renderReport(r: CrashReport, paint: Paint): string[] {
  const sev = r.severity === 'fatal' || r.severity === 'oops' ? '1;31' : r.severity === 'error' ? '31' : '33';
  const first = r.lines[0];
  const out = [`  ${paint(sev, `[${r.id}] ${r.title}`)}`];
  if (r.culprit) out.push(`       culprit: ${r.culprit.function}${r.culprit.module ? ` [${r.culprit.module}]` : ''}`);
  out.push(`       ${r.kind}: ${r.header.trim()}`);
  if (first) out.push(`       at ${where(first.source, first.line, r.ts)}${r.wallTime ? ` (${r.wallTime})` : ''}`);
  if (r.corrupted) out.push(paint('33', `       corrupted: ${r.corruptedReasons.join('; ')}`));
  const task = [r.cpu !== undefined ? `CPU ${r.cpu}` : '', r.pid !== undefined ? `PID ${r.pid}` : '', r.comm ? `comm ${r.comm}` : '']
    .filter(Boolean)
    .join(', ');
  if (task) out.push(`       task: ${task}`);
  if (r.kernel) out.push(`       kernel: ${r.kernel.release}${r.kernel.build ? ` ${r.kernel.build}` : ''}`);
  if (r.hardware) out.push(`       hardware: ${r.hardware.name}${r.hardware.bios ? `, BIOS ${r.hardware.bios}` : ''}`);
  if (r.taint?.tainted) out.push(`       taint: ${r.taint.flags.map((f) => `${f.letter} (${f.meaning})`).join(', ')}`);
  if (r.panic) out.push(`       panic: ${r.panic.message} [${r.panic.reason}]`);
  if (r.ip) out.push(`       ip: ${r.ip.raw}`, ...renderResolved(r.ip.resolved, '           '));
  if (r.code?.disassembly) {
    const d = r.code.disassembly;
    out.push('       code:', ...d.instructions.map((i) => `         ${i.faulting ? '=>' : '  '} ${i.text}`));
    if (d.explanation) out.push(`       faulting instruction: ${d.explanation}`);
  }
  if (r.faultAddress) out.push(`       fault address: ${r.faultAddress.address} — ${r.faultAddress.explanation}`);
  if (r.pageFault) out.push(`       page fault: error code 0x${r.pageFault.code.toString(16)} — ${r.pageFault.description}`);
  if (r.memoryAccess) {
    const m = r.memoryAccess;
    const size = m.size !== undefined ? ` of size ${m.size}` : '';
    const at = m.address ? ` at ${m.address}` : '';
    const cache = m.cache ? `, object in cache ${m.cache}` : '';
    out.push(`       access: ${m.bugType}${m.access ? ` ${m.access}` : ''}${size}${at}${cache}`);
  }
  if (r.oom?.victim) out.push(`       killed: ${r.oom.victim.comm} (pid ${r.oom.victim.pid}), anon-rss ${r.oom.victim.anonRssKb ?? '?'} kB`);
  const suspicious = r.modules?.linked.filter((m) => m.flags.some((f) => f === 'O' || f === 'P' || f === 'E' || f === 'F' || f === 'C'));
  if (suspicious && suspicious.length > 0) out.push(`       modules: ${suspicious.map((m) => `${m.name}(${m.flags.join('')})`).join(' ')}`);
  for (const stack of r.stacks.slice(0, 3)) {
    out.push(`       ${stack.label === 'main' ? 'call trace' : `${stack.label} stack`}${stack.task ? ` (${stack.task})` : ''}:`);
    for (const frame of stack.frames.slice(0, FRAMES_SHOWN)) out.push(`         ${renderFrame(frame)}`, ...renderResolved(frame.resolved, '             '));
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

function renderFrame(f: StackFrame): string {
  const offset = f.offset ? `+0x${f.offset}${f.size ? `/0x${f.size}` : ''}` : '';
  const module = f.module ? ` [${f.module}]` : '';
  const ctx = f.context !== 'task' && f.context !== 'unknown' ? ` <${f.context}>` : '';
  const file = f.file ? ` ${f.file}${f.line !== undefined ? `:${f.line}` : ''}` : '';
  return `${f.reliable ? '' : '? '}${f.function}${offset}${module}${file}${ctx}`;
}

function where(source: string, line: number, ts: number | undefined): string {
  return `${source}:${line}${ts !== undefined ? ` [${ts.toFixed(6)}]` : ''}`;
}
