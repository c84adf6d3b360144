/** The --json document, written whole or as the reports come: the same bytes as JSON.stringify in document order. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/cli/analyze-command.js';
import type { AnalysisResult } from '../../src/reports/crash-report.js';
import { JsonDocumentWriter, renderJson } from '../../src/render/json-renderer.js';

const ROOT = join(import.meta.dirname, '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures');
const options = (inputs: string[]) => ({ inputs, inputFormat: 'auto' as const, format: 'json' as const, knownIssues: [], exitCode: false, color: false });

/** The document as JSON.stringify writes it, keys in the documented order. */
function stringified(r: AnalysisResult): string {
  const doc: Record<string, unknown> = { schemaVersion: r.schemaVersion, reports: r.reports, incidents: r.incidents, precursors: r.precursors };
  if (r.precursorsDropped !== undefined) doc['precursorsDropped'] = r.precursorsDropped;
  doc['inputs'] = r.inputs;
  return `${JSON.stringify(doc, null, 2)}\n`;
}

describe('the --json document', () => {
  it.each([
    ['two incidents of four reports', 'logs/syzkaller-391-348-concatenated.log.gz'],
    ['a storage event before a hung task', 'reports/x86-hung-task-jbd2-failing-throttled-disk.log'],
    ['no report at all', 'reports/x86-clean-boot-poweroff.log'],
  ])('%s: written report by report, it is JSON.stringify of the whole', async (_name, file) => {
    const result = await analyze(options([join(FIXTURES, file)]));
    expect(renderJson(result)).toBe(stringified(result));
    const dropped = { ...result, precursorsDropped: 12 };
    expect(renderJson(dropped)).toBe(stringified(dropped));
    expect(Object.keys(JSON.parse(renderJson(dropped)) as object)).toEqual(['schemaVersion', 'reports', 'incidents', 'precursors', 'precursorsDropped', 'inputs']);
  });

  it('writes nothing before the first report, and each report once', async () => {
    const result = await analyze(options([join(FIXTURES, 'logs', 'syzkaller-391-348-concatenated.log.gz')]));
    const pieces: string[] = [];
    const writer = new JsonDocumentWriter((text) => pieces.push(text), result.schemaVersion);
    expect(pieces).toEqual([]);
    result.reports.forEach((r, i) => {
      writer.report(r);
      expect(pieces).toHaveLength(i + 1);
      expect(pieces[i]).toContain(`"id": "${r.id}"`);
    });
    writer.end(result);
    expect(writer.reportCount).toBe(4);
    expect(pieces.join('')).toBe(stringified(result));
  });

  it('prints nothing on standard output when an input after the first cannot be opened', () => {
    const r = spawnSync('node', [join(ROOT, 'bin', 'ktriage.js'), 'analyze', '--json', join(FIXTURES, 'logs', 'syzkaller-391-348-concatenated.log.gz'), join(FIXTURES, 'no-such.log')], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/KT_E_NO_SUCH_FILE/);
  });
});
