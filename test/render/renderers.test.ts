/** The RCA note (`--format markdown`) and the answer-first terminal view, on real logs. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/cli/analyze-command.js';
import { renderMarkdown } from '../../src/render/markdown-renderer.js';
import { renderText } from '../../src/render/text-renderer.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'reports');
const run = (file: string) => analyze({ inputs: [join(FIXTURES, file)], inputFormat: 'auto', format: 'json', knownIssues: [], exitCode: false, color: false });

describe('the RCA note', () => {
  it('has the sections of an RCA in order, for a real boot failure', async () => {
    const md = renderMarkdown(await run('x86-vfs-no-root-no-initramfs.log'));
    const headings = md.split('\n').filter((l) => l.startsWith('#'));
    expect(headings).toEqual([
      '# RCA: kernel panic: VFS: Unable to mount root fs on unknown-block(NUM,NUM)',
      '## What happened',
      '## Evidence',
      '## Root-cause hypothesis',
      '## Next steps: the kernel could not mount the root filesystem',
      '## Prevention',
      '## Timeline',
    ]);
    expect(md).toContain('| Likely cause | **boot** (high confidence, score 0.90) |');
    expect(md).toContain('   - rebuild initramfs (Debian/Ubuntu): `update-initramfs -u -k 6.1.0-56-cloud-amd64`');
    expect(md).toContain('   - rebuild initramfs (RHEL/Fedora): `dracut -f /boot/initramfs-6.1.0-56-cloud-amd64.img 6.1.0-56-cloud-amd64`');
    expect(md).toContain('**Known issue: Root device not found: no initramfs, or no driver for the disk** (rule `root-device-not-found`');
    expect(md).toContain('| 2.320929 s after boot | `');
  });

  it('quotes the trace with the culprit marked and says which setting escalated it', async () => {
    const result = await run('x86-warning-panic-on-warn-udf-rmdir.log');
    const md = renderMarkdown(result);
    const trace = md.slice(md.indexOf(`Call trace of ${result.reports[0]?.id}`), md.indexOf('## Root-cause hypothesis'));
    const marked = trace.split('\n').filter((l) => l.endsWith('<== culprit'));
    expect(marked).toHaveLength(1);
    expect(md).toContain('It became a panic because `kernel.panic_on_warn` is set');
    expect(md).toContain(`${result.reports[1]?.id} panic`);
  });

  it('says so when nothing crashed', async () => {
    const md = renderMarkdown(await run('x86-clean-boot-poweroff.log'));
    expect(md).toMatch(/^# Kernel crash analysis\n\nNo kernel crash report found in `.*x86-clean-boot-poweroff.log` \(console, \d+ lines\)\.\n$/);
  });
});

describe('the terminal view', () => {
  it('puts the answer first: title, cause, culprit, escalation, three next steps, then the report', async () => {
    const result = await run('x86-oom-panic-on-oom.log');
    const text = renderText(result, { color: false });
    const lines = text.split('\n');
    const at = (prefix: string) => lines.findIndex((l) => l.trimStart().startsWith(prefix));
    const report = result.reports[0];
    expect(lines[at(`Incident ${result.incidents[0]?.id}`) + 1]?.trim()).toBe(report?.title);
    // vm.panic_on_oom panics before anything is killed: no victim to name.
    expect(lines[at('cause:')]).toBe('  cause:    resource-exhaustion (high confidence, 0.85) — the OOM killer ran');
    expect(lines[at('panicked because')]).toContain('vm.panic_on_oom');
    expect(at('1. ')).toBeGreaterThan(at('cause:'));
    expect(at('3. ')).toBeLessThan(at(`[${report?.id}]`));
    expect(at('4. ')).toBe(-1);
  });
});

describe('the terminal view of a log with the same crash twice', () => {
  it('gives the answer once and names the repeat in one line', async () => {
    const { mkdtempSync, readFileSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = join(mkdtempSync(join(tmpdir(), 'ktriage-twice-')), 'twice.log');
    const a = readFileSync(join(FIXTURES, 'syzbot-hung-task-synchronize-rcu-a.log'), 'latin1');
    const b = readFileSync(join(FIXTURES, 'syzbot-hung-task-synchronize-rcu-b.log'), 'latin1');
    writeFileSync(path, a + b, 'latin1');
    const result = await analyze({ inputs: [path], inputFormat: 'auto', format: 'text', knownIssues: [], exitCode: false, color: false });
    const text = renderText(result, { color: false });
    expect(result.incidents).toHaveLength(2);
    expect(text.match(/next steps:/g)).toHaveLength(1);
    const [i1, i2] = result.incidents.map((i) => i.id);
    expect(text).toMatch(new RegExp(`\\nIncident ${i2}: hung-task, the same crash as ${i1} \\(INFO: task hung in synchronize_rcu\\) at \\S+twice\\.log:\\d+`));
  });
});

describe('the HTML page of a log with several incidents', () => {
  it('lists them first, linked, and answers a repeated crash once', async () => {
    const { mkdtempSync, readFileSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { renderHtml } = await import('../../src/render/html-renderer.js');
    const path = join(mkdtempSync(join(tmpdir(), 'ktriage-html-')), 'three.log');
    const parts = ['syzbot-hung-task-synchronize-rcu-a.log', 'syzbot-hung-task-synchronize-rcu-b.log', 'x86-oom-panic-on-oom.log'];
    writeFileSync(path, parts.map((p) => readFileSync(join(FIXTURES, p), 'latin1')).join(''), 'latin1');
    const result = await analyze({ inputs: [path], inputFormat: 'auto', format: 'html', knownIssues: [], exitCode: false, color: false });
    const [i1, i2, i3] = result.incidents.map((i) => i.id);
    const html = renderHtml(result);
    const contents = /<nav class="contents">(.*?)<\/nav>/.exec(html)?.[1] ?? '';
    expect(contents.match(/<li>/g)).toHaveLength(3);
    expect(contents).toContain(`<a href="#${i3}">${i3}</a> out of memory`);
    expect(html).toContain(`Incident ${i2}: hung-task, the same crash as <a href="#${i1}">${i1}</a> (INFO: task hung in synchronize_rcu).`);
    expect(html.match(/<div class="answer">/g)).toHaveLength(2);
  });
});
