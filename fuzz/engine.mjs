// The fuzz loop of one target in this process: mutate a corpus entry, run it, check the
// invariants, keep inputs that reach new code (V8 block coverage, sampled), minimize failures.
import crypto from 'node:crypto';
import { Session } from 'node:inspector';
import { gzipBomb, mutate, rng, zstdRleBomb } from './mutate.mjs';
import { isKtError } from './targets.mjs';

/** A case over this is a hang (plus a second per MiB of input). */
export const CASE_TIME_LIMIT_MS = 5000;
export const RSS_LIMIT_BYTES = 512 << 20;
/** Inputs bigger than this are not mutated further (a corpus entry grown by repetition). */
const MAX_INPUT_BYTES = 8 << 20;

const sha = (b) => crypto.createHash('sha256').update(b).digest('hex');

/** Runs one case; returns undefined when every invariant holds, else the failure. */
export async function runCase(target, bytes, r, { timeBounds = true } = {}) {
  const before = sha(bytes);
  const t0 = cpuMs();
  let outcome = 'ok';
  let partial;
  let outputBytes = 0;
  try {
    const result = await target.run(bytes, r);
    partial = result?.partial;
    outputBytes = result?.outputBytes ?? 0;
    if (partial !== undefined) outcome = 'partial';
  } catch (e) {
    if (isKtError(e) && !target.neverThrows) outcome = 'error';
    else {
      return { kind: 'exception', message: `${e?.name ?? typeof e}: ${String(e?.message ?? e).split('\n')[0]}`, stack: String(e?.stack ?? '').split('\n').slice(0, 6).join('\n'), ms: cpuMs() - t0 };
    }
  }
  const ms = cpuMs() - t0;
  if (sha(bytes) !== before) return { kind: 'input-modified', message: 'the target changed its input buffer', ms };
  // A decompressor's time is linear in what it produces: a bomb's 4 GB take seconds, like zcat's.
  const allowedMs = (target.timeLimitMs ?? CASE_TIME_LIMIT_MS) + (bytes.length / (1 << 20)) * 1000 + (outputBytes / (100 << 20)) * 1000;
  if (timeBounds && ms > allowedMs) return { kind: 'slow', message: `${ms.toFixed(0)} ms for ${bytes.length} bytes`, ms };
  let rss = process.memoryUsage.rss();
  if (rss > RSS_LIMIT_BYTES && globalThis.gc) {
    // Garbage of earlier cases is not this case's memory: collect it before judging.
    globalThis.gc();
    rss = process.memoryUsage.rss();
  }
  if (rss > RSS_LIMIT_BYTES) return { kind: 'memory', message: `RSS ${(rss / 2 ** 20).toFixed(0)} MiB after a ${bytes.length}-byte input`, ms };
  return { ok: true, outcome, ms, rss };
}

/** The same failure again: same kind and the same first line of the message (numbers aside). */
const signature = (f) => `${f.kind}:${f.message.replace(/\d+/g, 'N').slice(0, 160)}`;

/** Delta debugging, bounded: the smallest input found that fails the same way. */
export async function minimize(target, bytes, failure, budget = 150, budgetMs = 60_000) {
  if (target.binary && target.mutate) return bytes; // patch lists are small already
  const want = signature(failure);
  let best = bytes;
  let tries = 0;
  const stopAt = Date.now() + budgetMs;
  const fails = async (b) => {
    tries++;
    if (Date.now() > stopAt) tries = budget;
    const f = await runCase(target, b, rng(1));
    return f && !f.ok && signature(f) === want;
  };
  for (let chunk = best.length >> 1; chunk >= 1 && tries < budget; ) {
    let shrunk = false;
    for (let at = 0; at < best.length && tries < budget; at += chunk) {
      const candidate = Buffer.concat([best.subarray(0, at), best.subarray(at + chunk)]);
      if (candidate.length < best.length && (await fails(candidate))) {
        best = candidate;
        shrunk = true;
        at -= chunk;
      }
    }
    if (!shrunk) chunk >>= 1;
  }
  return best;
}

/** Sampled V8 block coverage: the ranges of dist/ code a case ran. */
class Coverage {
  constructor() {
    this.session = new Session();
    this.session.connect();
    this.post('Profiler.enable');
    this.post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });
    this.seen = new Set();
    this.post('Profiler.takePreciseCoverage'); // reset counters
  }
  post(method, params) {
    let out;
    this.session.post(method, params, (err, res) => {
      if (err) throw err;
      out = res;
    });
    return out;
  }
  /** New ranges run since the last call (and resets the counters). */
  newRanges() {
    const { result } = this.post('Profiler.takePreciseCoverage');
    let fresh = 0;
    for (const script of result) {
      if (!script.url.includes('/dist/')) continue;
      for (const fn of script.functions) {
        for (const range of fn.ranges) {
          if (range.count === 0) continue;
          const key = `${script.url}:${range.startOffset}:${range.endOffset}`;
          if (!this.seen.has(key)) {
            this.seen.add(key);
            fresh++;
          }
        }
      }
    }
    return fresh;
  }
  close() {
    this.post('Profiler.stopPreciseCoverage');
    this.session.disconnect();
  }
}

/**
 * Quadratic paths: a case that took a while runs again on its input doubled (the input twice,
 * as a log holds the same lines again). Time more than 3x for twice the input, twice over, is a
 * superlinear path.
 */
