import { existsSync, readFileSync } from 'node:fs';
import { KtError } from '../errors.js';
import { readBoundedFile } from '../read-bounded.js';
import { flowDepth } from './flow-depth.js';
import type { CrashReport } from '../reports/crash-report.js';
import type { KnownIssueMatch } from './diagnosis.js';
import { allFrames, incidentRelease, releaseNumbers, taintLetters, type IncidentFacts } from './incident-facts.js';

/**
 * Known issues: rules users can extend (YAML, docs/known-issues.md) that recognise a crash by
 * what it is and attach a note and links. Every condition a rule gives must hold; a list
 * condition holds when any of its entries does.
 */
export interface KnownIssueRule {
  id: string;
  title: string;
  note: string;
  links: string[];
  source: string;
  match: {
    /** Report kinds (`hung-task`, `kasan`, …); any report of the incident. */
    kinds?: string[];
    /** Regular expression searched in any report's title. */
    title?: RegExp;
    /** Regular expressions each matched against whole function names of every frame, culprit and RIP. */
    functions?: RegExp[];
    /** Module names: the culprit's, the RIP's, or any frame's. */
    modules?: string[];
    /** Regular expression searched in every line of the incident and the storage events before it. */
    text?: RegExp;
    /** Kernel release range: `from` inclusive, `before` exclusive (`6.1`, `5.15.100`). */
    kernel?: { from?: number[]; before?: number[] };
    /** Taint letters, any of them. */
    taint?: string[];
  };
}

const MATCH_KEYS = new Set(['kinds', 'title', 'functions', 'modules', 'text', 'kernel', 'taint']);
const RULE_KEYS = new Set(['id', 'title', 'note', 'links', 'match']);

/** The starter set shipped with ktriage. */
export const BUNDLED_RULES_PATH = new URL('../../rules/known-issues.yaml', import.meta.url);
/** The same, converted to JSON by the build (scripts/build-rules.mjs): no YAML parser to load on every run. */
const BUNDLED_RULES_JSON = new URL('../rules/known-issues.json', import.meta.url);

/** The bundled rules, from the build's JSON copy when there is one. */
export async function loadBundledKnownIssues(): Promise<KnownIssueRule[]> {
  if (!existsSync(BUNDLED_RULES_JSON)) return loadKnownIssues(BUNDLED_RULES_PATH);
  return checkKnownIssues(JSON.parse(readFileSync(BUNDLED_RULES_JSON, 'utf8')), BUNDLED_RULES_PATH.pathname);
}

/** A rule's `match` nests a few levels; deeper is hostile (see flowDepth). */
const MAX_FLOW_DEPTH = 64;

/** The bundled rules are 0.1 MB; a rules file of more is not one. */
const MAX_RULES_BYTES = 16 << 20;

/** Reads and checks one rules file; every mistake is reported with the file and the rule. */
export async function loadKnownIssues(path: string | URL): Promise<KnownIssueRule[]> {
  const name = path instanceof URL ? path.pathname : path;
  let text: string;
  if (path instanceof URL) text = readFileSync(path, 'utf8');
  else text = readBoundedFile(path, { limit: MAX_RULES_BYTES, what: 'known-issues file', code: 'KT_E_BAD_RULES' }).toString('utf8');
  return parseKnownIssues(text, name);
}

