import { KtError } from '../errors.js';
import { mergeByName, readRuleList, ruleWhere } from './rules-file.js';
import type { Sample } from './samplers.js';
import { isWatchSeverity, type WatchSeverity } from './severity.js';

/** One row of rules/watch-resources.yaml. */
export interface ResourceRule {
  name: string;
  metric: string;
  labels: Record<string, string>;
  above?: number;
  below?: number;
  /** Fires when the value grew at each of this many readings in a row. */
  rising?: number;
  severity: WatchSeverity;
}

export interface ResourceBreach {
  rule: ResourceRule;
  sample: Sample;
  /** What it means in one line. */
  summary: string;
}

export const BUNDLED_RESOURCE_RULES = new URL('../../rules/watch-resources.yaml', import.meta.url);

export async function loadResourceRules(userFiles: readonly string[]): Promise<ResourceRule[]> {
  const lists: ResourceRule[][] = [];
  for (const file of [BUNDLED_RESOURCE_RULES, ...userFiles]) {
    const { rows, source } = await readRuleList(file, 'resources');
    lists.push(rows.map((row, i) => checkResourceRule(row, ruleWhere(source, 'resources', i, row))));
  }
  return mergeByName(lists);
}

export function checkResourceRule(row: Record<string, unknown>, where: string): ResourceRule {
  const bad = (why: string) => new KtError('KT_E_BAD_RULES', `${where}: ${why}`);
  const { name, metric, severity, above, below, rising } = row;
  if (typeof name !== 'string' || !/^[a-z0-9][a-z0-9_-]*$/.test(name)) throw bad('name must be lower-case letters, digits, - or _');
  if (typeof metric !== 'string' || !/^[a-z][a-z0-9_]*$/.test(metric)) throw bad('metric must be a sampler metric name such as memory_available_ratio');
  if (!isWatchSeverity(severity)) throw bad('severity must be one of info, warning, critical');
  const limits = [above, below, rising].filter((v) => v !== undefined);
  if (limits.length !== 1) throw bad('needs exactly one of above:, below:, rising:');
  if (!limits.every((v) => typeof v === 'number' && Number.isFinite(v))) throw bad('above/below/rising must be a number');
  if (rising !== undefined && (!Number.isInteger(rising) || (rising as number) < 1)) throw bad('rising must be a whole number of readings (1 or more)');
  const labels = row['labels'] ?? {};
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels) || !Object.values(labels).every((v) => typeof v === 'string')) throw bad('labels must map names to strings');
  const known = new Set(['name', 'metric', 'severity', 'above', 'below', 'rising', 'labels']);
  for (const key of Object.keys(row)) if (!known.has(key)) throw bad(`unknown field '${key}'`);
  const rule: ResourceRule = { name, metric, severity, labels: labels as Record<string, string> };
  if (above !== undefined) rule.above = above as number;
  if (below !== undefined) rule.below = below as number;
  if (rising !== undefined) rule.rising = rising as number;
  return rule;
}

/**
 * Checks readings against the rules. A limit fires when crossed and again only after the value
 * came back; a trend fires when the value rose at each of `rising` readings in a row, then
 * again only after another `rising` rises.
 */
export class ResourceWatch {
  private readonly firing = new Set<string>();
  private readonly history = new Map<string, { last: number; rises: number }>();

  constructor(private readonly rules: readonly ResourceRule[]) {}

  check(samples: readonly Sample[]): ResourceBreach[] {
    const out: ResourceBreach[] = [];
    for (const rule of this.rules) {
      for (const sample of samples) {
        if (sample.metric !== rule.metric || !Object.entries(rule.labels).every(([k, v]) => sample.labels[k] === v)) continue;
        const key = `${rule.name}\u0000${JSON.stringify(sample.labels)}`;
        const where = Object.values(sample.labels).join(' ');
        if (rule.rising !== undefined) {
          const h = this.history.get(key);
          const rises = h && sample.value > h.last ? h.rises + 1 : 0;
          this.history.set(key, { last: sample.value, rises: rises >= rule.rising ? 0 : rises });
          if (rises >= rule.rising) out.push({ rule, sample, summary: `${rule.metric}${where ? ` of ${where}` : ''} rose ${rule.rising} readings in a row, now ${round(sample.value)}` });
          continue;
        }
        const breached = rule.above !== undefined ? sample.value > rule.above : sample.value < (rule.below as number);
        if (!breached) {
          this.firing.delete(key);
          continue;
        }
        if (this.firing.has(key)) continue;
        this.firing.add(key);
        const limit = rule.above !== undefined ? `above ${rule.above}` : `below ${rule.below}`;
        out.push({ rule, sample, summary: `${rule.metric}${where ? ` of ${where}` : ''} is ${round(sample.value)}, ${limit}` });
      }
    }
    return out;
  }
}

function round(v: number): string {
  return String(Math.round(v * 1000) / 1000);
}
