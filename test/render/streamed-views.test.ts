/** Markdown and HTML laid out an incident at a time (nothing else kept) are the same bytes as from the whole analysis. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze, inputSpecOf, outputWriter } from '../../src/cli/analyze-command.js';
import type { AnalyzeOptions } from '../../src/cli/parse-args.js';
import { createAnalyzer, loadRules, readInputs } from '../../src/pipeline/index.js';
import { renderHtml } from '../../src/render/html-renderer.js';
import { renderMarkdown } from '../../src/render/markdown-renderer.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'reports');

async function streamed(options: AnalyzeOptions): Promise<{ text: string; reports: number }> {
  let text = '';
  const writer = outputWriter(options, (t) => (text += t));
  const analyzer = createAnalyzer({ rules: await loadRules(), clock: 'log', onReport: (r) => writer.report(r), ...(writer.incident && { onIncident: writer.incident }) });
  const reports = writer.end(await analyzer.finish(await readInputs(inputSpecOf(options), analyzer)));
  return { text, reports };
}

describe('Markdown and HTML written an incident at a time', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'ktriage-views-')), 'three.log');
  const parts = ['syzbot-hung-task-synchronize-rcu-a.log', 'syzbot-hung-task-synchronize-rcu-b.log', 'x86-oom-panic-on-oom.log', 'x86-warning-panic-on-warn-lkdtm.log'];
  writeFileSync(path, parts.map((p) => readFileSync(join(FIXTURES, p), 'latin1')).join(''), 'latin1');
  const options = (format: 'markdown' | 'html'): AnalyzeOptions => ({ inputs: [path], inputFormat: 'auto', format, knownIssues: [], exitCode: false, color: false });

  it('Markdown: the same note, headings of a several-incident note, the repeat named', async () => {
    const whole = await analyze(options('markdown'));
    expect(whole.incidents).toHaveLength(4);
    const { text, reports } = await streamed(options('markdown'));
    expect(reports).toBe(whole.reports.length);
    expect(text).toBe(renderMarkdown(whole));
    expect(text).toContain(`## Incident ${whole.incidents[2]?.id}: `);
    expect(text).toContain('### Root-cause hypothesis');
  });

  it('HTML: the same page, with its contents and the repeat pointing at the answer', async () => {
    const whole = await analyze(options('html'));
    const { text } = await streamed(options('html'));
    expect(text).toBe(renderHtml(whole));
    expect(text.match(/<div class="answer">/g)).toHaveLength(3);
    expect(text).toContain(`the same crash as <a href="#${whole.incidents[0]?.id}">`);
  });
});
