import type { DoctorReport } from '../host/run-doctor.js';

const MARK = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', skip: 'SKIP' } as const;
const COLOR = { pass: '\u001b[32m', warn: '\u001b[33m', fail: '\u001b[31m', skip: '\u001b[2m' } as const;
const RESET = '\u001b[0m';

/** The doctor's table: one line per check, then what was read and the fix for the ones that did not pass. */
export function renderDoctorText(report: DoctorReport, opts: { color: boolean; verbose: boolean }): string {
  const paint = (status: keyof typeof MARK, text: string): string => (opts.color ? `${COLOR[status]}${text}${RESET}` : text);
  const out: string[] = [];
  const host = report.live ? 'this machine' : `sysroot ${report.root}`;
  out.push(`ktriage doctor: ${host}${report.os ? ` (${report.os.prettyName}, ${report.os.family} family)` : ''}${report.kernel ? `, kernel ${report.kernel}` : ''}`);
  const c = report.counts;
  out.push(`score ${report.score}/100   ${c.pass} pass, ${c.warn} warn, ${c.fail} fail, ${c.skip} skipped`);
  let area = '';
  const width = Math.max(...report.checks.map((r) => r.id.length));
  for (const r of report.checks) {
    if (r.area !== area) {
      area = r.area;
      out.push('', `${area}:`);
    }
    out.push(`  ${paint(r.status, MARK[r.status])}  ${r.id.padEnd(width)}  ${r.summary}`);
    if (r.status !== 'pass' || opts.verbose) {
      for (const e of r.evidence) out.push(`        read: ${e}`);
      if (r.status === 'warn' || r.status === 'fail') {
        out.push(`        why:  ${r.why}`);
        if (r.fix) out.push(`        fix:  ${r.fix}`);
      }
    }
  }
  if (report.rootWouldImprove.length > 0) {
    out.push('', `run as root to check more fully: ${report.rootWouldImprove.join(', ')}`);
  }
  out.push('', 'Nothing was changed: doctor only reads. Fixes are printed for you to apply.');
  return `${out.join('\n')}\n`;
}
