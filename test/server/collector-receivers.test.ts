/**
 * The stream receivers on loopback, fed real kernel logs: netconsole (extended with
 * fragments, reordering and loss; plain with lines split across datagrams), syslog over UDP
 * and TCP (both framings), and once through a real rsyslogd forwarding a file it reads.
 */
import { createSocket } from 'node:dgram';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningCollector } from '../../src/server/serve.js';
import { call, collectorOn, FIXTURES, sqliteDialect, tokenFor, type Dialect } from './collector-harness.js';
import { requireTool, startRsyslog } from './local-services.js';

const LOGS = join(FIXTURES, '..', 'logs');

/** A console log's lines as (usec, text), the way the kernel hands them to netconsole. */
function kernelRecords(file: string): { usec: number; text: string }[] {
  let usec = 0;
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const m = /^\[\s*(\d+)\.(\d{6})\] (.*)$/.exec(l);
      if (m) usec = Number(m[1]) * 1e6 + Number(m[2]);
      return { usec, text: m ? m[3]! : l };
    });
}

function sendUdp(port: number, datagrams: readonly (string | Buffer)[], from = '127.0.0.1'): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.bind(0, from, async () => {
      for (const d of datagrams) {
        await new Promise<void>((ok, fail) => s.send(d, port, '127.0.0.1', (e) => (e ? fail(e) : ok())));
      }
      s.close();
      resolve();
    });
    s.once('error', reject);
  });
}

function sendTcp(port: number, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.end(data));
    s.on('close', () => resolve());
    s.on('error', reject);
  });
}

async function bucketsOf(c: RunningCollector, token: string, host: string, want: number): Promise<{ title: string; count: number }[]> {
  const end = Date.now() + 15_000;
  for (;;) {
    const list = (await call(c, 'GET', `/api/v1/buckets?host=${encodeURIComponent(host)}`, token)).json.buckets as { title: string; count: number }[];
    if (list.length >= want || Date.now() > end) return list;
    await new Promise((r) => setTimeout(r, 100));
  }
}

function metric(text: string, name: string): number {
  return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);
}

