import type { Area, CheckRow, Status } from './check-row.js';
import { ALL_CHECKS } from './checks/all-checks.js';
import { gatherHostFacts } from './host-facts.js';
import type { HostReader } from './host-reader.js';
import type { DistroFamily } from './parse/os-release.js';

export const DOCTOR_SCHEMA_VERSION = 1;

export interface CheckResult {
  id: string;
  area: Area;
  title: string;
  status: Status;
  summary: string;
  evidence: string[];
  why: string;
  /** The fix for this host's family; both when the family is unknown. Absent when the check passed. */
  fix?: string;
  rootWouldHelp: boolean;
}

/** What `ktriage doctor --json` prints (docs/doctor.md). */
export interface DoctorReport {
  schemaVersion: number;
  root: string;
  live: boolean;
  privileged: boolean;
  os: { prettyName: string; family: DistroFamily } | null;
  kernel: string | null;
  /** 0–100: pass counts 1, warn ½, fail 0; skipped checks do not count. */
  score: number;
  counts: Record<Status, number>;
  checks: CheckResult[];
  /** Ids of the checks running as root would answer better. */
  rootWouldImprove: string[];
}

/** Reads the host once, then judges every row of the table. Never writes anything. */
export async function runDoctor(reader: HostReader, checks: readonly CheckRow[] = ALL_CHECKS): Promise<DoctorReport> {
  const facts = await gatherHostFacts(reader);
  const family = facts.os.known ? facts.os.value.family : 'unknown';
  const results = checks.map((row): CheckResult => {
    const v = row.verdict(facts);
    const result: CheckResult = {
      id: row.id,
      area: row.area,
      title: row.title,
      status: v.status,
      summary: v.summary,
      evidence: v.evidence,
      why: row.why,
      rootWouldHelp: v.rootWouldHelp === true,
    };
    if (v.status !== 'pass') result.fix = family === 'unknown' ? `Debian/Ubuntu: ${row.fix.debian} | RHEL/Fedora/SUSE: ${row.fix.rhel}` : row.fix[family];
    return result;
  });
  const counts: Record<Status, number> = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const r of results) counts[r.status]++;
  const judged = counts.pass + counts.warn + counts.fail;
  const release = facts.sysctl['kernel/osrelease'];
  return {
    schemaVersion: DOCTOR_SCHEMA_VERSION,
    root: facts.root,
    live: facts.live,
    privileged: facts.privileged,
    os: facts.os.known ? { prettyName: facts.os.value.prettyName, family } : null,
    kernel: release.known ? String(release.value) : null,
    score: judged === 0 ? 0 : Math.round((100 * (counts.pass + counts.warn / 2)) / judged),
    counts,
    checks: results,
    rootWouldImprove: results.filter((r) => r.rootWouldHelp).map((r) => r.id),
  };
}
