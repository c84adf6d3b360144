import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KtError } from '../errors.js';
import { decodeBody, parseJson } from './http/read-body.js';
import { parseEventBatch, parseReportBatch, storedReports } from './ingest/parse-ingest.js';
import { NetconsoleStream } from './ingest/netconsole-stream.js';
import { parseSyslogMessage, SyslogTcpFramer } from './ingest/syslog-frames.js';

/**
 * The collector's input boundaries as fuzz targets, in the fuzzing harness's shape: a name,
 * what it reads, real seeds, and a run that returns or throws a KtError (anything else is a
 * bug). test/server/collector-fuzz.test.ts runs them; the harness adds them to its TARGETS.
 */
export interface FuzzTarget {
  name: string;
  reads: string;
  binary?: boolean;
  /** Real inputs under `fixtures` (the repository's test/fixtures). */
  seeds(fixtures: string): Buffer[];
  run(bytes: Buffer): unknown;
}

const LIMITS = { maxBodyBytes: 1 << 20, maxDecodedBytes: 4 << 20 };

function lines(file: string): Buffer[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => Buffer.from(l));
}

function fixtureLogs(fixtures: string, dir: string, pick: RegExp): string[] {
  return readdirSync(join(fixtures, dir))
    .filter((f) => pick.test(f))
    .sort()
    .map((f) => join(fixtures, dir, f));
}

/** Bounded output: what a parser hands on is never more than a small multiple of its input. */
function bounded(input: Buffer, outChars: number): void {
  if (outChars > input.length * 4 + 1024) throw new Error(`output of ${outChars} characters from ${input.length} bytes`);
}

export const SERVE_FUZZ_TARGETS: readonly FuzzTarget[] = [
  {
    name: 'serve:syslog-message',
    reads: 'one syslog datagram (RFC 5424 / 3164)',
    seeds: (f) => fixtureLogs(f, 'logs', /^syslog-.*(rfc|wire)/).flatMap(lines).slice(0, 200),
    run(bytes) {
      const m = parseSyslogMessage(bytes.toString('utf8'));
      if (m) bounded(bytes, m.text.length);
      return m;
    },
  },
  {
    name: 'serve:syslog-tcp',
    reads: 'a TCP syslog byte stream (octet counting and LF framing), in uneven chunks',
    binary: true,
    seeds: (f) => fixtureLogs(f, 'logs', /^syslog-.*(rfc|wire)/).map((file) => {
      const ls = readFileSync(file, 'utf8').split('\n').filter(Boolean).slice(0, 80);
      return Buffer.from(ls.map((l, i) => (i % 2 ? `${Buffer.byteLength(l)} ${l}` : `${l}\n`)).join(''));
    }),
    run(bytes) {
      let out = 0;
      const framer = new SyslogTcpFramer((frame) => {
        out += frame.length;
        parseSyslogMessage(frame);
      });
      for (let i = 0, size = 1; i < bytes.length; i += size, size = (size * 7) % 61 + 1) framer.push(bytes.subarray(i, i + size));
      framer.end();
      bounded(bytes, out);
      return { frames: out, oversized: framer.oversized };
    },
  },
  {
    name: 'serve:netconsole',
    reads: 'netconsole datagrams (plain and extended with ncfrag), split at the LF of the seed',
    seeds: (f) =>
      fixtureLogs(f, 'reports', /^x86-(null-deref-read|kernel-bug)-lkdtm\.log$/).map((file) =>
        Buffer.from(
          readFileSync(file, 'utf8')
            .split('\n')
            .slice(0, 120)
            .map((l, seq) => (seq % 3 === 0 ? l : `4,${seq},${seq * 1000},-${seq % 5 === 0 ? `,ncfrag=0/${Buffer.byteLength(l)}` : ''};${l}`))
            .join('\n'),
        ),
      ),
    run(bytes) {
      let out = 0;
      const stream = new NetconsoleStream((line) => (out += line.length + 16));
      for (const d of bytes.toString('utf8').split('\n')) stream.datagram(d);
      stream.flush();
      bounded(bytes, out);
      return { lost: stream.lost };
    },
  },
  {
    name: 'serve:reports-body',
    reads: 'the JSON body of POST /api/v1/reports and /api/v1/events',
    seeds: (f) => [
      Buffer.from(JSON.stringify({ host: 'web-1', release: '6.1.0-26-amd64', reports: [{ id: 'r1', kind: 'panic', title: 'kernel panic: dumptest', header: 'Kernel panic - not syncing: dumptest', lines: lines(join(f, 'reports', 'x86-panic-dumptest-lkdtm.log')).slice(-20).map((l, i) => ({ text: l.toString(), source: 'x', line: i + 1 })), stacks: [], details: {}, corrupted: false, corruptedReasons: [], severity: 'fatal' }], incidents: [{ id: 'i1', reportIds: ['r1'], firstCause: 'r1' }] })),
      Buffer.from(JSON.stringify({ host: 'web-1', events: [{ id: 'e1', type: 'unexpected-reboot', time: '2026-12-07T10:00:00Z', summary: 'boot 2 followed boot 1 without a clean shutdown' }] })),
    ],
    run(bytes) {
      const body = parseJson(bytes);
      try {
        return storedReports(parseReportBatch(body), '2026-12-07T10:00:00.000Z').length;
      } catch (e) {
        if (!(e instanceof KtError)) throw e;
        return parseEventBatch(body).length;
      }
    },
  },
  {
    name: 'serve:content-encoding',
    reads: 'an upload body under Content-Encoding gzip and zstd (bombs refused at 4 MiB)',
    binary: true,
    seeds: (f) => fixtureLogs(f, 'logs', /\.(gz|zst)$/).map((file) => readFileSync(file)).filter((b) => b.length < 1 << 20),
    run(bytes) {
      for (const enc of ['gzip', 'zstd']) {
        try {
          decodeBody(bytes, enc, LIMITS);
        } catch (e) {
          if (!(e instanceof KtError)) throw e;
        }
      }
      return undefined;
    },
  },
];
