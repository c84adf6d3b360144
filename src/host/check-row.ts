import type { Fact } from './fact.js';
import type { HostFacts } from './host-facts.js';

export type Status = 'pass' | 'warn' | 'fail' | 'skip';

export type Area = 'crash capture' | 'panic policy' | 'logs' | 'boot path' | 'present danger' | 'crash data security';

export interface Verdict {
  status: Status;
  /** One line: what was found. */
  summary: string;
  /** What was read, as `where: value`. */
  evidence: string[];
  /** Set when running as root would have read something this check could not. */
  rootWouldHelp?: boolean;
}

/** The command that fixes a failing check, per distribution family. Printed, never run. */
export interface Fix {
  debian: string;
  /** RHEL, Fedora, CentOS, Rocky, Alma, SUSE. */
  rhel: string;
}

/** One readiness check: a row of data plus a pure verdict over the host's facts. */
export interface CheckRow {
  id: string;
  area: Area;
  title: string;
  /** Files and commands it reads (documentation; the facts carry what was actually read). */
  reads: string[];
  /** What is lost at the next panic when this is wrong. */
  why: string;
  fix: Fix;
  verdict(facts: HostFacts): Verdict;
}

export function verdict(status: Status, summary: string, ...evidence: string[]): Verdict {
  return { status, summary, evidence };
}

/** `where: value` for a known fact, `where: why` for an unknown one. */
export function evidence<T>(fact: Fact<T>, show?: (value: T) => string): string {
  if (!fact.known) return fact.detail;
  const value = show ? show(fact.value) : String(fact.value);
  return `${fact.from}: ${value}`;
}

/** The verdict for a check whose input could not be read: skipped, with the reason. */
export function skipped(fact: Fact<unknown> & { known: false }): Verdict {
  const v = verdict('skip', `not checked: ${fact.detail}`);
  if (fact.why === 'denied') v.rootWouldHelp = true;
  return v;
}

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

export function bytes(n: number): string {
  if (n >= GiB) return `${(n / GiB).toFixed(n % GiB === 0 ? 0 : 1)} GiB`;
  if (n >= MiB) return `${(n / MiB).toFixed(n % MiB === 0 ? 0 : 1)} MiB`;
  return `${Math.round(n / 1024)} KiB`;
}
