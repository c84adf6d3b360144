// bench/dashboard.bench.mjs: the dashboard with a million reports stored.
//
//   node bench/run.mjs dashboard [--reports 1000000] [--runs 5] [--reference 1000] [--seed-only]
//
// Seeds a SQLite database through the collector's storage layer (storedReports + ingestReports,
// the code POST /api/v1/reports runs, in batches of 5,000) with copies of the real reports of
// test/fixtures/reports (analysed once by `ktriage analyze --json`), spread over 5,000 hosts, six
// kernel releases and 90 days. The database is kept in bench/out/ and reused. Then a real
// `ktriage serve` answers on loopback and the benchmark measures
//   - API latency: each read endpoint the pages use, 1 warm-up and 30 timed requests;
//   - page load in Debian's headless Chromium: a fresh browser context (empty cache) with a
//     session cookie opens each page; the time is from navigation start to the page showing its
//     data (performance.now() when the page's data element appears); 1 warm-up and --runs timed.
// The same is measured in the same run on a reference database of --reference reports made the
// same way: the ratio says what a million reports cost.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureOutDir, REPO_ROOT } from './common.mjs';

const KTRIAGE = path.join(REPO_ROOT, 'bin', 'ktriage.js');
const dist = (p) => import(pathToFileURL(path.join(REPO_ROOT, 'dist', p)).href);
const HOSTS = 5000;
const RELEASES = ['6.1.0-23-amd64', '6.1.0-25-amd64', '6.1.0-26-amd64', '6.1.0-27-amd64', '6.12.9-amd64', '6.12.12-amd64'];
const DAYS = 90;
const BATCH = 5000;

function arg(args, name, fallback) {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

/** The real reports of the fixtures, with their incidents, smallest JSON first. */
function templates() {
  const logs = fs.readdirSync(path.join(REPO_ROOT, 'test', 'fixtures', 'reports')).filter((f) => f.endsWith('.log')).map((f) => path.join(REPO_ROOT, 'test', 'fixtures', 'reports', f));
  const out = spawnSync('node', [KTRIAGE, 'analyze', '--json', ...logs], { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (out.status !== 0) throw new Error(`ktriage analyze failed: ${out.stderr}`);
  const result = JSON.parse(out.stdout);
  const incidentOf = new Map();
  for (const inc of result.incidents) for (const id of inc.reportIds) incidentOf.set(id, inc);
  return result.reports.filter((r) => r.bucket).map((r) => ({ report: r, incident: incidentOf.get(r.id) }));
}

/** A deterministic generator (the same database for the same count). */
function random(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

async function seed(dbPath, count, tpl) {
  const { openDatabase } = await dist('server/storage/open-database.js');
  const { storedReports } = await dist('server/ingest/parse-ingest.js');
  const { ingestReports } = await dist('server/storage/ingest-reports.js');
  const db = await openDatabase(dbPath);
  const rand = random(count);
  const now = Date.now();
  const started = performance.now();
  let done = 0;
  while (done < count) {
    const rows = [];
    const n = Math.min(BATCH, count - done);
    for (let k = 0; k < n; k++) {
      const i = done + k;
      // A few signatures make most crashes (as in a fleet): index by the square of a uniform draw.
      const t = tpl[Math.floor(rand() ** 2 * tpl.length)];
      const host = `node-${String(Math.floor(rand() * HOSTS)).padStart(4, '0')}`;
      const release = RELEASES[Math.floor(rand() * RELEASES.length)];
      // Denser lately: the age is the square of a uniform draw times 90 days.
      const time = new Date(now - rand() ** 2 * DAYS * 86_400_000).toISOString();
      const report = { ...t.report, kernel: { ...(t.report.kernel ?? {}), release }, wallTime: time };
      const batch = { host, release, boot: `bench-${i}`, reports: [report], incidents: t.incident ? [t.incident] : [] };
      rows.push(...storedReports(batch, time));
    }
    await ingestReports(db, rows);
    done += n;
    if (done % 100_000 === 0 || done === count) process.stderr.write(`  seeded ${done.toLocaleString('en-US')} reports, ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
  }
  await db.close();
  return (performance.now() - started) / 1000;
}

async function database(count, tpl) {
  const file = path.join(ensureOutDir(), `dashboard-${count}.db`);
  const marker = `${file}.complete`;
  if (fs.existsSync(marker)) return { file, seconds: undefined };
  for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
  process.stderr.write(`dashboard bench: seeding ${count.toLocaleString('en-US')} reports into ${path.relative(REPO_ROOT, file)}\n`);
  const seconds = await seed(file, count, tpl);
  fs.writeFileSync(marker, `${seconds}\n`);
  return { file, seconds };
}

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function serve(dbFile) {
  const token = spawnSync('node', [KTRIAGE, 'token', 'create', '--db', dbFile, '--scope', 'read', '--name', 'bench'], { encoding: 'utf8' }).stdout.trim().split('\n').pop();
  const port = await freePort();
  const child = spawn('node', [KTRIAGE, 'serve', '--db', dbFile, '--listen', `127.0.0.1:${port}`, '--rate-limit', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {
      /* starting */
    }
    if (i > 300) throw new Error('ktriage serve did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  return { base, token, stop: () => new Promise((r) => { child.once('exit', r); child.kill('SIGTERM'); }) };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))];

async function apiLatency(server, paths, runs) {
  const out = {};
  for (const [name, p] of Object.entries(paths)) {
    const times = [];
    for (let i = 0; i <= runs; i++) {
      const t0 = performance.now();
      const res = await fetch(`${server.base}${p}`, { headers: { authorization: `Bearer ${server.token}` } });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`${p}: ${res.status}`);
      if (i > 0) times.push(performance.now() - t0);
    }
    out[name] = { median: median(times), p95: p95(times) };
  }
  return out;
}

async function pageLoad(server, pages, runs) {
  const { chromium } = await import('playwright-core');
  const res = await fetch(`${server.base}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: server.token }) });
  const cookie = /ktriage_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
  if (!cookie) throw new Error('no session cookie');
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'ktriage-bench-chromium-'));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  });
  const out = {};
  try {
    for (const [name, { path: p, ready }] of Object.entries(pages)) {
      const times = [];
      for (let i = 0; i <= runs; i++) {
        const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
        await context.addCookies([{ name: 'ktriage_session', value: cookie, url: server.base, httpOnly: true, sameSite: 'Strict' }]);
        // The moment the data element appears, taken in the page (no polling or round-trip in it).
        await context.addInitScript((selector) => {
          new MutationObserver((_m, observer) => {
            if (document.querySelector(selector)) {
              window.__ktriageShown = performance.now();
              observer.disconnect();
            }
          }).observe(document, { childList: true, subtree: true });
        }, ready);
        const page = await context.newPage();
        await page.goto(`${server.base}${p}`);
        await page.waitForFunction(() => window.__ktriageShown !== undefined, undefined, { timeout: 30_000 });
        const ms = await page.evaluate(() => window.__ktriageShown);
        await context.close();
        if (i > 0) times.push(ms);
      }
      out[name] = { median: median(times), p95: p95(times) };
    }
  } finally {
    await browser.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  return out;
}

