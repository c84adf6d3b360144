import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { LogLine } from '../logs/log-line.js';
import { JournalExportFormat } from '../logs/formats/journal-export-format.js';
import { openVmcoreLog } from '../vmcore/vmcore-log.js';
import type { CrashReport, Incident } from '../reports/crash-report.js';
import type { AnalyzerRules } from '../pipeline/index.js';
import { analyzeLogText, analyzeOpenedLog } from './analyze-offline.js';
import { findCrashFiles } from './crash-dumps.js';
import { assemblePstore, readPstoreDir, systemdPstoreDirs } from './pstore.js';
import { stableEventId } from './report-id.js';
import type { StateDir } from './state-dir.js';

export interface PreviousBootOptions {
  host: string;
  bootId: string;
  state: StateDir;
  pstoreDirs: string[];
  systemdPstoreDir?: string;
  crashDirs: string[];
  /** The journalctl binary; undefined: do not ask the journal. */
  journalctl?: string;
  /** `--upload-dumps`: the dump file itself may leave the host (only its path is reported otherwise). */
  uploadDumps?: boolean;
  rules: AnalyzerRules;
}

export interface Evidence {
  source: 'journal' | 'agent-state' | 'pstore' | 'vmcore' | 'kdump-dmesg';
  path?: string;
  detail: string;
  reportIds: string[];
}

/** The `unexpected-reboot` event of the collector's API. */
export interface WatchEvent {
  id: string;
  type: 'unexpected-reboot' | 'precursor' | 'resource';
  time: string;
  release?: string;
  boot?: string;
  severity?: 'info' | 'warning' | 'critical';
  summary: string;
  reportIds?: string[];
  data?: Record<string, unknown>;
}

export interface PreviousBootResult {
  event?: WatchEvent;
  reports: CrashReport[];
  incidents: Incident[];
  /** What was refused or could not be read (symlinks, huge files, undecodable records). */
  refused: { path: string; why: string }[];
  /** Whether the previous boot ended cleanly, when known. */
  endedCleanly?: boolean;
  previousBoot?: string;
}

/** Journal lines systemd and the kernel write on an orderly shutdown (journald stops after most of them). */
const CLEAN_END = /Journal stopped|Reached target (?:System )?(?:Shutdown|Power-Off|Reboot|Halt|Final Step)|Shutting down\.|systemd-shutdown|reboot: (?:Restarting system|Power down)/;

/** The agent's own memory of a boot: kept during it, read at the next start. */
export interface BootMemory {
  bootId: string;
  /** Set when the agent was stopped (SIGTERM, as at shutdown), cleared while running. */
  stoppedCleanly: boolean;
  /** The last kernel lines it read (bounded). */
  lastLines: string[];
}

const HANDLED_FILE = 'handled.json';
const HANDLED_LIMIT = 2000;

/**
 * The checks at start: did the previous boot end cleanly (its journal, else the agent's own
 * memory of it), and are there unread pstore records or new dumps (each handled once, by key
 * kept in the state directory). Whatever was found goes into one `unexpected-reboot` event.
 */
