import type { Diagnosis } from '../analysis/diagnosis.js';
import { stripCompilerSuffix } from '../analysis/frame-names.js';
import type { AnalysisResult, CrashReport, Incident, StackFrame } from '../reports/crash-report.js';
import { isForeignModule } from '../reports/decode/module-flags.js';

/** One decoded field of a report as a renderer shows it: a label and its value in words. */
export interface ReportFact {
  label: string;
  value: string;
}

/** The decoded fields every renderer shows for a report, in the order an expert reads them. */
export function reportFacts(r: CrashReport): ReportFact[] {
  const facts: ReportFact[] = [];
  const add = (label: string, value: string | undefined): void => {
    if (value) facts.push({ label, value });
  };
  add('task', [r.cpu !== undefined ? `CPU ${r.cpu}` : '', r.pid !== undefined ? `PID ${r.pid}` : '', r.comm ? `comm ${r.comm}` : ''].filter(Boolean).join(', '));
  add('kernel', r.kernel ? `${r.kernel.release}${r.kernel.build ? ` ${r.kernel.build}` : ''}` : undefined);
  add('hardware', r.hardware ? `${r.hardware.name}${r.hardware.bios ? `, BIOS ${r.hardware.bios}` : ''}` : undefined);
  add('taint', r.taint?.tainted ? r.taint.flags.map((f) => `${f.letter} (${f.meaning})`).join(', ') : undefined);
  add('panic', r.panic ? `${r.panic.message} [${r.panic.reason}]` : undefined);
  add('ip', r.ip?.raw);
  add('fault address', r.faultAddress ? `${r.faultAddress.address} — ${r.faultAddress.explanation}` : undefined);
  add('page fault', r.pageFault ? `error code 0x${r.pageFault.code.toString(16)} — ${r.pageFault.description}` : undefined);
  if (r.memoryAccess) {
    const m = r.memoryAccess;
    const size = m.size !== undefined ? ` of size ${m.size}` : '';
    const at = m.address ? ` at ${m.address}` : '';
    const cache = m.cache ? `, object in cache ${m.cache}` : '';
    add('access', `${m.bugType}${m.access ? ` ${m.access}` : ''}${size}${at}${cache}`);
  }
  add('killed', r.oom?.victim ? `${r.oom.victim.comm} (pid ${r.oom.victim.pid}), anon-rss ${r.oom.victim.anonRssKb ?? '?'} kB` : undefined);
  const notable = r.modules?.linked.filter((m) => isForeignModule(m.flags));
  add('modules', notable && notable.length > 0 ? notable.map((m) => `${m.name}(${m.flags.join('')})`).join(' ') : undefined);
  return facts;
}

/** A frame as the kernel printed it, plus its source location when known. */
export function frameText(f: StackFrame): string {
  const offset = f.offset ? `+0x${f.offset}${f.size ? `/0x${f.size}` : ''}` : '';
  const module = f.module ? ` [${f.module}]` : '';
  const ctx = f.context !== 'task' && f.context !== 'unknown' ? ` <${f.context}>` : '';
  const file = f.file ? ` ${f.file}${f.line !== undefined ? `:${f.line}` : ''}` : '';
  return `${f.reliable ? '' : '? '}${f.function}${offset}${module}${file}${ctx}`;
}

/**
 * The frame to mark as the culprit: none when the culprit is the instruction pointer (the RIP line
 * is marked instead), else the first frame of the culprit's function, a reliable one if any.
 */
export function culpritFrameIndex(report: CrashReport, frames: readonly StackFrame[], d: Diagnosis): number {
  const culprit = d.culprit;
  if (!culprit || report.culprit?.from === 'ip') return -1;
  const matches = (f: StackFrame) => stripCompilerSuffix(f.function) === culprit.function && (culprit.module ?? '') === (f.module ?? '');
  const reliable = frames.findIndex((f) => f.reliable && matches(f));
  return reliable >= 0 ? reliable : frames.findIndex(matches);
}

/** The incident's reports in order (ids that name no report are skipped). */
export function incidentReports<R>(incident: Incident, byId: ReadonlyMap<string, R>): R[] {
  return incident.reportIds.map((id) => byId.get(id)).filter((r): r is R => r !== undefined);
}

/**
 * For each incident whose first cause repeats an earlier one (same bucket), that earlier
 * incident: renderers answer a crash once and point repeats at the answer.
 */
export function earlierSameCrash(incidents: readonly Incident[]): Map<string, Incident> {
  const firstByBucket = new Map<string, Incident>();
  const repeats = new Map<string, Incident>();
  for (const incident of incidents) {
    const bucket = incident.diagnosis?.bucket;
    if (bucket === undefined) continue;
    const first = firstByBucket.get(bucket);
    if (first) repeats.set(incident.id, first);
    else firstByBucket.set(bucket, incident);
  }
  return repeats;
}

/** `input:line [ts]`. */
/** What an input was: its log format, or for a crash dump the dump's container and compression. */
export function inputKind(input: AnalysisResult['inputs'][number]): string {
  return input.dump ?? input.format;
}

export function whereText(source: string, line: number, ts: number | undefined): string {
  return `${source}:${line}${ts !== undefined ? ` [${ts.toFixed(6)}]` : ''}`;
}