async function measure(dbFile, runs) {
  const server = await serve(dbFile);
  try {
    const auth = { headers: { authorization: `Bearer ${server.token}` } };
    const top = (await (await fetch(`${server.base}/api/v1/buckets?limit=1`, auth)).json()).buckets[0];
    const host = (await (await fetch(`${server.base}/api/v1/overview`, auth)).json()).topHosts[0].host;
    const report = (await (await fetch(`${server.base}/api/v1/buckets/${top.id}/reports?limit=1`, auth)).json()).reports[0].id;
    const week = new Date(Math.floor((Date.now() - 7 * 86_400_000) / 60_000) * 60_000).toISOString();
    const month = new Date(Math.floor((Date.now() - 30 * 86_400_000) / 60_000) * 60_000).toISOString();
    const api = await apiLatency(server, {
      'overview (7 days)': `/api/v1/overview?since=${week}`,
      'buckets, by count (30 days)': `/api/v1/buckets?since=${month}&sort=count&limit=50`,
      'buckets, by growth (30 days)': `/api/v1/buckets?since=${month}&sort=growth&limit=50`,
      'buckets, search `lock`': `/api/v1/buckets?q=lock&limit=50`,
      'buckets, host filter': `/api/v1/buckets?host=${host}&limit=50`,
      'bucket (largest)': `/api/v1/buckets/${top.id}`,
      'bucket reports, first page': `/api/v1/buckets/${top.id}/reports?limit=50`,
      'host': `/api/v1/hosts/${host}`,
      'report': `/api/v1/reports/${report}`,
    }, 30);
    const pages = await pageLoad(server, {
      overview: { path: '/', ready: '.chart canvas' },
      'bucket list': { path: '/buckets', ready: 'table.buckets tbody tr' },
      'bucket (largest)': { path: `/buckets/${top.id}`, ready: '#reports tbody tr' },
      host: { path: `/hosts/${host}`, ready: '.timeline li.event' },
    }, runs);
    const largest = top.count;
    return { api, pages, largest };
  } finally {
    await server.stop();
  }
}

export async function run(args) {
  const count = arg(args, '--reports', 1_000_000);
  const reference = arg(args, '--reference', 1_000);
  const runs = arg(args, '--runs', 5);
  const tpl = templates();
  const big = await database(count, tpl);
  const small = await database(reference, tpl);
  if (args.includes('--seed-only')) return 0;
  const bytes = fs.statSync(big.file).size;
  process.stderr.write(`dashboard bench: measuring ${count.toLocaleString('en-US')} and ${reference.toLocaleString('en-US')} reports\n`);
  const ref = await measure(small.file, runs);
  const res = await measure(big.file, runs);
  const row = (name, a, b) => `| ${name} | ${b.median.toFixed(1)} (${b.p95.toFixed(1)}) | ${a.median.toFixed(1)} (${a.p95.toFixed(1)}) | ${(a.median / b.median).toFixed(2)}x |`;
  const lines = [
    `${tpl.length} real report templates, ${HOSTS} hosts, ${RELEASES.length} releases, ${DAYS} days; database ${(bytes / 2 ** 30).toFixed(2)} GiB${big.seconds ? `, seeded in ${big.seconds.toFixed(0)} s` : ' (reused)'}; largest bucket ${res.largest.toLocaleString('en-US')} reports`,
    '',
    `| API request | ${reference.toLocaleString('en-US')} reports: median ms (p95) | ${count.toLocaleString('en-US')} reports: median ms (p95) | ratio |`,
    '|---|---:|---:|---:|',
    ...Object.keys(res.api).map((k) => row(`\`${k}\``, res.api[k], ref.api[k])),
    '',
    `| page (fresh browser context, to its data shown) | ${reference.toLocaleString('en-US')} reports: median ms (p95) | ${count.toLocaleString('en-US')} reports: median ms (p95) | ratio |`,
    '|---|---:|---:|---:|',
    ...Object.keys(res.pages).map((k) => row(k, res.pages[k], ref.pages[k])),
  ];
  console.log(lines.join('\n'));
  return 0;
}
