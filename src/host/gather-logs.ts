import type { CrashReport, ReportKind, Severity } from '../reports/crash-report.js';
import { KtError } from '../errors.js';
import { analyzeText } from '../pipeline/analyze-text.js';
import type { HostReader } from './host-reader.js';
import { known, unknown, type Fact } from './fact.js';

export interface ReportSummary {
  kind: ReportKind;
  severity: Severity;
  title: string;
}

export interface BootLog {
  /** The command whose output was analysed. */
  source: string;
  reports: ReportSummary[];
}

export interface KernelLogs {
  thisBoot: Fact<BootLog>;
  previousBoot: Fact<BootLog>;
}

const THIS_BOOT = [['journalctl', '-k', '-b', '0', '--no-pager', '-q', '-o', 'short-monotonic'], ['dmesg']] as const;
const PREVIOUS_BOOT = ['journalctl', '-k', '-b', '-1', '--no-pager', '-q', '-o', 'short-monotonic'] as const;

/** The kernel messages of this boot (journal, else `dmesg`) and of the previous one (journal only), analysed. */
export async function gatherKernelLogs(reader: HostReader): Promise<KernelLogs> {
  const attempts: Fact<BootLog>[] = [];
  for (const argv of THIS_BOOT) {
    const r = await readBoot(reader, argv);
    if (r.known) return { thisBoot: r, previousBoot: await readBoot(reader, PREVIOUS_BOOT) };
    attempts.push(r);
  }
  // Neither worked: one unknown naming both reasons, `denied` if either was (root would help).
  const denied = attempts.find((a) => !a.known && a.why === 'denied');
  const first = denied ?? attempts[0];
  const detail = attempts.map((a) => (a.known ? '' : a.detail)).join('; ');
  const thisBoot = first && !first.known ? unknown<BootLog>(first.from, first.why, detail) : unknown<BootLog>('dmesg', 'error', 'no kernel log');
  return { thisBoot, previousBoot: await readBoot(reader, PREVIOUS_BOOT) };
}

async function readBoot(reader: HostReader, argv: readonly string[]): Promise<Fact<BootLog>> {
  const command = argv.join(' ');
  const r = await reader.run(argv);
  if (!r.ok) return unknown(command, r.why, r.detail);
  const { stdout, stderr, status } = r.result;
  const said = (stderr.trim() || stdout.trim()).split('\n')[0] ?? '';
  // Without a persistent journal, `-b -1` is ignored and the current boot is printed instead.
  if (/has no effect|No journal files|-- No entries --|Data from the specified boot .* is not available/i.test(stderr + stdout.slice(0, 200))) {
    return unknown(command, 'absent', `${command}: ${said}`);
  }
  if (status === 0 && stdout.trim() === '') return unknown(command, 'absent', `${command}: no kernel messages in the journal`);
  if (status !== 0) {
    const denied = /not permitted|permission denied/i.test(stderr);
    return unknown(command, denied ? 'denied' : 'error', `${command}: ${said || `status ${status}, no output`}`);
  }
  try {
    const { reports } = await analyzeText(stdout, { source: command });
    return known({ source: command, reports: reports.map((x) => summary(x)) }, command);
  } catch (e) {
    if (e instanceof KtError) return unknown(command, 'error', `${command}: ${e.message}`);
    throw e;
  }
}

function summary(report: CrashReport): ReportSummary {
  return { kind: report.kind, severity: report.severity, title: report.title };
}
