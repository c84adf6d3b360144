/**
 * The HTML report in a real headless Chromium (scripts/ensure-chromium.sh installs Debian's
 * package): the page loads nothing from the network, answers first, highlights the culprit,
 * explains fields on hover, and renders as a real page (checked on its screenshot's pixels).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const FIXTURE = join(ROOT, 'test', 'fixtures', 'reports', 'x86-null-deref-write-nokaslr-lkdtm.log');
const CHROMIUM = [process.env['CHROMIUM_PATH'], '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => p && existsSync(p));
/** The culprit highlight of the light theme (src/render/html-style.ts, --culprit). */
const CULPRIT_RGB = [0xff, 0xd8, 0xa8];

if (!CHROMIUM) console.warn('html-browser.test: no chromium (run scripts/ensure-chromium.sh); skipping the browser test');

describe.skipIf(!CHROMIUM)('the HTML report in headless Chromium', () => {
  let browser: Browser;
  let page: Page;
  const foreignRequests: string[] = [];

  beforeAll(async () => {
    const html = spawnSync('node', [join(ROOT, 'bin', 'ktriage.js'), 'analyze', '--format', 'html', FIXTURE], { encoding: 'utf8' });
    expect(html.status).toBe(0);
    const file = join(mkdtempSync(join(tmpdir(), 'ktriage-html-')), 'report.html');
    writeFileSync(file, html.stdout);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-dev-shm-usage'],
    });
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, colorScheme: 'light' });
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      foreignRequests.push(url);
      return route.abort();
    });
    page = await context.newPage();
    await page.goto(pathToFileURL(file).href);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('is self-contained: no request leaves the file', () => {
    expect(foreignRequests).toEqual([]);
  });

  it('answers first: title, cause, culprit and next steps before the details', async () => {
    expect(await page.locator('.answer h2.title').textContent()).toBe('BUG: unable to handle kernel NULL pointer dereference in lkdtm_EXCEPTION');
    expect(await page.locator('.answer .cause').textContent()).toBe('deliberate');
    expect(await page.locator('.answer .culprit-name').textContent()).toBe('lkdtm_EXCEPTION');
    expect(await page.locator('.next-steps li').count()).toBe(3);
    const answerTop = (await page.locator('.answer').boundingBox())?.y ?? Infinity;
    const reportTop = (await page.locator('article.report').first().boundingBox())?.y ?? -1;
    expect(answerTop).toBeLessThan(reportTop);
  });

  it('marks the culprit in the call trace', async () => {
    const culprit = page.locator('.trace li.culprit');
    expect(await culprit.count()).toBe(1);
    expect(await culprit.textContent()).toContain('lkdtm_EXCEPTION');
  });

  it('explains a field on hover: the taint letters', async () => {
    const taint = page.locator('.log .f', { hasText: /^G\s+OE\s*$/ }).first();
    const tip = () => taint.evaluate((el) => getComputedStyle(el, '::after').content);
    expect(await tip()).toBe('none');
    await taint.hover();
    expect(await tip()).toContain('O = out-of-tree module loaded');
  });

  it('explains the page-fault error code and the fault address on hover', async () => {
    const pf = page.locator('.log .f', { hasText: '#PF: error_code(0x0002) - not-present page' });
    expect(await pf.getAttribute('data-tip')).toBe('Page-fault error code 0x2: supervisor write access in kernel mode, not-present page');
    const cr2 = page.locator('.log .f', { hasText: /^0000000000000000$/ }).first();
    expect(await cr2.getAttribute('data-tip')).toMatch(/NULL pointer/);
  });

  it('renders as a page: the screenshot is not blank and the culprit row is highlighted', async () => {
    const shot = PNG.sync.read(await page.screenshot({ fullPage: true }));
    expect(shot.width).toBe(1200);
    expect(shot.height).toBeGreaterThan(900);
    const colours = new Set<number>();
    for (let i = 0; i < shot.data.length; i += 4 * 97) colours.add(shot.data.readUInt32BE(i));
    expect(colours.size).toBeGreaterThan(20);

    const row = PNG.sync.read(await page.locator('.trace li.culprit').screenshot());
    let highlighted = 0;
    for (let i = 0; i < row.data.length; i += 4) {
      const [r = 0, g = 0, b = 0] = [row.data[i], row.data[i + 1], row.data[i + 2]];
      if (Math.abs(r - (CULPRIT_RGB[0] ?? 0)) < 8 && Math.abs(g - (CULPRIT_RGB[1] ?? 0)) < 8 && Math.abs(b - (CULPRIT_RGB[2] ?? 0)) < 8) highlighted++;
    }
    expect(highlighted / (row.data.length / 4)).toBeGreaterThan(0.5);
  });
});
