// npm run bench:watch [-- --rate N --seconds S --long-seconds L --burst N]
// The agent (`ktriage watch`, the built CLI) on a FIFO fed real kernel log lines as /dev/kmsg
// records: (1) lines/s it sustains, against grep reading the same records from a FIFO in the
// same run; (2) its CPU share at a steady rate (default 1,000 lines/s); (3) its RSS sampled over
// a longer steady run (flat or not). Bounded in count and time; everything on loopback.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './common.mjs';

const BIN = path.join(REPO_ROOT, 'bin', 'ktriage.js');
/** Three real boots of a Debian kernel, each ending in a crash (BUG, an exception with kdump, OOM): a crash every ~530 lines. */
const SOURCE_LOGS = ['lab-bug-console.log', 'lab-exception-kdump-console.log', 'lab-oom-console.log'].map((f) => path.join(REPO_ROOT, 'test', 'fixtures', 'logs', f));

function option(args, name, fallback) {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

/**
 * Real kernel lines as kmsg records, repeated with rising seq and time: `ordinary` takes each
 * boot up to its crash trigger (what a healthy host prints), `crashes` takes the boots whole (a
 * crash every ~530 lines: a storm).
 */
function recordMaker(kind) {
  const lines = SOURCE_LOGS.flatMap((f) => {
    const all = readFileSync(f, 'utf8').split(/\r?\n/);
    const trigger = all.findIndex((l) => l.includes('panic-lab: TRIGGER'));
    return kind === 'ordinary' && trigger > 0 ? all.slice(0, trigger) : all;
  }).map((l) => /^\[ *\d+\.\d+\](?:\[ *[TC]\d+\])? ?(.*)$/.exec(l)?.[1]).filter((t) => t !== undefined);
  return (n) => {
    let out = '';
    for (let k = 0; k < n; k++, seq++) out += `6,${seq},${seq * 1000},-;${lines[seq % lines.length].replace(/[\\\x00-\x1f]/g, ' ')}\n`;
    return out;
  };
}
/** One sequence across both makers: the agent sees one stream. */
let seq = 0;

async function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = s.address().port;
      s.close(() => resolve(port));
    });
  });
}

async function metrics(port) {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const value = (name) => {
    const line = text.split('\n').find((l) => l.startsWith(name));
    return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
  };
  return { lines: value('ktriage_watch_source_lines_total'), cpu: value('process_cpu_seconds_total'), rss: value('process_resident_memory_bytes'), reports: text.split('\n').filter((l) => l.startsWith('ktriage_watch_reports_total{')).reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0) };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitLines(port, n, timeoutMs) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const m = await metrics(port).catch(() => undefined);
    if (m && m.lines >= n) return m;
    if (Date.now() > until) throw new Error(`agent read ${m?.lines} of ${n} lines in ${timeoutMs} ms`);
    await sleep(20);
  }
}

