/** A syslog file where two hosts' crashes arrive interleaved line by line (real rsyslogd output). */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/cli/analyze-command.js';

const FILE = join(import.meta.dirname, '..', 'fixtures', 'logs', 'syslog-rsyslog-traditional.log');

describe('several hosts in one syslog file', () => {
  it('keeps one stream per host: each crash whole, each incident on its own host', async () => {
    const r = await analyze({ inputs: [FILE], inputFormat: 'auto', format: 'json', knownIssues: [], exitCode: false, color: false });
    expect(r.inputs[0]?.format).toBe('syslog');
    expect(r.reports.map((x) => [x.kind, x.host])).toEqual([
      ['panic', 'lab-b'],
      ['kernel-bug', 'lab-a'],
      ['panic', 'lab-a'],
    ]);
    // lab-a's BUG report runs from its cut-here line to its end marker, with lab-b's lines interleaved in the file.
    const bug = r.reports[1];
    expect(bug?.lines).toHaveLength(48);
    expect(bug?.lines.every((l) => !l.text.includes('dumptest'))).toBe(true);
    expect(bug?.stacks[0]?.frames[0]?.function).toBe('direct_entry.cold');
    const ids = r.reports.map((x) => x.id);
    expect(r.incidents.map((i) => [i.host, i.reportIds])).toEqual([
      ['lab-b', [ids[0]]],
      ['lab-a', [ids[1], ids[2]]],
    ]);
  });
});
