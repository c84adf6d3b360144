/**
 * One table-driven test over every real log in test/fixtures/reports/: each `NAME.log` has a
 * `NAME.expect` beside it with `KEY: value` lines (see test/fixtures/reports/README.md); every
 * key present is checked against what the full pipeline decodes. Unknown keys fail.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/cli/analyze-command.js';
import type { AnalysisResult, CrashReport } from '../../src/reports/crash-report.js';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'reports');

type Check = (result: AnalysisResult, report: CrashReport | undefined, value: string) => void;

const list = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);
/** Lists are compared as text so a failure shows the whole list, not `…(3)`. */
const same = (actual: readonly (string | undefined)[] | undefined, expected: readonly string[]) =>
  expect((actual ?? []).join(', ')).toBe(expected.join(', '));

/** Each expectation key and how it reads the decoded result. */
const CHECKS: Record<string, Check> = {
  KINDS: (res, _r, v) => same(res.reports.map((r) => r.kind), list(v)),
  INCIDENTS: (res, _r, v) => expect(res.incidents.length).toBe(Number(v)),
  'FIRST-CAUSE': (res, _r, v) => expect(res.reports.find((r) => r.id === res.incidents[0]?.firstCause)?.kind).toBe(v),
  FORMAT: (res, _r, v) => expect(res.inputs[0]?.format).toBe(v),
  HEADER: (_res, r, v) => expect(r?.header.trim()).toBe(v),
  TITLE: (_res, r, v) => expect(r?.title).toBe(v),
  CULPRIT: (_res, r, v) => expect(r?.culprit?.function ?? 'none').toBe(v),
  'CULPRIT-MODULE': (_res, r, v) => expect(r?.culprit?.module ?? 'none').toBe(v),
  CORRUPTED: (_res, r, v) => expect(r?.corrupted).toBe(v === 'yes'),
  CPU: (_res, r, v) => expect(r?.cpu).toBe(Number(v)),
  PID: (_res, r, v) => expect(r?.pid).toBe(Number(v)),
  COMM: (_res, r, v) => expect(r?.comm).toBe(v),
  KERNEL: (_res, r, v) => expect(r?.kernel?.release).toBe(v),
  HARDWARE: (_res, r, v) => expect(r?.hardware?.name).toBe(v),
  TAINT: (_res, r, v) => expect(r?.taint?.flags.map((f) => f.letter).join('') ?? '').toBe(v === 'none' ? '' : v),
  IP: (_res, r, v) => expect(r?.ip?.raw).toBe(v),
  'IP-FUNCTION': (_res, r, v) => expect(r?.ip?.function).toBe(v),
  'IP-MODULE': (_res, r, v) => expect(r?.ip?.module).toBe(v),
  'FAULT-ADDRESS': (_res, r, v) => expect(`${r?.faultAddress?.address} ${r?.faultAddress?.meaning}`).toBe(v),
  'PF-ERROR-CODE': (_res, r, v) => expect(r?.pageFault?.code).toBe(Number(v)),
  'PF-WRITE': (_res, r, v) => expect(r?.pageFault?.write).toBe(v === 'yes'),
  'PF-INSTRUCTION-FETCH': (_res, r, v) => expect(r?.pageFault?.instructionFetch).toBe(v === 'yes'),
  'PF-PROTECTION': (_res, r, v) => expect(r?.pageFault?.protection).toBe(v === 'yes'),
  REGISTER: (_res, r, v) => {
    const [name, value] = v.split('=');
    expect(r?.registers?.values[name ?? '']).toBe(value);
  },
  'CODE-FAULT-BYTE': (_res, r, v) => expect(r?.code?.bytes[r.code.faultIndex ?? -1]).toBe(v),
  FRAMES: (_res, r, v) => {
    const expected = list(v);
    const frames = (r?.stacks[0]?.frames ?? []).slice(0, expected.length);
    same(frames.map((f) => `${f.reliable ? '' : '? '}${f.function}`), expected);
  },
  'FRAME-CONTEXTS': (_res, r, v) => {
    const contexts = [...new Set((r?.stacks[0]?.frames ?? []).map((f) => f.context))];
    same(contexts, list(v));
  },
  STACKS: (_res, r, v) => same(r?.stacks.map((s) => s.label), list(v)),
  MODULES: (_res, r, v) => {
    const shown = (r?.modules?.linked ?? []).map((m) => (m.flags.length ? `${m.name}(${m.flags.join('')})` : m.name));
    same(shown.slice(0, list(v).length), list(v));
  },
  'PANIC-REASON': (_res, r, v) => expect(r?.panic?.reason).toBe(v),
  ACCESS: (_res, r, v) => {
    const m = r?.memoryAccess;
    expect([m?.bugType, m?.access, m?.size].filter((x) => x !== undefined).join(' ')).toBe(v);
  },
  'ACCESS-CACHE': (_res, r, v) => expect(r?.memoryAccess?.cache).toBe(v),
  'OOM-VICTIM': (_res, r, v) => expect(`${r?.oom?.victim?.comm} ${r?.oom?.victim?.pid}`).toBe(v),
  DETAIL: (_res, r, v) => {
    const [key, value] = v.split('=');
    expect(String((r?.details as Record<string, unknown> | undefined)?.[key ?? ''])).toBe(value);
  },
  PRECURSORS: (res, _r, v) => same(res.precursors.map((p) => p.kind), list(v)),
  // Checked across fixtures below: same group, same bucket; different groups, different buckets.
  'BUCKET-GROUP': (_res, r) => expect(r?.bucket).toMatch(/^[0-9a-f]{16}$/),
  // The incident the report belongs to: likely cause (`category confidence`), playbook, known issues, escalating setting.
  CAUSE: (res, r, v) => {
    const cause = incidentOf(res, r)?.diagnosis?.cause;
    expect(`${cause?.category} ${cause?.confidence}`).toBe(v);
  },
  PLAYBOOK: (res, r, v) => expect(incidentOf(res, r)?.diagnosis?.playbook.id).toBe(v),
  'KNOWN-ISSUES': (res, r, v) => same(incidentOf(res, r)?.diagnosis?.knownIssues.map((k) => k.id), v === 'none' ? [] : list(v)),
  ESCALATION: (res, r, v) => expect(incidentOf(res, r)?.diagnosis?.escalation?.setting ?? 'none').toBe(v),
};

