import { loadBundledKnownIssues, loadKnownIssues, type KnownIssueRule } from '../analysis/known-issues.js';

/** The rule tables an analyzer reads that users extend: the known issues, bundled and theirs. */
export interface AnalyzerRules {
  knownIssues: readonly KnownIssueRule[];
}

/** The bundled known-issue rules and the user's files, read before any input: a mistake in a rules file is reported first. */
export async function loadRules(options: { knownIssueFiles?: readonly string[] } = {}): Promise<AnalyzerRules> {
  const own = await Promise.all((options.knownIssueFiles ?? []).map((path) => loadKnownIssues(path)));
  return { knownIssues: [...(await loadBundledKnownIssues()), ...own.flat()] };
}
