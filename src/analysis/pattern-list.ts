import { readFileSync } from 'node:fs';

/**
 * A rules file of name patterns in groups (rules/skip-frames.txt, rules/driver-code.txt): one
 * JavaScript regular expression a line, `#` comments, and a `[name] scope: reason` heading before
 * each group, the reason saying where that code lives in the kernel.
 */
export interface PatternGroup<Scope extends string> {
  name: string;
  scope: Scope;
  /** Where the code lives and why the group exists. */
  reason: string;
  patterns: string[];
}

const GROUP_LINE = /^\[([\w-]+)\] ([\w-]+): (.+)$/;

/** The groups of a pattern list; a line that is neither a heading with a known scope nor a valid pattern is an error naming it. */
export function parsePatternList<Scope extends string>(text: string, file: string, scopes: readonly Scope[]): PatternGroup<Scope>[] {
  const groups: PatternGroup<Scope>[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/^#.*$|\s+#.*$/, '').trim();
    if (!line) return;
    const heading = GROUP_LINE.exec(line);
    if (heading) {
      const scope = scopes.find((s) => s === heading[2]);
      if (!scope) throw new Error(`${file}:${i + 1}: unknown scope '${heading[2]}' (expected ${scopes.join(' or ')})`);
      groups.push({ name: heading[1] ?? '', scope, reason: heading[3] ?? '', patterns: [] });
      return;
    }
    const group = groups[groups.length - 1];
    if (!group) throw new Error(`${file}:${i + 1}: a pattern before the first [group] heading`);
    try {
      new RegExp(line);
    } catch (err) {
      throw new Error(`${file}:${i + 1}: not a regular expression: ${(err as Error).message}`);
    }
    group.patterns.push(line);
  });
  return groups;
}

/** A bundled rules file (rules/NAME beside dist/ and src/). */
export function readBundledPatternList<Scope extends string>(name: string, scopes: readonly Scope[]): PatternGroup<Scope>[] {
  return parsePatternList(readFileSync(new URL(`../../rules/${name}`, import.meta.url), 'utf8'), `rules/${name}`, scopes);
}

/** One regex for every pattern of the groups of one scope (never matches when there are none). */
export function patternsOf<Scope extends string>(groups: readonly PatternGroup<Scope>[], scope: Scope): RegExp {
  const patterns = groups.filter((g) => g.scope === scope).flatMap((g) => g.patterns);
  return new RegExp(patterns.length > 0 ? patterns.join('|') : '(?!)');
}
