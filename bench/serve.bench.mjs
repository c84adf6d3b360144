// npm run bench:serve [-- --dialect sqlite|postgres|both] [--seed-reports 1000000]
// A load generator on loopback against the real `ktriage serve` process, bounded in count and
// time: agent reports/s (batches of 50) with p99 request latency, raw logs/s, extended
// netconsole lines/s with loss, the top-bucket list latency with 1,000,000 reports stored, and
// the server's peak memory (VmHWM). PostgreSQL is a throwaway cluster started here (Debian's
// package, scripts/ci/serve.sh). Real reports: test/fixtures logs through the analysis.
import { execFileSync, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, isMain } from './common.mjs';

const dist = (p) => import(path.join(REPO_ROOT, 'dist', p));
const FIX = path.join(REPO_ROOT, 'test', 'fixtures', 'reports');
const LIMITS = { agentReports: 20_000, agentSeconds: 30, logs: 1500, logSeconds: 20, netconsoleLines: 300_000, netconsoleSeconds: 20, netconsoleRate: 50_000 };

function arg(args, name, dflt) {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function peakKb(pid) {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

function startServe(db, token) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'ktriage.js'), 'serve', '--db', db, '--listen', '127.0.0.1:0', '--netconsole-listen', '127.0.0.1:0', '--rate-limit', '0', '--quiet-seconds', '2'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
      const http = /listening on (http:\/\/\S+)/.exec(err);
      const nc = /netconsole on udp \S+:(\d+)/.exec(err);
      if (http && nc) resolve({ child, url: http[1], netconsole: Number(nc[1]), token });
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
}

async function post(url, token, body, headers = {}) {
  const t = performance.now();
  const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, ...headers }, body });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`POST ${url}: ${res.status}`);
  return performance.now() - t;
}

/** Runs `work(i)` for i < count on `concurrency` workers, stopping at the deadline; returns latencies. */
async function drive(count, seconds, concurrency, work) {
  const deadline = Date.now() + seconds * 1000;
  const latencies = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count && Date.now() < deadline) latencies.push(await work(next++));
    }),
  );
  return { done: latencies.length, seconds: (performance.now() - start) / 1000, latencies: latencies.sort((a, b) => a - b) };
}

async function agentPhase(server) {
  const { analyzeUpload } = await dist('server/ingest/analyze-upload.js');
  const kinds = ['x86-oom-panic-on-oom.log', 'x86-null-deref-read-lkdtm.log', 'x86-soft-lockup-panic-lkdtm.log', 'x86-hung-task-panic-lkdtm.log'];
  const real = [];
  for (const k of kinds) real.push(await analyzeUpload(fs.readFileSync(path.join(FIX, k)), k, 'bench'));
  const BATCH = 50;
  const bodies = [];
  for (let b = 0; b < LIMITS.agentReports / BATCH; b++) {
    const host = `agent-${b % 400}`;
    const src = real[b % real.length];
    const reports = Array.from({ length: BATCH }, (_, i) => {
      const r = src.reports[i % src.reports.length];
      return { ...r, id: `rbench${b}x${i}`, host };
    });
    bodies.push(JSON.stringify({ host, release: `6.1.0-${20 + (b % 8)}-amd64`, reports, incidents: src.incidents }));
  }
  const r = await drive(bodies.length, LIMITS.agentSeconds, 8, (i) => post(`${server.url}/api/v1/reports`, server.token, bodies[i]));
  return { reportsPerSecond: Math.round((r.done * BATCH) / r.seconds), requests: r.done, reports: r.done * BATCH, p50ms: +percentile(r.latencies, 50).toFixed(1), p99ms: +percentile(r.latencies, 99).toFixed(1), batch: BATCH };
}

async function logsPhase(server) {
  const log = fs.readFileSync(path.join(FIX, 'x86-panic-dumptest-lkdtm.log'));
  const r = await drive(LIMITS.logs, LIMITS.logSeconds, 4, (i) => post(`${server.url}/api/v1/logs?host=raw-${i}`, server.token, log));
  return { logsPerSecond: Math.round(r.done / r.seconds), logs: r.done, logBytes: log.length, p99ms: +percentile(r.latencies, 99).toFixed(1) };
}

