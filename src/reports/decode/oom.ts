import type { OomKill } from '../crash-report.js';
import { toInt } from './hex.js';

const INVOKED = /^(.{1,64}?) invoked oom-killer: gfp_mask=(0x[0-9a-f]{1,16}(?:\([^)]{0,200}\))?), (?:nodemask=\S{1,64}, )?order=(-?\d{1,3}), oom_score_adj=(-?\d{1,5})/;
const CONSTRAINT = /^oom-kill:constraint=([A-Z_]{1,40})/;
const KILLED = /(?:^|: )Killed process (\d{1,10})(?:, UID \d{1,10},)? \((.{1,64}?)\)(?:, UID \d{1,10},)? total-vm:(\d{1,15})kB, anon-rss:(\d{1,15})kB, file-rss:(\d{1,15})kB(?:, shmem-rss:(\d{1,15})kB)?(?:,? UID:(\d{1,10}))?(?:.{0,40}?oom_score_adj:(-?\d{1,5}))?/;
/** Where the `Mem-Info:` summary ends: the task table or the kill decision. */
/** 2.6.32 (RHEL 6) put the UID before the name: `Killed process 11726, UID 498, (mysqld) total-vm:…`; some 3.x/4.x after it. */
const KILLED_UID = /Killed process \d{1,10}(?:, UID (\d{1,10}),)? \([^)]{1,64}\)(?:, UID (\d{1,10}),)?/;
const SUMMARY_END = /^(?:Tasks state \(memory values in pages\):|\[ {0,3}pid {0,3}\]|oom-kill:|Out of memory|Memory cgroup out of memory|Killed process|Kernel panic - not syncing)/;
const MAX_SUMMARY = 80;

/**
 * The OOM killer's report: `foo invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0`,
 * the `Mem-Info:` summary, `oom-kill:constraint=…`, and `Out of memory: Killed process 1234 (foo)
 * total-vm:…kB, anon-rss:…kB, file-rss:…kB, shmem-rss:…kB, UID:0 pgtables:…kB oom_score_adj:0`
 * (or the older bare `Killed process …`).
 */
export function parseOom(lines: readonly string[]): OomKill | undefined {
  const out: OomKill = { memorySummary: [] };
  let found = false;
  let inSummary = false;
  for (const line of lines) {
    const t = line.trim();
    if (inSummary) {
      if (SUMMARY_END.test(t) || out.memorySummary.length >= MAX_SUMMARY) inSummary = false;
      else {
        out.memorySummary.push(t);
        continue;
      }
    }
    const inv = out.trigger ? null : INVOKED.exec(t);
    if (inv) {
      found = true;
      out.trigger = { comm: inv[1] ?? '', gfpMask: inv[2] ?? '' };
      const order = toInt(inv[3]);
      if (order !== undefined) out.trigger.order = order;
      const adj = toInt(inv[4]);
      if (adj !== undefined) out.trigger.oomScoreAdj = adj;
      continue;
    }
    if (t === 'Mem-Info:' && out.memorySummary.length === 0) {
      found = true;
      inSummary = true;
      out.memorySummary.push(t);
      continue;
    }
    const c = out.constraint === undefined ? CONSTRAINT.exec(t) : null;
    if (c) {
      found = true;
      out.constraint = c[1] ?? '';
      continue;
    }
    const k = out.victim ? null : KILLED.exec(t);
    if (k) {
      found = true;
      const victim: NonNullable<OomKill['victim']> = { pid: Number(k[1]), comm: k[2] ?? '' };
      victim.totalVmKb = Number(k[3]);
      victim.anonRssKb = Number(k[4]);
      victim.fileRssKb = Number(k[5]);
      if (k[6] !== undefined) victim.shmemRssKb = Number(k[6]);
      const oldUid = KILLED_UID.exec(t);
      const uid = k[7] ?? oldUid?.[1] ?? oldUid?.[2];
      if (uid !== undefined) victim.uid = Number(uid);
      const adj = toInt(k[8]);
      if (adj !== undefined) victim.oomScoreAdj = adj;
      out.victim = victim;
    }
  }
  return found ? out : undefined;
}