export async function superlinearOf(target, bytes, ms) {
  const doubled = Buffer.concat([bytes, bytes]);
  const t2 = await timed(target, doubled);
  if (t2 < 3 * ms || t2 < 50) return undefined;
  const t1 = await timed(target, bytes); // once more: the first time may have paid for JIT and caches
  const t2b = await timed(target, doubled);
  if (t2b < 3 * t1 || t2b < 50) return undefined;
  const t4 = await timed(target, Buffer.concat([doubled, doubled]));
  if (t4 < 3 * t2b) return undefined;
  return { kind: 'superlinear', message: `${bytes.length} bytes: ${t1.toFixed(0)} ms, doubled ${t2b.toFixed(0)} ms, quadrupled ${t4.toFixed(0)} ms` };
}

async function timed(target, bytes) {
  const t0 = cpuMs();
  try {
    await target.run(bytes);
  } catch {
    // Only the time matters here.
  }
  return cpuMs() - t0;
}

/**
 * Time is this process's CPU time, not the clock's: the machine is shared, and a busy
 * neighbour made linear cases look quadratic by the wall clock.
 */
function cpuMs() {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}

/**
 * Fuzzes one target: `cases` cases or until `deadline` (ms since epoch), from `seed`.
 * Returns the figures RELIABILITY.md reports and the failures with their minimized inputs.
 */
export async function fuzzTarget(target, { seed = 1, cases = Infinity, deadline = Infinity, coverageEvery = 0, linearCheckEvery = 200, timeBounds = true, onFailure } = {}) {
  const r = rng(seed);
  const seeds = target.seeds();
  if (seeds.length === 0) throw new Error(`${target.name}: no seeds`);
  const corpus = [...seeds];
  const coverage = coverageEvery > 0 ? new Coverage() : undefined;
  const stats = { target: target.name, cases: 0, outcomes: { ok: 0, partial: 0, error: 0 }, failures: [], corpusAdded: 0, coverageRanges: 0, peakRssBytes: 0, timePerMiB: undefined, worstPerMiB: undefined, linearChecks: 0 };
  const failureSignatures = new Set();

  // Typical input: the seeds as they are, time per MiB over all of them.
  let seedMs = 0;
  let seedBytes = 0;
  for (const s of seeds.slice(0, 50)) {
    const f = await runCase(target, s, r, { timeBounds });
    if (f && !f.ok) await record(s, f, 'seed');
    else {
      seedMs += f.ms;
      seedBytes += s.length;
    }
  }
  stats.timePerMiB = seedBytes > 0 ? (seedMs / seedBytes) * 2 ** 20 : undefined;

  let bombs = [];
  if (target.bombs === 'gzip') bombs = [0, 1, 2].map((i) => gzipBomb(rng(seed + i)));
  if (target.bombs === 'zstd') bombs = [0, 1, 2, 3].map((i) => zstdRleBomb(rng(seed + i)));

  async function record(bytes, failure, how) {
    const sig = signature(failure);
    if (failureSignatures.has(sig)) return;
    failureSignatures.add(sig);
    const small = timeBounds ? await minimize(target, bytes, failure) : bytes;
    const entry = { ...failure, how, size: bytes.length, minimized: small };
    stats.failures.push(entry);
    await onFailure?.(entry);
  }

  while (stats.cases < cases && Date.now() < deadline) {
    const base = r.pick(corpus);
    let bytes;
    let applied;
    if (bombs.length && r.chance(0.02)) {
      bytes = r.pick(bombs);
      applied = ['bomb'];
    } else if (target.mutate) {
      bytes = target.mutate(base, r);
      applied = ['patch'];
    } else if (target.mutateBody) {
      const m = mutate(base.subarray(3), r, r.pick(corpus).subarray(3));
      bytes = Buffer.concat([base.subarray(0, 3), m.bytes]);
      applied = m.applied;
    } else {
      const m = mutate(base, r, r.pick(corpus));
      ({ bytes, applied } = m);
    }
    if (bytes.length > MAX_INPUT_BYTES) bytes = bytes.subarray(0, MAX_INPUT_BYTES);
    stats.cases++;
    const result = await runCase(target, bytes, r, { timeBounds });
    if (!result.ok) {
      await record(bytes, result, applied.join('+'));
      continue;
    }
    stats.outcomes[result.outcome]++;
    if (result.rss > stats.peakRssBytes) stats.peakRssBytes = result.rss;
    if (bytes.length >= 256 << 10) {
      const perMiB = (result.ms / bytes.length) * 2 ** 20;
      if (stats.worstPerMiB === undefined || perMiB > stats.worstPerMiB.msPerMiB) stats.worstPerMiB = { msPerMiB: perMiB, bytes: bytes.length, applied: applied.join('+') };
    }
    if (timeBounds && target.linear && (result.ms > 40 || (linearCheckEvery > 0 && stats.cases % linearCheckEvery === 0))) {
      stats.linearChecks++;
      const slow = await superlinearOf(target, bytes, result.ms);
      if (slow) await record(bytes, slow, applied.join('+'));
    }
    if (coverage && stats.cases % coverageEvery === 0) {
      coverage.newRanges(); // what ran since the last sample: not this case's alone
      await target.run(bytes, r).catch(() => {});
      const fresh = coverage.newRanges();
      stats.coverageRanges = coverage.seen.size;
      if (fresh > 0 && bytes.length <= 1 << 20) {
        corpus.push(bytes);
        stats.corpusAdded++;
      }
    }
  }
  coverage?.close();
  stats.peakRssBytes = Math.max(stats.peakRssBytes, process.resourceUsage().maxRSS * 1024);
  return stats;
}