export async function checkPreviousBoot(opts: PreviousBootOptions): Promise<PreviousBootResult> {
  const memory = opts.state.readJson<BootMemory | undefined>('boot.json', undefined);
  const handled = new Set(opts.state.readJson<string[]>(HANDLED_FILE, []));
  const newlyHandled: string[] = [];
  const evidence: Evidence[] = [];
  const reports: CrashReport[] = [];
  const incidentsOut: Incident[] = [];
  const refused: { path: string; why: string }[] = [];
  const sameBoot = memory?.bootId === opts.bootId;
  const previousBoot = sameBoot ? undefined : memory?.bootId;
  let endedCleanly: boolean | undefined;

  if (!sameBoot) {
    const journal = opts.journalctl ? await journalEnd(opts.journalctl) : undefined;
    if (journal && journal.bootId !== opts.bootId) {
      endedCleanly = journal.clean;
      if (!journal.clean) {
        const { reports: found, incidents } = await analyzeLogText(journal.kernelText, 'journal:-1', opts.host, journal.bootId, opts.rules);
        reports.push(...found);
        incidentsOut.push(...incidents);
        evidence.push({ source: 'journal', detail: `the journal of boot ${journal.bootId} ends without a shutdown: ${journal.lastLine}`, reportIds: found.map((r) => r.id) });
      }
    } else if (memory) {
      endedCleanly = memory.stoppedCleanly;
      if (!memory.stoppedCleanly) {
        const { reports: found, incidents } = await analyzeLogText(memory.lastLines.join('\n'), 'agent-state', opts.host, memory.bootId, opts.rules);
        reports.push(...found);
        incidentsOut.push(...incidents);
        evidence.push({ source: 'agent-state', detail: `the agent ran until the end of boot ${memory.bootId} and was never stopped; its last line: ${memory.lastLines.at(-1) ?? '(none)'}`, reportIds: found.map((r) => r.id) });
      }
    }
  }

  const pstoreDirs = [...opts.pstoreDirs, ...(opts.systemdPstoreDir ? systemdPstoreDirs(opts.systemdPstoreDir) : [])];
  for (const dir of pstoreDirs) {
    const read = readPstoreDir(dir);
    refused.push(...read.refused);
    const unread = read.files.filter((f) => !handled.has(f.key));
    const { records, undecodable } = assemblePstore(unread);
    for (const path of undecodable) refused.push({ path, why: 'compressed record that does not decompress' });
    for (const record of records) {
      const { reports: found, incidents } = await analyzeLogText(record.text, record.files[0] ?? dir, opts.host, previousBoot, opts.rules);
      reports.push(...found);
      incidentsOut.push(...incidents);
      const missing = record.missingParts > 0 ? `, ${record.missingParts} parts missing` : '';
      evidence.push({ source: 'pstore', path: record.files.join(' '), detail: `pstore record ${record.id} (${record.reason}, ${record.files.length} parts${missing})`, reportIds: found.map((r) => r.id) });
      newlyHandled.push(...record.keys);
    }
    for (const f of unread) if (!newlyHandled.includes(f.key)) newlyHandled.push(f.key);
  }

  for (const dir of opts.crashDirs) {
    const { found, refused: bad } = findCrashFiles(dir);
    refused.push(...bad);
    for (const dump of found.filter((d) => !handled.has(d.key))) {
      newlyHandled.push(dump.key);
      try {
        const result =
          dump.kind === 'dump'
            ? await analyzeOpenedLog(await openVmcoreLog(dump.path), opts.host, previousBoot, opts.rules)
            : await analyzeLogText(readFileSync(dump.path, 'utf8'), dump.path, opts.host, previousBoot, opts.rules);
        reports.push(...result.reports);
        incidentsOut.push(...result.incidents);
        const partial = result.partial ? ` (partial: ${result.partial})` : '';
        evidence.push({ source: dump.kind === 'dump' ? 'vmcore' : 'kdump-dmesg', path: dump.path, detail: `${dump.kind === 'dump' ? 'crash dump' : 'kdump kernel log'} ${dump.path}${partial}`, reportIds: result.reports.map((r) => r.id) });
      } catch (e) {
        refused.push({ path: dump.path, why: (e as Error).message.split('\n')[0] ?? 'unreadable' });
      }
    }
  }

  if (newlyHandled.length > 0) opts.state.writeJson(HANDLED_FILE, [...handled, ...newlyHandled].slice(-HANDLED_LIMIT));

  const unexpected = endedCleanly === false || evidence.some((e) => e.source === 'pstore' || e.source === 'vmcore' || e.source === 'kdump-dmesg');
  const result: PreviousBootResult = { reports, incidents: incidentsOut, refused };
  if (endedCleanly !== undefined) result.endedCleanly = endedCleanly;
  if (previousBoot !== undefined) result.previousBoot = previousBoot;
  if (!unexpected) return result;
  const worst = reports.find((r) => r.severity === 'fatal') ?? reports[0];
  result.event = {
    id: stableEventId('unexpected-reboot', opts.host, previousBoot ?? '', ...evidence.map((e) => `${e.source}:${e.path ?? ''}`)),
    type: 'unexpected-reboot',
    time: new Date().toISOString(),
    severity: 'critical',
    summary: worst ? `unexpected reboot of ${opts.host}: ${worst.title}` : `unexpected reboot of ${opts.host}: the previous boot ended without a shutdown`,
    reportIds: reports.map((r) => r.id),
    data: { previousBoot: previousBoot ?? null, evidence, refused, dumpsUploaded: opts.uploadDumps === true },
  };
  if (previousBoot !== undefined) result.event.boot = previousBoot;
  return result;
}

/** The end of the previous boot's journal: its boot id, whether it shut down cleanly, its kernel text. */
async function journalEnd(journalctl: string): Promise<{ bootId: string; clean: boolean; lastLine: string; kernelText: string } | undefined> {
  const all = await journalLines(journalctl, ['-b', '-1', '-n', '200', '-o', 'export', '--no-pager', '-q']);
  if (!all || all.length === 0) return undefined;
  const kernel = await journalLines(journalctl, ['-k', '-b', '-1', '-n', '5000', '-o', 'export', '--no-pager', '-q']);
  const tail = all.slice(-60);
  return {
    bootId: all.at(-1)?.boot ?? 'unknown',
    clean: tail.some((l) => CLEAN_END.test(l.text)),
    lastLine: all.at(-1)?.text ?? '',
    kernelText: (kernel ?? []).map((l) => (l.ts === undefined ? l.text : `[${l.ts.toFixed(6).padStart(12)}] ${l.text}`)).join('\n'),
  };
}

function journalLines(journalctl: string, args: string[]): Promise<LogLine[] | undefined> {
  return new Promise((resolve) => {
    const child = spawn(journalctl, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    const format = new JournalExportFormat('journal:-1');
    const out: LogLine[] = [];
    let bytes = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > 64 << 20) return child.kill();
      format.push(chunk, out);
    });
    child.on('error', () => resolve(undefined));
    child.on('close', (code) => {
      format.push(Buffer.from('\n'), out);
      resolve(code === 0 ? out : undefined);
    });
  });
}
