/** Reports are placed, linked and handed on as incidents while the log is still being read. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLog } from '../../src/logs/read-log.js';
import { ReportCollector } from '../../src/reports/collect-reports.js';
import type { CrashReport, Incident } from '../../src/reports/crash-report.js';
import { ReportExtractor } from '../../src/reports/extract-reports.js';

const LOGS = join(import.meta.dirname, '..', 'fixtures', 'logs');

async function collect(file: string) {
  const closed: { incident: Incident; reports: readonly CrashReport[]; linesRead: number; precursors: number }[] = [];
  let linesRead = 0;
  const collector = new ReportCollector((incident, reports, precursors) => closed.push({ incident, reports, linesRead, precursors: precursors.length }));
  const extractor = new ReportExtractor(collector);
  const log = await openLog({ path: file });
  extractor.beginInput(log.source, log.format);
  for await (const window of log.windows) for (const line of window.lines()) {
    linesRead++;
    extractor.push(line);
  }
  const totalLines = linesRead;
  extractor.finish();
  const { incidents, precursors, reports: kept } = collector.finish();
  // With a listener the reports are the listener's: the collector keeps none.
  expect(kept).toEqual([]);
  const reports = closed.flatMap((c) => c.reports).sort((a, b) => collector.placementOf(a) - collector.placementOf(b));
  const ordinal = new Map(reports.map((report, i) => [report.id, `r${i + 1}`]));
  const incidentOrdinal = new Map(incidents.map((incident, i) => [incident.id, `i${i + 1}`]));
  // Ids are digests (stable across processes); the tests read them as their place in the log.
  const byPlace = (id: string) => ordinal.get(id) ?? id;
  for (const c of closed) c.incident = { ...c.incident, id: incidentOrdinal.get(c.incident.id) ?? c.incident.id, reportIds: c.incident.reportIds.map(byPlace), firstCause: byPlace(c.incident.firstCause) };
  for (const incident of incidents) incident.reportIds = incident.reportIds.map(byPlace);
  for (const report of reports) report.id = byPlace(report.id);
  return { closed, totalLines, incidents, precursors, reports };
}

describe('ReportCollector', () => {
  it('closes an incident as soon as the next report of its stream does not follow it (two syzkaller logs one after the other)', async () => {
    const r = await collect(join(LOGS, 'syzkaller-391-348-concatenated.log.gz'));
    expect(r.reports.map((x) => [x.id, x.kind])).toEqual([
      ['r1', 'kasan'],
      ['r2', 'panic'],
      ['r3', 'warning'],
      ['r4', 'panic'],
    ]);
    expect(r.incidents.map((i) => i.reportIds)).toEqual([
      ['r1', 'r2'],
      ['r3', 'r4'],
    ]);
    // The first incident was handed on mid-read, with its own reports; the last one at the end.
    expect(r.closed.map((c) => c.incident.id)).toEqual(['i1', 'i2']);
    expect(r.closed[0]?.linesRead).toBeLessThan(r.totalLines);
    expect(r.closed[1]?.linesRead).toBe(r.totalLines);
    for (const c of r.closed) expect(c.reports.map((x) => x.id)).toEqual(c.incident.reportIds);
  });

  it('places reports of interleaved hosts in the order their headers came, whichever closed first', async () => {
    const r = await collect(join(LOGS, 'syslog-rsyslog-traditional.log'));
    expect(r.reports.map((x) => [x.id, x.kind, x.host])).toEqual([
      ['r1', 'panic', 'lab-b'],
      ['r2', 'kernel-bug', 'lab-a'],
      ['r3', 'panic', 'lab-a'],
    ]);
    const headerLines = r.reports.map((x) => x.lines.find((l) => l.text === x.header)?.line ?? 0);
    expect(headerLines).toEqual([...headerLines].sort((a, b) => a - b));
    expect(r.closed.map((c) => [c.incident.host, c.reports.map((x) => x.id)])).toEqual([
      ['lab-b', ['r1']],
      ['lab-a', ['r2', 'r3']],
    ]);
  });

  it('hands an incident on with the storage events read before it ended', async () => {
    const r = await collect(join(import.meta.dirname, '..', 'fixtures', 'reports', 'x86-hung-task-jbd2-failing-throttled-disk.log'));
    expect(r.precursors.length).toBe(1);
    expect(r.precursors[0]?.kind).toBe('block-io-error');
    expect(r.closed).toHaveLength(1);
    expect(r.closed[0]?.precursors).toBe(1);
  });
});
