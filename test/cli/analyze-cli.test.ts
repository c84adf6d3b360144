/** The command as a user runs it: output, exit status, and one clear line for bad input. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'ktriage.js');
const FIXTURE = join(ROOT, 'test', 'fixtures', 'reports', 'x86-warning-panic-on-warn-lkdtm.log');
const CLEAN = join(ROOT, 'test', 'fixtures', 'reports', 'x86-clean-boot-poweroff.log');

function run(args: string[], input?: Buffer) {
  const r = spawnSync('node', [BIN, ...args], { input, encoding: 'utf8', env: { ...process.env, NO_COLOR: '' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('ktriage analyze (the built CLI)', () => {
  it('prints the incident, first cause first, with the decoded fields', () => {
    const r = run(['analyze', FIXTURE]);
    expect(r.status).toBe(0);
    const incident = /Incident i([0-9a-f]{16}): warning → panic/.exec(r.stdout);
    expect(incident).not.toBeNull();
    // An incident is named after its first cause.
    expect(r.stdout).toContain(`first cause: r${incident?.[1]} warning`);
    expect(r.stdout).toContain('ip: lkdtm_WARNING+0x13/0x20 [lkdtm]');
    expect(r.stdout).toContain('taint: O (out-of-tree module loaded), E (unsigned module loaded)');
    expect(r.stdout).not.toMatch(/\u001b\[/); // not a terminal: no colour
  });

  it('--json carries what score.mjs reads: reports in log order with kind, title, culprit, corrupted', () => {
    type Doc = { reports: { kind: string; title: string; header: string; culprit?: { function: string }; corrupted: boolean }[] };
    const doc = JSON.parse(run(['analyze', '--json', FIXTURE]).stdout) as Doc;
    expect(doc.reports.map((r) => r.kind)).toEqual(['warning', 'panic']);
    expect(doc.reports[0]?.title).toBe('WARNING in lkdtm_WARNING');
    expect(doc.reports[0]?.culprit?.function).toBe('lkdtm_WARNING');
    expect(doc.reports[0]?.header).toBe('WARNING: CPU: 0 PID: 112 at drivers/misc/lkdtm/bugs.c:85 lkdtm_WARNING+0x13/0x20 [lkdtm]');
    expect(doc.reports[0]?.corrupted).toBe(false);
  });

  it('--exit-code: 1 when a crash was found, 0 when none', () => {
    expect(run(['analyze', '--exit-code', FIXTURE]).status).toBe(1);
    expect(run(['analyze', '--exit-code', CLEAN]).status).toBe(0);
  });

  it('reads standard input', () => {
    const r = run(['analyze', '--json', '-'], readFileSync(FIXTURE));
    const doc = JSON.parse(r.stdout) as { inputs: { source: string }[]; reports: { kind: string }[] };
    expect(doc.inputs[0]?.source).toBe('-');
    expect(doc.reports.map((x) => x.kind)).toEqual(['warning', 'panic']);
  });

  it.each([
    [['analyze', '/nonexistent/kern.log'], /KT_E_NO_SUCH_FILE/],
    [['analyze', ROOT], /KT_E_UNREADABLE/],
    [['analyze', '--input-format', 'nope', FIXTURE], /KT_E_USAGE/],
    [['analyze'], /KT_E_USAGE/],
    [['analyze', '--boot', 'x'], /KT_E_USAGE/],
  ])('bad usage or input %j: one line, exit 2', (args, code) => {
    const r = run(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(code);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('binary garbage is refused with one line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ktriage-cli-'));
    const path = join(dir, 'garbage.bin');
    writeFileSync(path, Buffer.from(Array.from({ length: 65536 }, (_, i) => (i * 7919 + 13) & 0xff)));
    const r = run(['analyze', path]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/KT_E_BINARY_INPUT/);
  });
});

describe('parseAnalyzeArgs', () => {
  it('picks the output format and the known-issues files', async () => {
    const { parseAnalyzeArgs } = await import('../../src/cli/parse-args.js');
    expect(parseAnalyzeArgs(['x.log'], {}, false).format).toBe('text');
    expect(parseAnalyzeArgs(['--format', 'markdown', 'x.log'], {}, false).format).toBe('markdown');
    expect(parseAnalyzeArgs(['--format=html', 'x.log'], {}, false).format).toBe('html');
    expect(() => parseAnalyzeArgs(['--format', 'pdf', 'x.log'], {}, false)).toThrow(/unknown --format 'pdf'; one of: text, json, markdown, html/);
    expect(() => parseAnalyzeArgs(['--json', '--format', 'html', 'x.log'], {}, false)).toThrow(/--json and --format html disagree/);
    const opts = parseAnalyzeArgs(['--known-issues', 'a.yaml', '--known-issues', 'b.yaml', 'x.log'], { KTRIAGE_KNOWN_ISSUES: 'c.yaml:d.yaml' }, false);
    expect(opts.knownIssues).toEqual(['a.yaml', 'b.yaml', 'c.yaml', 'd.yaml']);
  });

  it('a broken known-issues file: exit 2 with KT_E_BAD_RULES before any input is read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ktriage-cli-rules-'));
    const rules = join(dir, 'rules.yaml');
    writeFileSync(rules, '- id: x\n  title: t\n  match: { text: "(" }\n  note: n\n');
    const r = run(['analyze', '--known-issues', rules, FIXTURE]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`ktriage: ${rules}: rule 1 (x): match.text: bad regular expression: Invalid regular expression: /(/: Unterminated group [KT_E_BAD_RULES]\n`);
    expect(r.stdout).toBe('');
  });

  it('--format markdown and --format html write the RCA note and the page', () => {
    const md = run(['analyze', '--format', 'markdown', FIXTURE]);
    expect(md.status).toBe(0);
    expect(md.stdout.startsWith('# RCA: WARNING in lkdtm\\_WARNING\n')).toBe(true);
    const html = run(['analyze', '--format', 'html', FIXTURE]);
    expect(html.stdout.startsWith('<!doctype html>')).toBe(true);
    expect(html.stdout).not.toMatch(/<script|<link|src=|@import|url\(/);
  });

  it('takes --boot -1 the way journalctl -b -1 does', async () => {
    const { parseAnalyzeArgs } = await import('../../src/cli/parse-args.js');
    expect(parseAnalyzeArgs(['--boot', '-1'], {}, false).boot).toBe(-1);
    expect(parseAnalyzeArgs(['--boot=0', '--json'], {}, false)).toMatchObject({ boot: 0, format: 'json' });
    expect(parseAnalyzeArgs(['x.log'], { NO_COLOR: '1' }, true).color).toBe(false);
    expect(parseAnalyzeArgs(['x.log'], {}, true).color).toBe(true);
  });
});

describe('a reader that goes away', () => {
  it('ends the run quietly with status 0 (`| head`), however much is left to write', async () => {
    const { spawn } = await import('node:child_process');
    const dir = join(ROOT, 'test', 'fixtures', 'reports');
    const logs = readdirSync(dir).filter((f) => f.endsWith('.log')).map((f) => join(dir, f));
    // Megabytes of JSON, far more than a pipe holds: writing on after the reader left fails with EPIPE.
    for (const worker of ['0', '1']) {
      const child = spawn('node', [BIN, 'analyze', '--json', ...logs], { env: { ...process.env, KTRIAGE_ANALYZE_WORKER: worker }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      child.stdout.once('data', () => child.stdout.destroy());
      const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(stderr).toBe('');
      expect(status).toBe(0);
    }
  });
});
