import type { CrashReport } from '../reports/crash-report.js';

/**
 * Messages that print a stack of their own without being a crash (fault injection, an
 * allocation failure): printed into a report, they mean the rest of its text is intermixed with
 * another stack, so nothing after them can be trusted to belong to the report.
 */
const FOREIGN_STACK_MESSAGE = /FAULT_INJECTION: forcing a failure|vmalloc: allocation failure:|FAULT_FLAG_ALLOW_RETRY missing/;

/**
 * The report's text from its header on, followed by `more` (the reports printed inside it), up
 * to the first foreign-stack message.
 */
export function readableLines(report: CrashReport, more: readonly string[] = []): string[] {
  const texts = report.lines.map((l) => l.text);
  const start = Math.max(0, texts.findIndex((t) => t.includes(report.header.trim())));
  const all = [...texts.slice(start), ...more];
  const end = all.findIndex((t, i) => i > 0 && FOREIGN_STACK_MESSAGE.test(t));
  return end < 0 ? all : all.slice(0, end);
}