export async function parseKnownIssues(text: string, source: string): Promise<KnownIssueRule[]> {
  if (flowDepth(text, MAX_FLOW_DEPTH) > MAX_FLOW_DEPTH) {
    throw new KtError('KT_E_BAD_RULES', `${source}: not valid YAML for rules: '[' or '{' nested more than ${MAX_FLOW_DEPTH} deep`);
  }
  const { parse } = await import('yaml');
  let doc: unknown;
  try {
    // Line breaks as LF first: YAML reads CR and CRLF as LF, but the parser is quadratic in a run of CRs.
    doc = parse(text.replace(/\r\n?/g, '\n'), { maxAliasCount: 100 });
  } catch (e) {
    throw new KtError('KT_E_BAD_RULES', `${source}: not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  return checkKnownIssues(doc, source);
}

/** Checks a parsed rules document (a list of rules) and compiles its patterns. */
export function checkKnownIssues(doc: unknown, source: string): KnownIssueRule[] {
  if (doc === null || doc === undefined) return [];
  if (!Array.isArray(doc)) throw new KtError('KT_E_BAD_RULES', `${source}: expected a list of rules at the top level`);
  const seen = new Set<string>();
  return doc.map((entry: unknown, i) => {
    const rule = checkRule(entry, `${source}: rule ${i + 1}`, source);
    if (seen.has(rule.id)) throw new KtError('KT_E_BAD_RULES', `${source}: rule id '${rule.id}' appears twice`);
    seen.add(rule.id);
    return rule;
  });
}

function checkRule(entry: unknown, where: string, source: string): KnownIssueRule {
  if (!isRecord(entry)) throw new KtError('KT_E_BAD_RULES', `${where}: a rule is a mapping with id, title, note, match`);
  const id = entry['id'];
  const at = typeof id === 'string' ? `${where} (${id})` : where;
  for (const key of Object.keys(entry)) if (!RULE_KEYS.has(key)) throw new KtError('KT_E_BAD_RULES', `${at}: unknown key '${key}'`);
  const rule: KnownIssueRule = {
    id: requireString(entry, 'id', at),
    title: requireString(entry, 'title', at),
    note: requireString(entry, 'note', at).trim(),
    links: optionalStrings(entry, 'links', at) ?? [],
    source,
    match: {},
  };
  const match = entry['match'];
  if (!isRecord(match) || Object.keys(match).length === 0) throw new KtError('KT_E_BAD_RULES', `${at}: 'match' must name at least one condition`);
  for (const key of Object.keys(match)) if (!MATCH_KEYS.has(key)) throw new KtError('KT_E_BAD_RULES', `${at}: unknown condition 'match.${key}'`);
  const m = rule.match;
  const kinds = optionalStrings(match, 'kinds', at);
  if (kinds) m.kinds = kinds;
  const modules = optionalStrings(match, 'modules', at);
  if (modules) m.modules = modules;
  const taint = optionalStrings(match, 'taint', at);
  if (taint) m.taint = taint;
  if (match['title'] !== undefined) m.title = regex(requireString(match, 'title', at), `${at}: match.title`);
  if (match['text'] !== undefined) m.text = regex(requireString(match, 'text', at), `${at}: match.text`);
  const functions = optionalStrings(match, 'functions', at);
  if (functions) m.functions = functions.map((f) => regex(`^(?:${f})$`, `${at}: match.functions`));
  const kernel = match['kernel'];
  if (kernel !== undefined) {
    if (!isRecord(kernel)) throw new KtError('KT_E_BAD_RULES', `${at}: match.kernel is a mapping with from and/or before`);
    m.kernel = {};
    for (const bound of ['from', 'before'] as const) {
      const v = kernel[bound];
      if (v === undefined) continue;
      const numbers = releaseNumbers(String(v));
      if (!numbers) throw new KtError('KT_E_BAD_RULES', `${at}: match.kernel.${bound} '${String(v)}' is not a version like 6.1 or 5.15.100`);
      m.kernel[bound] = numbers;
    }
  }
  return rule;
}

/** The rules that match the incident, with what matched. */
export function matchKnownIssues(facts: IncidentFacts, rules: readonly KnownIssueRule[]): KnownIssueMatch[] {
  const matches: KnownIssueMatch[] = [];
  const seen = whatIncidentShows(facts);
  for (const rule of rules) {
    const matched = matchRule(rule, facts, seen);
    if (matched) matches.push({ id: rule.id, title: rule.title, note: rule.note, links: rule.links, source: rule.source, matched });
  }
  return matches;
}

/** What the conditions look at, gathered once per incident. */
interface IncidentIndex {
  functions: string[];
  modules: string[];
  taint: string[];
  lines: string[];
}

function whatIncidentShows(facts: IncidentFacts): IncidentIndex {
  return {
    functions: facts.reports.flatMap(functionNames),
    modules: facts.reports.flatMap(moduleNames),
    taint: facts.reports.flatMap((r) => [...taintLetters(r)]),
    lines: [...facts.reports.flatMap((r) => r.lines.map((l) => l.text)), ...facts.precursors.map((p) => p.text)],
  };
}

/** The conditions that held, in words; undefined as soon as one does not. */
function matchRule(rule: KnownIssueRule, facts: IncidentFacts, seen: IncidentIndex): string[] | undefined {
  const m = rule.match;
  const reports = facts.reports;
  const said: string[] = [];
  if (m.kinds) {
    const r = reports.find((x) => m.kinds?.includes(x.kind));
    if (!r) return undefined;
    said.push(`kind ${r.kind}`);
  }
  if (m.title) {
    const r = reports.find((x) => m.title?.test(x.title));
    if (!r) return undefined;
    said.push(`title "${r.title}"`);
  }
  if (m.functions) {
    const name = seen.functions.find((fn) => m.functions?.some((re) => re.test(fn)));
    if (!name) return undefined;
    said.push(`function ${name}`);
  }
  if (m.modules) {
    const name = seen.modules.find((mod) => m.modules?.includes(mod));
    if (!name) return undefined;
    said.push(`module ${name}`);
  }
  if (m.taint) {
    const letter = seen.taint.find((l) => m.taint?.includes(l));
    if (!letter) return undefined;
    said.push(`taint ${letter}`);
  }
  if (m.kernel) {
    const release = incidentRelease(facts);
    const version = release ? releaseNumbers(release) : undefined;
    if (!release || !version) return undefined;
    if (m.kernel.from && compareVersions(version, m.kernel.from) < 0) return undefined;
    if (m.kernel.before && compareVersions(version, m.kernel.before) >= 0) return undefined;
    said.push(`kernel ${release}`);
  }
  if (m.text) {
    const text = m.text;
    const line = seen.lines.find((t) => text.test(t));
    if (line === undefined) return undefined;
    said.push(`line "${line.trim().slice(0, 120)}"`);
  }
  return said;
}

function functionNames(report: CrashReport): string[] {
  const names = allFrames(report).map((f) => f.function);
  if (report.culprit) names.push(report.culprit.function);
  if (report.ip?.function) names.push(report.ip.function);
  return names;
}

function moduleNames(report: CrashReport): string[] {
  const names = allFrames(report).flatMap((f) => (f.module ? [f.module] : []));
  if (report.culprit?.module) names.push(report.culprit.module);
  if (report.ip?.module) names.push(report.ip.module);
  return names;
}

function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function requireString(o: Record<string, unknown>, key: string, at: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v.trim() === '') throw new KtError('KT_E_BAD_RULES', `${at}: '${key}' must be a non-empty string`);
  return v;
}

function optionalStrings(o: Record<string, unknown>, key: string, at: string): string[] | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0 || !list.every((x) => typeof x === 'string' || typeof x === 'number')) {
    throw new KtError('KT_E_BAD_RULES', `${at}: '${key}' must be a string or a list of strings`);
  }
  return list.map(String);
}

function regex(source: string, at: string): RegExp {
  try {
    return new RegExp(source);
  } catch (e) {
    throw new KtError('KT_E_BAD_RULES', `${at}: bad regular expression: ${(e as Error).message}`);
  }
}