export async function run(args) {
  const rate = option(args, '--rate', 1000);
  const seconds = option(args, '--seconds', 20);
  const longSeconds = option(args, '--long-seconds', 60);
  const burst = option(args, '--burst', 200_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kt-bench-watch-'));
  const proc = path.join(dir, 'proc');
  for (const f of ['meminfo', 'loadavg', 'diskstats', 'uptime', 'sys/kernel/random/boot_id', 'sys/fs/file-nr', 'sys/fs/file-max', 'sys/kernel/pid_max', 'sys/kernel/threads-max']) {
    mkdirSync(path.dirname(path.join(proc, f)), { recursive: true });
    try {
      copyFileSync(path.join('/proc', f), path.join(proc, f));
    } catch {}
  }
  const fifo = path.join(dir, 'kmsg');
  execFileSync('mkfifo', [fifo]);
  const port = await freePort();
  // KT_BENCH_PROF=DIR: the agent writes a CPU profile there.
  const prof = process.env.KT_BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.KT_BENCH_PROF}`] : [];
  // KT_BENCH_NODE_OPTIONS: V8 flags for the agent, as the systemd unit's Environment= would set them.
  const nodeOptions = process.env.KT_BENCH_NODE_OPTIONS?.split(' ').filter(Boolean) ?? [];
  const agent = spawn(process.execPath, [...prof, ...nodeOptions, BIN, 'watch', '--kmsg', fifo, '--from', 'start', '--state-dir', path.join(dir, 'state'), '--proc', proc, '--sys', path.join(dir, 'sys'), '--metrics-listen', `127.0.0.1:${port}`, '--no-previous-journal', '--crash-dir', path.join(dir, 'crash'), '--systemd-pstore', path.join(dir, 'none'), '--pstore', path.join(dir, 'none'), '--sample-interval', '5'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const make = recordMaker('crashes');
  const ordinary = recordMaker('ordinary');
  try {
    await (async () => {
      for (let i = 0; i < 100; i++) {
        if (await metrics(port).catch(() => undefined)) return;
        await sleep(100);
      }
      throw new Error('agent did not start');
    })();
    const fd = openSync(fifo, 'w');
    const report = { machine: `${os.cpus()[0]?.model} x${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`, source: SOURCE_LOGS.map((f) => path.basename(f)).join(' + ') };

    // (1) Throughput: a burst written as fast as the FIFO takes it.
    const burstText = make(burst);
    const start0 = await metrics(port);
    let t0 = performance.now();
    for (let at = 0; at < burstText.length; at += 1 << 16) writeSync(fd, burstText.slice(at, at + (1 << 16)));
    const m1 = await waitLines(port, start0.lines + burst, 120_000);
    const agentSeconds = (performance.now() - t0) / 1000;
    // Reference: grep reading the same records from a FIFO, in the same run.
    const gfifo = path.join(dir, 'grep-fifo');
    execFileSync('mkfifo', [gfifo]);
    writeFileSync(path.join(dir, 'burst.txt'), burstText);
    t0 = performance.now();
    execFileSync('sh', ['-c', `grep -c -E 'BUG|WARNING|Oops|panic' < "$0" > /dev/null & cat "$1" > "$0"; wait`, gfifo, path.join(dir, 'burst.txt')]);
    const grepSeconds = (performance.now() - t0) / 1000;
    report.throughput = { lines: burst, seconds: +agentSeconds.toFixed(2), linesPerSecond: Math.round(burst / agentSeconds), grepLinesPerSecond: Math.round(burst / grepSeconds), ratioToGrep: +(grepSeconds / agentSeconds).toFixed(3), reportsFound: m1.reports - start0.reports };

    // (2) CPU at a steady rate, after the burst has settled.
    await sleep(3000);
    const steady = async (secs, maker) => {
      const before = await metrics(port);
      const t = performance.now();
      const rss = [];
      for (let tick = 0; tick < secs * 10; tick++) {
        writeSync(fd, maker(rate / 10));
        const due = t + (tick + 1) * 100;
        if (tick % 50 === 0) rss.push((await metrics(port)).rss);
        await sleep(Math.max(0, due - performance.now()));
      }
      const after = await waitLines(port, before.lines + rate * secs, 30_000);
      const wall = (performance.now() - t) / 1000;
      return { before, after, wall, rss };
    };
    const s = await steady(seconds, ordinary);
    report.steady = { lines: 'ordinary (boots up to their crash)', linesPerSecond: rate, seconds, cpuShareOfOneCore: +((s.after.cpu - s.before.cpu) / s.wall).toFixed(4) };
    const c = await steady(seconds, make);
    report.steadyCrashes = { lines: 'a crash every ~530 lines', linesPerSecond: rate, seconds, cpuShareOfOneCore: +((c.after.cpu - c.before.cpu) / c.wall).toFixed(4), reports: c.after.reports - c.before.reports };

    // (3) RSS over a longer steady run.
    const l = await steady(longSeconds, make);
    const mib = (b) => +(b / 2 ** 20).toFixed(1);
    report.memory = { lines: 'a crash every ~530 lines', seconds: longSeconds, linesPerSecond: rate, rssMiBSamples: l.rss.map(mib), rssMiBFirst: mib(l.rss[0]), rssMiBLast: mib(l.after.rss), rssMiBMax: mib(Math.max(...l.rss, l.after.rss)), cpuShareOfOneCore: +((l.after.cpu - l.before.cpu) / l.wall).toFixed(4) };
    closeSync(fd);
    console.log(JSON.stringify(report, null, 2));
    return 0;
  } finally {
    agent.kill('SIGTERM');
    await new Promise((r) => agent.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}
