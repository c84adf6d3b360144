import type { CrashReport, PrecursorEvent, StackFrame } from '../reports/crash-report.js';

/** What the cause rules, playbooks and known issues look at: one incident's reports and what came before. */
export interface IncidentFacts {
  /** The incident's reports in log order, already diagnosed (title, culprit). */
  reports: readonly CrashReport[];
  /** The first cause. */
  first: CrashReport;
  /** The panic that ended the incident, if any. */
  panic?: CrashReport;
  /** Storage and filesystem distress on the same host and input before the incident ended. */
  precursors: readonly PrecursorEvent[];
}

export function buildFacts(reports: readonly CrashReport[], precursors: readonly PrecursorEvent[]): IncidentFacts {
  const first = reports[0];
  if (!first) throw new Error('an incident has at least one report');
  const facts: IncidentFacts = { reports, first, precursors };
  const panic = reports.find((r) => r.kind === 'panic');
  if (panic) facts.panic = panic;
  return facts;
}

/** The flags a module carries in a report's `Modules linked in:` list. */
export function moduleFlags(report: CrashReport, module: string): string[] {
  return report.modules?.linked.find((m) => m.name === module)?.flags ?? [];
}

/** Letters of the report's taint (`O`, `W`, …). */
export function taintLetters(report: CrashReport): Set<string> {
  return new Set(report.taint?.flags.map((f) => f.letter) ?? []);
}

/** Every frame of every stack of a report. */
export function allFrames(report: CrashReport): StackFrame[] {
  return report.stacks.flatMap((s) => s.frames);
}

/** Every line of the incident's reports, gathered once per incident (every line rule reads them). */
export function incidentText(facts: IncidentFacts): readonly string[] {
  let text = gathered.get(facts);
  if (!text) {
    text = facts.reports.flatMap((r) => r.lines.map((l) => l.text));
    gathered.set(facts, text);
  }
  return text;
}

const gathered = new WeakMap<IncidentFacts, string[]>();

/** `6.1.0-56-cloud-amd64` → [6, 1, 0]; undefined when the release does not start with a version. */
export function releaseNumbers(release: string): number[] | undefined {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(release);
  if (!m) return undefined;
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
}

/** The kernel release the incident names, from any of its reports. */
export function incidentRelease(facts: IncidentFacts): string | undefined {
  return facts.reports.find((r) => r.kernel?.release)?.kernel?.release;
}

/** The exit status in `Attempted to kill init! exitcode=0x00000100`, explained. */
export function initExitStatus(message: string): string | undefined {
  const m = /exitcode=0x([0-9a-f]{1,8})/i.exec(message);
  if (!m) return undefined;
  const code = parseInt(m[1] ?? '0', 16);
  const signal = code & 0x7f;
  if (signal === 0) return `init exited with status ${(code >> 8) & 0xff}${(code >> 8) === 127 ? ' (command not found: a missing interpreter or library)' : ''}`;
  const name = SIGNAL_NAMES[signal];
  return `init was killed by signal ${signal}${name ? ` (${name})` : ''}`;
}

const SIGNAL_NAMES: Record<number, string> = {
  4: 'SIGILL: an instruction this CPU does not have',
  6: 'SIGABRT',
  7: 'SIGBUS',
  9: 'SIGKILL',
  11: 'SIGSEGV: a crash in init or a library it loads',
  15: 'SIGTERM',
};
