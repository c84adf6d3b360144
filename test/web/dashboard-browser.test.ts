/**
 * The dashboard in Debian's headless Chromium (scripts/ensure-chromium.sh) against a real
 * `ktriage serve --demo` on a fresh SQLite database: without a session the page shows the login
 * form and no data; with a read token the overview, the bucket list (filters in the URL, search,
 * keyboard), a bucket, a host and a report show what the API says; an admin token changes a
 * bucket's status; logout ends the session. Screenshots of each page in both themes go to
 * test-output/screenshots/ (docs/screenshots/ keeps small copies).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../src/host/run-doctor.js';
import type { BucketDetail, BucketList, HostDetail, Overview, ReportDetail } from '../../web/src/api-types.js';
import { ingestFixtureLogs, startCollector, type RunningCollector } from './collector-process.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const SHOTS = join(ROOT, 'test-output', 'screenshots');
const SKIP = process.env['KTRIAGE_SKIP_CHROMIUM'] === '1';

if (!SKIP && !existsSync(CHROMIUM)) throw new Error(`dashboard-browser.test: no ${CHROMIUM} (run scripts/ensure-chromium.sh, or set KTRIAGE_SKIP_CHROMIUM=1)`);

describe.skipIf(SKIP)('the dashboard in headless Chromium against ktriage serve --demo', () => {
  let collector: RunningCollector;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  const foreign: string[] = [];
  let readiness: DoctorReport;

  /** The API's own answer (Bearer token), to compare with what the page shows. */
  const api = async <T>(path: string, token = collector.readToken): Promise<T> => {
    const res = await fetch(`${collector.base}${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
    return (await res.json()) as T;
  };
  const shoot = async (name: string) => {
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.waitForTimeout(50);
      await page.screenshot({ path: join(SHOTS, `${name}-${scheme}.png`) });
    }
    await page.emulateMedia({ colorScheme: 'light' });
  };
  /** Form controls a screen reader could not name (no <label>, no aria-label). */
  const unlabelledControls = () =>
    page.evaluate(() =>
      [...document.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>('input, select, textarea')]
        .filter((el) => (el.labels?.length ?? 0) === 0 && !el.getAttribute('aria-label'))
        .map((el) => el.id || el.outerHTML.slice(0, 60)),
    );
  const login = async (token: string) => {
    await page.goto(`${collector.base}/`);
    await page.getByLabel('Token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('header.top').waitFor();
  };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    collector = await startCollector({ demo: true });
    // Besides the demo fleet, real logs through the ingest API: the same crash on three hosts
    // and two releases, and others once.
    const uploads = [
      ...['web-1', 'web-2', 'db-1'].map((host, i) => ({ host, release: i < 2 ? '6.1.0-26-amd64' : '6.1.0-27-amd64', log: 'x86-null-deref-write-nokaslr-lkdtm.log' })),
      { host: 'web-1', release: '6.1.0-26-amd64', log: 'kasan-use-after-free-read-wake-up-common.log' },
      { host: 'db-1', release: '6.1.0-27-amd64', log: 'rcu-stall-kthread-starved-kvm.log' },
      { host: 'web-2', release: '6.1.0-26-amd64', log: 'x86-warning-panic-on-warn-lkdtm.log' },
    ];
    expect(await ingestFixtureLogs(collector, uploads)).toBeGreaterThanOrEqual(uploads.length);
    // A readiness check as the agent sends it: `ktriage doctor --json` of a real Debian server's files.
    const doctor = spawnSync('node', [join(ROOT, 'bin', 'ktriage.js'), 'doctor', '--json', '--root', join(ROOT, 'test', 'fixtures', 'host', 'debian-server')], { encoding: 'utf8' });
    readiness = JSON.parse(doctor.stdout) as DoctorReport;
    const events = { host: 'web-1', events: [{ id: 'web-1-readiness-1', type: 'readiness', time: new Date().toISOString(), summary: `doctor score ${readiness.score}`, data: readiness }] };
    const posted = await fetch(`${collector.base}/api/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${collector.ingestToken}`, 'content-type': 'application/json' }, body: JSON.stringify(events) });
    expect(posted.status, await posted.clone().text()).toBe(200);
    profile = mkdtempSync(join(tmpdir(), 'ktriage-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
      viewport: { width: 1440, height: 900 },
      colorScheme: 'light',
      timezoneId: 'Europe/Paris',
      locale: 'en-GB',
    });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: collector.base });
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(`${collector.base}/`) || url.startsWith('data:')) return route.continue();
      foreign.push(url);
      return route.abort();
    });
    page = context.pages()[0] ?? (await context.newPage());
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await collector?.stop();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('without a session shows the login form and no data', async () => {
    const overview = await api<Overview>('/api/v1/overview');
    const topTitle = overview.newBuckets[0]?.title ?? (await api<BucketList>('/api/v1/buckets')).buckets[0]?.title ?? '';
    expect(topTitle).not.toBe('');
    const answers: number[] = [];
    page.on('response', (r) => r.url().includes('/api/v1/') && answers.push(r.status()));
    await page.goto(`${collector.base}/buckets`);
    await page.getByLabel('Token').waitFor();
    expect(await page.locator('main').innerText()).not.toContain(topTitle);
    expect(await page.locator('table, .stats, header.top').count()).toBe(0);
    // The page's own fetch of data is refused without the cookie.
    expect(await page.evaluate(async () => (await fetch('/api/v1/overview')).status)).toBe(401);
    expect(answers.every((s) => s === 401)).toBe(true);
    await page.getByLabel('Token').fill('not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('not known');
    await shoot('login');
  });

  it('logs in with a read token into an HttpOnly, SameSite=Strict cookie', async () => {
    await login(collector.readToken);
    const cookie = (await context.cookies(collector.base)).find((c) => c.name === 'ktriage_session');
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe('Strict');
    expect(await page.evaluate(() => document.cookie)).not.toContain('ktriage_session');
    expect(await page.locator('.scope').textContent()).toBe('read');
  });

  it('shows the overview the API answers', async () => {
    await page.goto(`${collector.base}/?range=30d`);
    await page.locator('#crashes-over-time').waitFor();
    const since = await page.evaluate(() => new URL(location.href).searchParams.get('range'));
    expect(since).toBe('30d');
    const o = await api<Overview>(`/api/v1/overview?since=${encodeURIComponent(new Date(Math.floor((Date.now() - 30 * 86_400_000) / 60_000) * 60_000).toISOString())}`);
    const total = o.series.reduce((a, p) => a + p.total, 0);
    expect(total).toBeGreaterThan(0);
    const stat = (label: string) => page.locator('.stats li', { hasText: label }).locator('.stat-value').innerText();
    expect(Number((await stat('Crashes')).replace(/\D/g, ''))).toBe(total);
    expect(Number(await stat('New buckets'))).toBe(o.newBuckets.length);
    expect(Number(await stat('Regressed buckets'))).toBe(o.regressedBuckets.length);
    expect(await page.locator('#top-hosts ~ table tbody tr').count()).toBe(Math.min(10, o.topHosts.length));
    expect(await page.locator('#top-hosts ~ table tbody tr').first().locator('a').innerText()).toBe(o.topHosts[0]?.host);
    expect(await page.locator('#releases ~ table tbody tr').count()).toBe(o.releases.length);
    // The chart is drawn (a canvas with pixels) and its legend names the kinds.
    expect(await page.locator('.chart canvas').count()).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'by cause' }).click();
    await expect.poll(() => page.url()).toContain('by=cause');
    await shoot('overview');
  });

  it('filters the bucket list in the URL, searches with /, moves with j/k and opens with Enter', async () => {
    const all = await api<BucketList>('/api/v1/buckets?limit=50');
    const top = all.buckets[0];
    expect(top).toBeDefined();
    await page.goto(`${collector.base}/buckets`);
    await page.locator('table.buckets tbody tr').first().waitFor();
    await page.locator('#f-range').selectOption('all');
    await expect.poll(() => page.locator('table.buckets tbody tr').count()).toBe(all.buckets.length);
    await shoot('buckets');
    await page.locator('#f-kind').selectOption(top?.kind ?? '');
    await expect.poll(() => new URL(page.url()).searchParams.get('kind')).toBe(top?.kind);
    const byKind = await api<BucketList>(`/api/v1/buckets?kind=${encodeURIComponent(top?.kind ?? '')}&limit=50`);
    await expect.poll(() => page.locator('table.buckets tbody tr').count()).toBe(byKind.buckets.length);
    expect(await page.locator('table.buckets tbody tr .badge.kind').allInnerTexts()).toEqual(byKind.buckets.map(() => top?.kind));
    expect(await page.locator('.page-head p strong').innerText()).toBe(byKind.total.toLocaleString('en-GB'));
    // The view is shared by its URL: reloading it shows the same filter.
    await page.reload();
    await expect.poll(() => page.locator('#f-kind').inputValue()).toBe(top?.kind);
    expect(await unlabelledControls()).toEqual([]);
    expect(await page.locator('header nav[aria-label="Main"], main#main, form[role="search"]').count()).toBe(3);
    // Search: `/` focuses the box, Enter searches titles, culprits and modules.
    await page.locator('body').click({ position: { x: 5, y: 300 } });
    await page.keyboard.press('/');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('search');
    const word = top?.culprit ?? top?.title.split(' ').pop() ?? '';
    await page.keyboard.type(word);
    await page.keyboard.press('Enter');
    await expect.poll(() => new URL(page.url()).searchParams.get('q')).toBe(word);
    const found = await api<BucketList>(`/api/v1/buckets?q=${encodeURIComponent(word)}&kind=${encodeURIComponent(top?.kind ?? '')}&limit=50`);
    await expect.poll(() => page.locator('table.buckets tbody tr .title-link').allInnerTexts()).toEqual(found.buckets.map((b) => b.title));
    // Keyboard: j selects the first row, Enter opens it.
    await page.locator('body').click({ position: { x: 5, y: 300 } });
    await page.keyboard.press('j');
    await expect.poll(() => page.locator('tr.selected').count()).toBe(1);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.url()).toContain(`/buckets/${found.buckets[0]?.id}`);
  });

  it('shows a bucket: the answer first, the culprit marked in the trace, hosts and releases', async () => {
    const id = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');
    const d = await api<BucketDetail>(`/api/v1/buckets/${encodeURIComponent(id)}`);
    await page.locator('h1').waitFor();
    expect(await page.locator('h1').innerText()).toBe(d.bucket.title);
    const answerTop = (await page.locator('.answer').boundingBox())?.y ?? Infinity;
    const traceTop = (await page.locator('#trace').boundingBox())?.y ?? -1;
    expect(answerTop).toBeLessThan(traceTop);
    const { report, incident } = d.representative;
    const own = incident?.diagnosis?.bucket === undefined || incident.diagnosis.bucket === report.bucket;
    const culprit = (own ? incident?.diagnosis?.culprit?.function : undefined) ?? report.culprit?.function;
    expect(culprit).toBeDefined();
    expect(await page.locator('.answer .culprit-name').innerText()).toBe(culprit);
    // Marked where the trace shows it: the RIP line, or its frame in the first trace.
    const inTrace = report.culprit?.from === 'ip' ? '.rip.culprit' : report.stacks[0]?.frames.some((f) => f.function === culprit) ? '.trace li.culprit' : undefined;
    if (inTrace) {
      expect(await page.locator(inTrace).count()).toBe(1);
      expect(await page.locator(inTrace).innerText()).toContain(culprit);
    }
    expect(await page.locator('#hosts-h ~ table tbody tr').count()).toBe(Math.min(12, d.hosts.length));
    expect(await page.locator('.release-timeline li').count()).toBe(d.releases.length);
    expect(await page.locator('#triage-h ~ form').count()).toBe(0);
    // Times in the viewer's zone (the browser runs in Europe/Paris), UTC on hover.
    const firstSeen = page.locator('.stats li', { hasText: 'first seen' }).locator('time');
    expect(await firstSeen.getAttribute('datetime')).toBe(d.bucket.firstSeen);
    const paris = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
    expect(await firstSeen.innerText()).toBe(paris.format(new Date(d.bucket.firstSeen)));
    expect(await firstSeen.getAttribute('title')).toBe(`${new Date(d.bucket.firstSeen).toISOString().slice(0, 19).replace('T', ' ')} UTC`);
    await shoot('bucket');
  });

  it('lets an admin set a status with the release it was fixed in, and a note', async () => {
    const id = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Token').waitFor();
    await login(collector.adminToken);
    await page.goto(`${collector.base}/buckets/${encodeURIComponent(id)}`);
    await page.locator('#bucket-status').selectOption('fixed');
    await page.locator('#bucket-fixed-in').fill('6.1.0-99-amd64');
    await page.locator('#bucket-note').fill('Fixed by the backport in 6.1.0-99.');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('.page-head .status-fixed').innerText()).toBe('fixed in 6.1.0-99-amd64');
    expect(await unlabelledControls()).toEqual([]);
    const d = await api<BucketDetail>(`/api/v1/buckets/${encodeURIComponent(id)}`);
    expect(d.bucket.status).toBe('fixed');
    expect(d.bucket.fixedIn).toBe('6.1.0-99-amd64');
    expect(d.notes.map((n) => n.text)).toContain('Fixed by the backport in 6.1.0-99.');
    expect(await page.locator('.notes .note-text').allInnerTexts()).toContain('Fixed by the backport in 6.1.0-99.');
  });

  it('opens a host: its timeline, releases and readiness', async () => {
    await page.locator('#hosts-h ~ table tbody tr a').first().click();
    await page.locator('#timeline').waitFor();
    const host = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');
    const d = await api<HostDetail>(`/api/v1/hosts/${encodeURIComponent(host)}`);
    expect(await page.locator('h1').innerText()).toBe(host);
    expect(await page.locator('.timeline li.event').count()).toBe(Math.min(200, d.timeline.length));
    expect(await page.locator('.stats li', { hasText: 'crashes' }).locator('.stat-value').innerText()).toBe(d.host.crashes.toLocaleString('en-GB'));
    expect(await page.locator('#host-releases ~ .release-timeline li').count()).toBe(d.releases.length);
    await shoot('host');
  });

  it("shows a host's readiness: the doctor result its agent sent", async () => {
    await page.goto(`${collector.base}/hosts/web-1`);
    await page.locator('#readiness').waitFor();
    const score = page.locator('.readiness .score');
    await expect.poll(() => score.getAttribute('aria-label')).toBe(`Readiness score ${readiness.score} of 100`);
    expect(await page.locator('.checks li').count()).toBe(readiness.checks.length);
    expect(await page.locator('.checks .check-warn').count()).toBe(readiness.counts.warn);
    const firstWarn = readiness.checks.find((c) => c.status === 'warn');
    if (firstWarn) expect(await page.locator('.checks li').first().innerText()).toContain(firstWarn.title);
  });

  it('opens a report whole, copies it as the Markdown RCA and downloads it raw', async () => {
    await page.locator('.timeline li.ev-crash a').first().click();
    await page.locator('#answer').waitFor();
    const id = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');
    const d = await api<ReportDetail>(`/api/v1/reports/${encodeURIComponent(id)}`);
    expect(await page.locator('h1').innerText()).toBe(d.report.title);
    expect(await page.locator('.log .line').count()).toBe(d.report.lines.length);
    await page.getByRole('button', { name: 'Copy as Markdown RCA' }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toBe('Copied the Markdown RCA.');
    const markdown = await page.evaluate(() => navigator.clipboard.readText());
    expect(markdown.split('\n')[0]).toMatch(/^# (RCA: |Kernel crash analysis)/);
    if (d.incident?.diagnosis) expect(markdown).toContain(`| Likely cause | **${d.incident.diagnosis.cause.category}**`);
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download raw' }).click();
    const file = await download;
    const raw = await (await fetch(`${collector.base}/api/v1/reports/${encodeURIComponent(id)}/raw`, { headers: { authorization: `Bearer ${collector.readToken}` } })).text();
    const saved = await file.path();
    expect(readFileSync(saved, 'utf8')).toBe(raw);
    expect(raw).toContain(d.report.lines[0]?.text ?? '\u0000');
    await shoot('report');
  });

  it('logs out: the cookie is gone and the page shows the login form again', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Token').waitFor();
    expect((await context.cookies(collector.base)).find((c) => c.name === 'ktriage_session' && c.value !== '')).toBeUndefined();
    await page.goto(`${collector.base}/`);
    await page.getByLabel('Token').waitFor();
    expect(await page.evaluate(async () => (await fetch('/api/v1/buckets')).status)).toBe(401);
  });

  it('fetched nothing from anywhere but the collector', () => {
    expect(foreign).toEqual([]);
  });
});
