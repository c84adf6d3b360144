/** `ktriage serve --demo`: a fresh database seeded with a fleet made from real reports. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningCollector } from '../../src/server/serve.js';
import { call, collectorOn, sqliteDialect, tokenFor, type Dialect } from './collector-harness.js';

describe('serve --demo', () => {
  let dialect: Dialect;
  let c: RunningCollector;
  let read: string;

  beforeAll(async () => {
    dialect = await sqliteDialect();
    c = await collectorOn(await dialect.fresh(), { demo: true });
    read = await tokenFor(c, 'read');
  }, 60_000);

  afterAll(async () => {
    await c?.close();
    dialect?.stop();
  });

  it('has many hosts on several releases, a storm, a regression on the newest kernel, a fix that came back and a new bucket', async () => {
    const list = (await call(c, 'GET', '/api/v1/buckets?limit=100', read)).json;
    const reasons = new Map(list.buckets.filter((b: { regressed: boolean }) => b.regressed).map((b: { title: string; regression: { reason: string } }) => [b.title, b.regression.reason]));
    expect(reasons.get('possible deadlock in blkdev_reread_part')).toBe('rate-jump');
    expect(reasons.get('WARNING in strp_data_ready')).toBe('new-release');
    expect(reasons.get('BUG: unable to handle kernel paging request in __run_timers')).toBe('fixed-came-back');
    expect(list.buckets.find((b: { title: string }) => b.title === 'WARNING in udf_rmdir')).toMatchObject({ new: true, releases: ['6.1.0-26-amd64'] });
    expect(list.buckets.find((b: { title: string }) => b.title === 'out of memory')).toMatchObject({ status: 'known' });
    const hosts = (await call(c, 'GET', '/api/v1/hosts?limit=500', read)).json.hosts;
    expect(hosts.length).toBe(30);
    const since = new Date(Date.now() - 14 * 86_400_000).toISOString();
    const overview = (await call(c, 'GET', `/api/v1/overview?since=${since}`, read)).json;
    expect(overview.releases.map((r: { release: string }) => r.release)).toEqual(['6.1.0-25-amd64', '6.1.0-26-amd64', '6.1.0-27-amd64']);
    expect(overview.unexpectedReboots.map((r: { host: string }) => r.host)).toContain('edge-02');
    const db2 = (await call(c, 'GET', '/api/v1/hosts/db-02', read)).json;
    expect(db2.timeline.some((t: { type: string; summary: string }) => t.type === 'precursor' && t.summary.startsWith('block-io-error: I/O error, dev vda'))).toBe(true);
  });
});
