import { KtError } from '../errors.js';
import type { LogLine } from '../logs/log-line.js';
import { anyOf } from '../reports/any-of.js';
import { KIND_TABLE } from '../reports/kinds.js';
import { PRECURSOR_TABLE } from '../reports/precursors.js';
import { mergeByName, readRuleList, ruleWhere } from './rules-file.js';
import { isWatchSeverity, type WatchSeverity } from './severity.js';

/** One precursor or crash rule of rules/watch-rules.yaml, its patterns resolved. */
export interface LineRule {
  name: string;
  severity: WatchSeverity;
  alert: boolean;
  /** What it matches: a report kind's header (alerted once the report is complete), a precursor, or the user's pattern. */
  matches: 'report' | 'precursor' | 'pattern';
  /** Every pattern whose match on a line's text fires the rule. */
  patterns: RegExp[];
}

export interface RuleHit {
  rule: LineRule;
  line: LogLine;
}

export const BUNDLED_WATCH_RULES = new URL('../../rules/watch-rules.yaml', import.meta.url);

/** The bundled rules, then each user file's: validated whole before the agent reads a line. */
export async function loadLineRules(userFiles: readonly string[]): Promise<LineRule[]> {
  const lists: LineRule[][] = [];
  for (const file of [BUNDLED_WATCH_RULES, ...userFiles]) {
    const { rows, source } = await readRuleList(file, 'rules');
    lists.push(rows.map((row, i) => checkLineRule(row, ruleWhere(source, 'rules', i, row))));
  }
  return mergeByName(lists);
}

/**
 * A row's matcher comes from the tables the extractor already uses (a report kind's header, a
 * precursor's pattern), so the agent and `analyze` never disagree on what a line is.
 */
export function checkLineRule(row: Record<string, unknown>, where: string): LineRule {
  const bad = (why: string) => new KtError('KT_E_BAD_RULES', `${where}: ${why}`);
  const { name, severity } = row;
  if (typeof name !== 'string' || !/^[a-z0-9][a-z0-9_-]*$/.test(name)) throw bad('name must be lower-case letters, digits, - or _');
  if (!isWatchSeverity(severity)) throw bad("severity must be one of info, warning, critical");
  const alert = row['alert'] ?? true;
  if (typeof alert !== 'boolean') throw bad('alert must be true or false');
  const ways = (['report', 'precursor', 'pattern'] as const).filter((k) => row[k] !== undefined);
  if (ways.length !== 1) throw bad('needs exactly one of report:, precursor:, pattern:');
  const known = new Set(['name', 'severity', 'alert', 'report', 'precursor', 'pattern']);
  for (const key of Object.keys(row)) if (!known.has(key)) throw bad(`unknown field '${key}'`);
  const matches = ways[0] as LineRule['matches'];
  return { name, severity, alert, matches, patterns: patternsOf(matches, row, bad) };
}

function patternsOf(way: 'report' | 'precursor' | 'pattern', row: Record<string, unknown>, bad: (why: string) => Error): RegExp[] {
  const value = row[way];
  if (way === 'pattern') {
    if (typeof value !== 'string' || value === '') throw bad('pattern must be a non-empty string');
    try {
      return [new RegExp(value)];
    } catch (e) {
      throw bad(`pattern is not a valid regular expression: ${(e as Error).message}`);
    }
  }
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string')) throw bad(`${way} must be a list of kinds`);
  const patterns: RegExp[] = [];
  for (const kind of value as string[]) {
    const found =
      way === 'report'
        ? headersOf(kind)
        : PRECURSOR_TABLE.filter((r) => r.kind === kind).map((r) => r.pattern);
    if (found.length === 0) throw bad(`no ${way} kind '${kind}'`);
    patterns.push(...found);
  }
  return patterns;
}

/** A kind's headers that prove it on their own line; its weak or orphan ones when it has no other. */
function headersOf(kind: string): RegExp[] {
  const rows = KIND_TABLE.filter((r) => r.kind === kind);
  const strong = rows.filter((r) => !r.orphan && !r.weak);
  return (strong.length > 0 ? strong : rows).map((r) => r.header);
}

/** Matches lines against the rules; one cheap combined test first, most lines match nothing. */
export class LineRuleMatcher {
  private readonly any: { test(s: string): boolean };
  constructor(private readonly rules: readonly LineRule[]) {
    this.any = anyOf(rules.flatMap((r) => r.patterns));
  }

  match(line: LogLine): RuleHit | undefined {
    if (!this.any.test(line.text)) return undefined;
    for (const rule of this.rules) if (rule.patterns.some((p) => p.test(line.text))) return { rule, line };
    return undefined;
  }
}