async function metric(server, name) {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
}

async function netconsolePhase(server) {
  // Boot noise with a crash in it: a kernel's console is mostly not crashes.
  const lines = [...fs.readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'logs', 'dmesg-plain.txt'), 'utf8').split('\n'), ...fs.readFileSync(path.join(FIX, 'x86-hung-task-panic-lkdtm.log'), 'utf8').split('\n')].filter(Boolean).map((l) => l.replace(/^\[\s*\d+\.\d+\] /, ''));
  const sock = createSocket({ type: 'udp4', sendBufferSize: 4 << 20 });
  await new Promise((r) => sock.bind(0, '127.0.0.1', r));
  const before = await metric(server, 'ktriage_netconsole_lines_total');
  const lostBefore = await metric(server, 'ktriage_netconsole_lost_lines_total');
  const start = performance.now();
  const deadline = Date.now() + LIMITS.netconsoleSeconds * 1000;
  let sent = 0;
  // Paced at `rate` lines a second (a netconsole sender is a kernel, not a flood), in bursts of 100.
  const rate = LIMITS.netconsoleRate;
  while (sent < LIMITS.netconsoleLines && Date.now() < deadline) {
    const burst = [];
    for (let i = 0; i < 100; i++, sent++) burst.push(new Promise((r) => sock.send(`6,${sent},${sent * 10},-;${lines[sent % lines.length]}`, server.netconsole, '127.0.0.1', r)));
    await Promise.all(burst);
    const ahead = (sent / rate) * 1000 - (performance.now() - start);
    if (ahead > 0) await new Promise((r) => setTimeout(r, ahead));
  }
  const sendSeconds = (performance.now() - start) / 1000;
  // Let the server drain its socket, then end the stream's last gap.
  let got = 0;
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const now = (await metric(server, 'ktriage_netconsole_lines_total')) - before;
    if (now === got && now > 0) break;
    got = now;
  }
  await new Promise((r) => setTimeout(r, 1500));
  got = (await metric(server, 'ktriage_netconsole_lines_total')) - before;
  const lost = (await metric(server, 'ktriage_netconsole_lost_lines_total')) - lostBefore;
  sock.close();
  return { rate, sent, received: got, lost, linesPerSecond: Math.round(got / sendSeconds), sendSeconds: +sendSeconds.toFixed(2) };
}

/** 1,000,000 reports written straight into the schema (rollups included) in a few SQL statements. */
async function seedMillion(target, total) {
  const { openDatabase } = await dist('server/storage/open-database.js');
  const db = await openDatabase(target);
  const now = Date.now();
  const hours = Array.from({ length: 336 }, (_, i) => new Date(now - i * 3_600_000).toISOString());
  await db.transaction(async (tx) => {
    await tx.run('CREATE TABLE bench_hours (n INTEGER PRIMARY KEY, time TEXT NOT NULL)');
    for (let i = 0; i < hours.length; i += 100) {
      const part = hours.slice(i, i + 100);
      await tx.run(`INSERT INTO bench_hours VALUES ${part.map(() => '(?, ?)').join(', ')}`, part.flatMap((t, j) => [i + j, t]));
    }
  });
  const seq = `WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < ${total - 1})`;
  // Bucket sizes fall off like a real fleet's: a few big ones, a long tail (i*i mod 2003).
  const bucketOf = `'bench' || (((i % 2003) * (i % 2003)) % 2003)`;
  await db.transaction((tx) =>
    tx.run(
      `INSERT INTO reports (id, bucket, title, kind, host, release, boot, time, received_at, report_json)
       ${seq} SELECT 'rseed' || i, ${bucketOf}, 'WARNING in bench_function_' || (((i % 2003) * (i % 2003)) % 2003), 'warning', 'host-' || (i % 500),
         '6.1.0-' || (20 + i % 8) || '-amd64', NULL, h.time, h.time, '{}'
       FROM seq JOIN bench_hours h ON h.n = i % 336`,
    ),
  );
  const rollups = [
    `INSERT INTO buckets (id, title, kind, cause, count, first_seen, last_seen, first_release, representative)
       SELECT bucket, MIN(title), 'warning', 'kernel-bug', COUNT(*), MIN(time), MAX(time), MIN(release), MIN(id) FROM reports WHERE id LIKE 'rseed%' GROUP BY bucket`,
    `INSERT INTO bucket_hosts (bucket, host, count, last_seen) SELECT bucket, host, COUNT(*), MAX(time) FROM reports WHERE id LIKE 'rseed%' GROUP BY bucket, host`,
    `INSERT INTO bucket_releases (bucket, release, count, first_seen, last_seen) SELECT bucket, release, COUNT(*), MIN(time), MAX(time) FROM reports WHERE id LIKE 'rseed%' GROUP BY bucket, release`,
    `INSERT INTO bucket_hours (bucket, hour, count) SELECT bucket, substr(time, 1, 13), COUNT(*) FROM reports WHERE id LIKE 'rseed%' GROUP BY bucket, substr(time, 1, 13)`,
  ];
  for (const sql of rollups) await db.transaction((tx) => tx.run(sql));
  if (db.dialect === 'postgres') await db.run('ANALYZE');
  await db.close();
}