function incidentOf(result: AnalysisResult, report: CrashReport | undefined) {
  return result.incidents.find((i) => report !== undefined && i.reportIds.includes(report.id));
}

interface Expectation {
  key: string;
  value: string;
  report: number;
}

function readExpectations(path: string): Expectation[] {
  const out: Expectation[] = [];
  let report = 1;
  for (const raw of readFileSync(path, 'utf8').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^([A-Z-]+):\s*(.*)$/.exec(line);
    if (!m) throw new Error(`${path}: cannot read line '${line}'`);
    const [, key = '', value = ''] = m;
    if (key === 'REPORT') {
      report = Number(value);
      continue;
    }
    if (!CHECKS[key]) throw new Error(`${path}: unknown key ${key}`);
    out.push({ key, value, report });
  }
  return out;
}

const fixtures = readdirSync(DIR).filter((f) => f.endsWith('.log')).sort();

describe('real logs in test/fixtures/reports', () => {
  it('has fixtures, each with its .expect file', () => {
    expect(fixtures.length).toBeGreaterThan(0);
    for (const f of fixtures) expect(readdirSync(DIR)).toContain(f.replace(/\.log$/, '.expect'));
  });

  for (const fixture of fixtures) {
    it(fixture, async () => {
      const expectations = readExpectations(join(DIR, fixture.replace(/\.log$/, '.expect')));
      expect(expectations.some((e) => e.key === 'KINDS')).toBe(true);
      const result = await analyze({ inputs: [join(DIR, fixture)], inputFormat: 'auto', format: 'json', knownIssues: [], exitCode: false, color: false });
      for (const e of expectations) {
        const report = result.reports[e.report - 1];
        try {
          CHECKS[e.key]?.(result, report, e.value);
        } catch (err) {
          throw new Error(`${fixture} report ${e.report} ${e.key}: ${(err as Error).message}`);
        }
      }
    });
  }
});

describe('buckets across the real logs (BUCKET-GROUP)', () => {
  it('the same crash from other runs, hosts, boots and KASLR slides shares a bucket; different crashes do not', async () => {
    const grouped: { fixture: string; group: string; bucket: string; title: string }[] = [];
    for (const fixture of fixtures) {
      for (const e of readExpectations(join(DIR, fixture.replace(/\.log$/, '.expect'))).filter((x) => x.key === 'BUCKET-GROUP')) {
        const result = await analyze({ inputs: [join(DIR, fixture)], inputFormat: 'auto', format: 'json', knownIssues: [], exitCode: false, color: false });
        const report = result.reports[e.report - 1];
        grouped.push({ fixture, group: e.value, bucket: report?.bucket ?? '', title: report?.title ?? '' });
      }
    }
    const groups = new Set(grouped.map((g) => g.group));
    expect(grouped.length).toBeGreaterThan(groups.size); // every group holds at least one pair
    for (const a of grouped) {
      // Nothing run-specific reaches a title (and so the bucket): no addresses, no PIDs.
      expect(a.title, a.fixture).not.toMatch(/\b(?:0x)?[0-9a-f]{6,}\b|\bpid\b/i);
      for (const b of grouped) {
        if (a === b) continue;
        if (a.group === b.group) expect(a.bucket, `${a.fixture} vs ${b.fixture}`).toBe(b.bucket);
        else expect(a.bucket, `${a.fixture} vs ${b.fixture}`).not.toBe(b.bucket);
      }
    }
  });
});
