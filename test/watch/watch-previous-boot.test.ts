// `ktriage watch --once`: what the previous boot left (the agent's own memory of it, a pstore
// record in parts, a real crash dump), into the real collector, each handled once.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandCutDump } from '../vmcore/cut-dump.mjs';
import { BIN, fakeHost, FIXTURES, getJson, startCollector, tempDir, type Collector } from './watch-harness.js';

const OLD_BOOT = '0d5e2c44-1f7a-4c1b-9e6d-2a8b3c4d5e6f';
const NEW_BOOT = '7a9c1e3f-5b7d-4f1a-8c2e-4d6f8a0b2c4e';
const HOST = 'pstore-test-host';

describe('watch --once: the previous boot', () => {
  let dir: string;
  let collector: Collector;
  let args: string[];

  beforeAll(async () => {
    dir = tempDir();
    collector = await startCollector(dir);
    const { proc, sys } = fakeHost(dir, NEW_BOOT);
    const state = join(dir, 'state');
    mkdirSync(state);
    // The agent's memory of the last boot: it was never stopped, and these were its last lines (a real oops).
    const oom = readFileSync(join(FIXTURES, 'logs/lab-oom-console.log'), 'utf8').split(/\r?\n/).filter((l) => l.startsWith('['));
    writeFileSync(join(state, 'boot.json'), JSON.stringify({ bootId: OLD_BOOT, stoppedCleanly: false, lastLines: oom.slice(-200) }));

    // pstore: the end of a real BUG console log as the kernel's kmsg dump writes it (`<level>[ ts] text`),
    // in three parts where Part1 holds the end, one of them compressed (`.enc.z`, zlib).
    const pstore = join(sys, 'fs/pstore');
    const bug = readFileSync(join(FIXTURES, 'logs/lab-bug-console.log'), 'utf8').split(/\r?\n/).filter((l) => l.startsWith('['));
    const tail = bug.slice(-90).map((l) => `<4>${l}`);
    const parts = [tail.slice(60), tail.slice(30, 60), tail.slice(0, 30)];
    writeFileSync(join(pstore, 'dmesg-ramoops-0'), `Panic#1 Part1\n${(parts[0] as string[]).join('\n')}\n`);
    writeFileSync(join(pstore, 'dmesg-ramoops-1.enc.z'), deflateSync(Buffer.from(`Panic#1 Part2\n${(parts[1] as string[]).join('\n')}\n`)));
    writeFileSync(join(pstore, 'dmesg-ramoops-2'), `Panic#1 Part3\n${(parts[2] as string[]).join('\n')}\n`);
    symlinkSync('/etc/passwd', join(pstore, 'dmesg-ramoops-8'));
    writeFileSync(join(pstore, 'dmesg-ramoops-9'), Buffer.alloc(5 << 20, 0x41));

    // /var/crash: a real dump (makedumpfile -d 31, zlib) of a kernel BUG, and a link out of the directory.
    const crash = join(dir, 'crash');
    mkdirSync(join(crash, '202612070000'), { recursive: true });
    expandCutDump(join(FIXTURES, 'vmcore/bug.mdf-d31-zlib.cut.gz'), join(crash, '202612070000', 'dump.202612070000'));
    symlinkSync('/etc', join(crash, 'elsewhere'));

    args = [BIN, 'watch', '--once', '--no-kmsg', '--host', HOST, '--state-dir', state, '--proc', proc, '--sys', sys, '--crash-dir', crash, '--systemd-pstore', join(dir, 'no-systemd-pstore'), '--no-previous-journal', '--collector', collector.url];
  }, 30_000);

  afterAll(async () => {
    await collector?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const once = () => {
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, KTRIAGE_TOKEN: collector.ingest }, timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    return JSON.parse(r.stdout);
  };

  it('finds the unexpected reboot with its evidence and delivers it', async () => {
    const out = once();
    expect(out.delivered).toBe(true);
    expect(out.endedCleanly).toBe(false);
    const event = out.unexpectedReboot;
    expect(event.type).toBe('unexpected-reboot');
    expect(event.boot).toBe(OLD_BOOT);
    const evidence = event.data.evidence as { source: string; detail: string; reportIds: string[] }[];
    expect(evidence.map((e) => e.source).sort()).toEqual(['agent-state', 'pstore', 'vmcore']);
    expect(evidence.find((e) => e.source === 'pstore')?.detail).toBe('pstore record Panic#1 (Panic, 3 parts)');
    // The pstore record, joined in order, holds the whole BUG report; the dump's log holds the same crash.
    const titles = out.reports.map((r: { title: string }) => r.title);
    expect(titles.filter((t: string) => /lkdtm_BUG/.test(t)).length).toBeGreaterThanOrEqual(2);
    expect(titles.some((t: string) => /oom/i.test(t))).toBe(true);
    const refused = out.refused.map((r: { path: string }) => r.path.replace(dir, ''));
    expect(refused).toEqual(expect.arrayContaining(['/sys/fs/pstore/dmesg-ramoops-8', '/sys/fs/pstore/dmesg-ramoops-9', '/crash/elsewhere']));

    const host = await getJson(`${collector.url}/api/v1/hosts/${HOST}`, collector.read);
    expect(host.status).toBe(200);
    expect(host.json.timeline.some((t: { type: string }) => t.type === 'unexpected-reboot')).toBe(true);
    const vmcoreReport = evidence.find((e) => e.source === 'vmcore')?.reportIds[0];
    const stored = await getJson(`${collector.url}/api/v1/reports/${vmcoreReport}`, collector.read);
    expect(stored.status).toBe(200);
    expect(stored.json.report.title).toMatch(/lkdtm_BUG/);
    expect(stored.json.host).toBe(HOST);
  }, 90_000);

  it('handles each record and dump once: a second run finds nothing new', () => {
    const out = once();
    expect(out.unexpectedReboot).toBe(null);
    expect(out.reports).toEqual([]);
  }, 60_000);
});