async function listPhase(server) {
  const lat = [];
  for (const q of ['sort=count', 'sort=recent', 'sort=count&release=6.1.0-23-amd64', 'q=function_17']) {
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      const res = await fetch(`${server.url}/api/v1/buckets?limit=50&${q}`, { headers: { authorization: `Bearer ${server.token}` } });
      const body = await res.json();
      if (!Array.isArray(body.buckets)) throw new Error(`list: ${res.status}`);
      lat.push(performance.now() - t);
    }
  }
  lat.sort((a, b) => a - b);
  return { p50ms: +percentile(lat, 50).toFixed(1), p99ms: +percentile(lat, 99).toFixed(1), requests: lat.length };
}

async function runDialect(dialect, seedCount) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kt-bench-serve-'));
  let pg;
  let target = path.join(tmp, 'bench.db');
  let seeded = path.join(tmp, 'million.db');
  if (dialect === 'postgres') {
    const { startPostgres } = await import('./serve-postgres.mjs');
    pg = await startPostgres(tmp);
    target = await pg.createDatabase('bench');
    seeded = await pg.createDatabase('million');
  }
  const { openDatabase } = await dist('server/storage/open-database.js');
  const { createToken } = await dist('server/storage/token-store.js');
  const out = { dialect };
  try {
    for (const t of [target, seeded]) {
      const db = await openDatabase(t);
      out[t === target ? 'token' : 'seedToken'] = (await createToken(db, 'admin', 'bench')).token;
      await db.close();
    }
    let server = await startServe(target, out.token);
    try {
      out.agent = await agentPhase(server);
      out.logs = await logsPhase(server);
      out.netconsole = await netconsolePhase(server);
      out.peakRssMiB = Math.round(peakKb(server.child.pid) / 1024);
    } finally {
      server.child.kill('SIGTERM');
    }
    const s = performance.now();
    await seedMillion(seeded, seedCount);
    out.seedSeconds = +((performance.now() - s) / 1000).toFixed(1);
    server = await startServe(seeded, out.seedToken);
    try {
      out.list = { reportsStored: seedCount, ...(await listPhase(server)) };
      out.list.peakRssMiB = Math.round(peakKb(server.child.pid) / 1024);
    } finally {
      server.child.kill('SIGTERM');
    }
  } finally {
    delete out.token;
    delete out.seedToken;
    pg?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return out;
}

export async function run(args) {
  const which = arg(args, 'dialect', 'both');
  const seedCount = Number(arg(args, 'seed-reports', '1000000'));
  const dialects = which === 'both' ? ['sqlite', 'postgres'] : [which];
  const stamp = { date: new Date().toISOString(), node: process.version, cpus: `${os.cpus().length} × ${os.cpus()[0]?.model}`, memGiB: +(os.totalmem() / 2 ** 30).toFixed(1), load: os.loadavg()[0].toFixed(2), commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT }).toString().trim() };
  console.log(JSON.stringify(stamp));
  for (const d of dialects) console.log(JSON.stringify(await runDialect(d, seedCount)));
  return 0;
}

if (isMain(import.meta.url)) process.exitCode = await run(process.argv.slice(2));
