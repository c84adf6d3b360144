import type { CrashReport, ReportLine } from './crash-report.js';
import { decodeReportFields } from './decode/decode-report.js';
import type { RawReport } from './segmenter.js';

const END_REASON_PROBLEM: Partial<Record<RawReport['endReason'], string>> = {
  'too-long': 'report cut at its line limit',
  'new-boot': 'the machine rebooted before the report was complete',
};

/** Decodes a segmented report into the model. `id` is its place in the log (`r1`…). */
export function buildReport(raw: RawReport, id: string): CrashReport {
  const texts = raw.lines.map((l) => l.text);
  const decoded = decodeReportFields(texts, { kind: raw.kind });
  const { corruptedReasons: decodeProblems, ...fields } = decoded;
  const corruptedReasons = [...decodeProblems];
  // A report cut by a reboot is complete enough once its call trace is out (kdump boots right after the oops).
  const endProblem = raw.endReason === 'new-boot' && raw.hasStack ? undefined : END_REASON_PROBLEM[raw.endReason];
  if (endProblem) corruptedReasons.push(endProblem);
  // `bad_mode()` and old `__warn()` panic before any trace: the panic report right after carries it.
  const traceInNextPanic = raw.endedBy === 'panic' || raw.endedBy === 'stack-protector';
  if (raw.row.expectsStack && !raw.hasStack && fields.stacks.length === 0 && !traceInNextPanic) corruptedReasons.push('no call trace');
  const header = raw.header;
  const report: CrashReport = {
    id,
    kind: raw.kind,
    severity: raw.row.severity,
    title: header.text.trim(),
    header: header.text,
    corrupted: corruptedReasons.length > 0,
    corruptedReasons: [...new Set(corruptedReasons)],
    lines: raw.lines.map(toReportLine),
    ...fields,
  };
  if (header.host !== undefined) report.host = header.host;
  if (header.boot !== undefined) report.boot = header.boot;
  if (header.ts !== undefined) report.ts = header.ts;
  if (header.wallTime !== undefined) report.wallTime = header.wallTime;
  return report;
}

function toReportLine(line: RawReport['lines'][number]): ReportLine {
  const out: ReportLine = { text: line.text, source: line.origin.source, line: line.origin.line };
  if (line.ts !== undefined) out.ts = line.ts;
  return out;
}
