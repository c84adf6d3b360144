/** Known-issue rules: the bundled starter set, users' own files, and every mistake a rules file can hold. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_RULES_PATH, loadKnownIssues, parseKnownIssues, type KnownIssueRule } from '../../src/analysis/known-issues.js';
import { analyze } from '../../src/cli/analyze-command.js';
import { KtError } from '../../src/errors.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'reports');
const run = (file: string, knownIssues: string[] = []) =>
  analyze({ inputs: [join(FIXTURES, file)], inputFormat: 'auto', format: 'json', knownIssues, exitCode: false, color: false });

function rulesFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'ktriage-rules-')), 'rules.yaml');
  writeFileSync(path, text);
  return path;
}

async function errorOf(fn: () => Promise<unknown>): Promise<KtError> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof KtError) return e;
    throw e;
  }
  throw new Error('no error thrown');
}

describe('the bundled starter set', () => {
  let rules: KnownIssueRule[] = [];
  beforeAll(async () => {
    rules = await loadKnownIssues(BUNDLED_RULES_PATH);
  });

  it('has documented rules with unique ids, a note and a link each', () => {
    expect(rules.length).toBeGreaterThanOrEqual(15);
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
    for (const r of rules) {
      expect(r.note.length, r.id).toBeGreaterThan(80);
      expect(r.links.length, r.id).toBeGreaterThan(0);
      for (const link of r.links) expect(link, r.id).toMatch(/^https:\/\/\S+$/);
    }
  });

  it('tells unknown-block(0,0) (no device) from another block (device found, not mountable)', async () => {
    const r = await run('x86-vfs-no-root-no-initramfs.log');
    const ids = r.incidents[0]?.diagnosis?.knownIssues.map((k) => k.id);
    expect(ids).toEqual(['root-device-not-found']);
    expect(r.incidents[0]?.diagnosis?.knownIssues[0]?.matched).toEqual(['line "Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)"']);
    const notMountable = rules.find((x) => x.id === 'root-fs-not-mountable');
    expect(notMountable?.match.text?.test('VFS: Unable to mount root fs on unknown-block(8,1)')).toBe(true);
    expect(notMountable?.match.text?.test('VFS: Unable to mount root fs on unknown-block(0,0)')).toBe(false);
  });

  it('matches nothing on a crash none of its rules describe', async () => {
    const r = await run('kasan-use-after-free-read-wake-up-common.log');
    expect(r.incidents[0]?.diagnosis?.knownIssues).toEqual([]);
  });
});

describe('a user rules file', () => {
  const rule = (kernel: string) => `
- id: site-lkdtm-null
  title: Our test rig's NULL write
  note: The rig provokes this on purpose.
  links: [https://example.org/runbook]
  match:
    kinds: [null-pointer-dereference]
    functions: ['lkdtm_\\w+']
    modules: lkdtm
    taint: [O]
    kernel: ${kernel}
`;

  it('adds its matches after the bundled ones, with what matched', async () => {
    const r = await run('x86-null-deref-write-nokaslr-lkdtm.log', [rulesFile(rule('{ from: "6.1", before: "6.2" }'))]);
    const matches = r.incidents[0]?.diagnosis?.knownIssues ?? [];
    expect(matches.map((m) => m.id)).toEqual(['lkdtm-provoked', 'site-lkdtm-null']);
    expect(matches[1]?.matched).toEqual(['kind null-pointer-dereference', 'function lkdtm_EXCEPTION', 'module lkdtm', 'taint O', 'kernel 6.1.0-56-cloud-amd64']);
  });

  it('does not match outside its kernel range', async () => {
    for (const kernel of ['{ before: "6.1" }', '{ from: "6.1.193" }']) {
      const r = await run('x86-null-deref-write-nokaslr-lkdtm.log', [rulesFile(rule(kernel))]);
      expect(r.incidents[0]?.diagnosis?.knownIssues.map((m) => m.id)).toEqual(['lkdtm-provoked']);
    }
  });

  it.each([
    ['not YAML', 'id: [unclosed', /not valid YAML/],
    ['not a list', 'id: x', /expected a list of rules/],
    ['no note', '- { id: a, title: t, match: { kinds: [panic] } }', /rule 1 \(a\): 'note' must be a non-empty string/],
    ['an unknown key', '- { id: a, title: t, note: n, match: { kinds: [panic] }, severity: 3 }', /unknown key 'severity'/],
    ['an unknown condition', '- { id: a, title: t, note: n, match: { kind: panic } }', /unknown condition 'match.kind'/],
    ['no condition', '- { id: a, title: t, note: n, match: {} }', /at least one condition/],
    ['a bad regex', "- { id: a, title: t, note: n, match: { text: '(' } }", /match.text: bad regular expression/],
    ['a bad version', "- { id: a, title: t, note: n, match: { kernel: { from: 'six' } } }", /match.kernel.from 'six' is not a version/],
    ['a duplicate id', '- { id: a, title: t, note: n, match: { kinds: [panic] } }\n- { id: a, title: t, note: n, match: { kinds: [oops] } }', /rule id 'a' appears twice/],
  ])('rejects %s with KT_E_BAD_RULES naming the file', async (_what, text, message) => {
    const e = await errorOf(() => parseKnownIssues(text, 'mine.yaml'));
    expect(e.code).toBe('KT_E_BAD_RULES');
    expect(e.message).toMatch(/^mine\.yaml: /);
    expect(e.message).toMatch(message);
  });

  it('the build ships the bundled rules as JSON, equal to the YAML', async () => {
    const { readFileSync } = await import('node:fs');
    const json = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'dist', 'rules', 'known-issues.json'), 'utf8')) as unknown;
    const { parse } = await import('yaml');
    expect(json).toEqual(parse(readFileSync(BUNDLED_RULES_PATH, 'utf8')));
  });

  it('a missing rules file is an error before any input is read', async () => {
    await expect(run('x86-sysrq-crash.log', ['/nonexistent/rules.yaml'])).rejects.toThrow(/\/nonexistent\/rules.yaml: cannot read the known-issues file/);
  });

  it('an empty file holds no rules', async () => {
    expect(await parseKnownIssues('# nothing yet\n', 'empty.yaml')).toEqual([]);
  });
});