describe('stream receivers on loopback', () => {
  let dialect: Dialect;
  let c: RunningCollector;
  let read: string;

  beforeAll(async () => {
    dialect = await sqliteDialect();
    c = await collectorOn(await dialect.fresh(), { netconsole: { host: '127.0.0.1', port: 0 }, syslog: { host: '127.0.0.1', port: 0 }, quietSeconds: 0.3 });
    read = await tokenFor(c, 'read');
  });

  afterAll(async () => {
    await c?.close();
    dialect?.stop();
  });

  it('reassembles extended netconsole fragments, reorders datagrams, counts lost lines, and shows the report while the stream is open', async () => {
    const records = kernelRecords(join(FIXTURES, 'x86-null-deref-read-lkdtm.log'));
    const datagrams: string[] = [];
    const dropped = new Set([20, 21, 22, 57]);
    records.forEach((r, seq) => {
      if (dropped.has(seq)) return;
      const head = `4,${seq + 1000},${r.usec},-`;
      const bytes = Buffer.from(r.text);
      if (bytes.length <= 60) return datagrams.push(`${head};${r.text}\n SUBSYSTEM=test`);
      for (let off = 0; off < bytes.length; off += 60) datagrams.push(`${head},ncfrag=${off}/${bytes.length};${bytes.subarray(off, off + 60).toString('latin1')}`);
    });
    // Each group of 8 datagrams sent in reverse: later records and fragments arrive first.
    const shuffled: string[] = [];
    for (let i = 0; i < datagrams.length; i += 8) shuffled.push(...datagrams.slice(i, i + 8).reverse());
    await sendUdp(c.netconsole!.port, shuffled);
    const buckets = await bucketsOf(c, read, '127.0.0.1', 2);
    expect(buckets.map((b) => b.title).sort()).toEqual(['BUG: unable to handle kernel NULL pointer dereference in lkdtm_ACCESS_NULL', 'kernel panic: Fatal exception']);
    const m = (await call(c, 'GET', '/metrics', undefined)).text;
    expect(metric(m, 'ktriage_netconsole_lost_lines_total')).toBe(4);
    expect(metric(m, 'ktriage_netconsole_lines_total')).toBe(records.length - 4);
    const report = (await call(c, 'GET', `/api/v1/buckets?host=127.0.0.1&q=lkdtm_ACCESS_NULL`, read)).json.buckets[0];
    expect(report.releases).toEqual(['6.1.0-56-cloud-amd64']);
  });

  it('reads plain netconsole text split across datagrams as one stream per sending host', async () => {
    const text = readFileSync(join(FIXTURES, 'x86-kernel-bug-lkdtm.log'));
    const datagrams: Buffer[] = [];
    for (let off = 0, size = 97; off < text.length; off += size, size = size === 97 ? 301 : 97) datagrams.push(text.subarray(off, off + size));
    await sendUdp(c.netconsole!.port, datagrams, '127.0.0.2');
    const buckets = await bucketsOf(c, read, '127.0.0.2', 2);
    expect(buckets.map((b) => b.title).sort()).toEqual(['kernel BUG in lkdtm_BUG', 'kernel panic: Fatal exception']);
  });

  it('takes RFC 3164 syslog datagrams of the kernel facility or ident, one stream per HOSTNAME', async () => {
    const lines = readFileSync(join(LOGS, 'syslog-logger-wire-rfc3164.log'), 'utf8').split('\n').filter(Boolean);
    await sendUdp(c.syslog!.port, [...lines, '<13>Dec  7 10:00:00 lab-b cron[12]: not the kernel', 'garbage without a header']);
    const buckets = await bucketsOf(c, read, 'lab-b', 1);
    expect(buckets.map((b) => [b.title, b.count])).toEqual([['kernel panic: dumptest', 1]]);
    const m = (await call(c, 'GET', '/metrics', undefined)).text;
    expect(metric(m, 'ktriage_syslog_malformed_total')).toBe(1);
  });

  it('takes RFC 5424 over TCP with octet counting, and newline framing on another connection', async () => {
    const lines = readFileSync(join(LOGS, 'syslog-rsyslog-rfc5424.log'), 'utf8').split('\n').filter(Boolean);
    const octets = Buffer.concat(lines.map((l) => Buffer.from(`${Buffer.byteLength(l)} ${l}`)));
    await sendTcp(c.syslog!.port, octets);
    const buckets = await bucketsOf(c, read, 'lab-a', 2);
    expect(buckets.map((b) => b.title).sort()).toEqual(['kernel BUG in lkdtm_BUG', 'kernel panic: Fatal exception']);
    const wire = readFileSync(join(LOGS, 'syslog-logger-wire-rfc3164.log'), 'utf8').replaceAll('lab-b', 'lab-c');
    await sendTcp(c.syslog!.port, Buffer.from(wire));
    expect((await bucketsOf(c, read, 'lab-c', 1)).map((b) => b.title)).toEqual(['kernel panic: dumptest']);
  });

  it('takes what a real rsyslogd forwards from a file it reads', async () => {
    if (!requireTool('/usr/sbin/rsyslogd', 'KTRIAGE_SKIP_RSYSLOG')) return;
    const dir = mkdtempSync(join(tmpdir(), 'kt-rsyslog-in-'));
    const input = join(dir, 'console.log');
    writeFileSync(input, readFileSync(join(FIXTURES, 'x86-stack-protector-lkdtm.log')));
    const rsyslog = await startRsyslog(input, c.syslog!.port);
    try {
      const host = hostname().split('.')[0]!;
      const buckets = await bucketsOf(c, read, host, 2);
      // The log starts with a boot, which the live analysis also reports as the host's reboot.
      expect(buckets.map((b) => b.title).sort()).toEqual(['kernel panic: stack is corrupted in lkdtm_CORRUPT_STACK', 'unexpected kernel reboot']);
    } finally {
      await rsyslog.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
