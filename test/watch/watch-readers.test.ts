// The agent's readers on their own: a followed file across rotation and truncation, kmsg
// records, pstore reassembly, journalctl's export stream; and a small fuzzer over each.
import { appendFileSync, chmodSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { LogLine } from '../../src/logs/log-line.js';
import { FileSource } from '../../src/watch/file-source.js';
import { JournalSource } from '../../src/watch/journal-source.js';
import { KmsgSource, type RecordDevice } from '../../src/watch/kmsg-source.js';
import { assemblePstore, type PstoreFile } from '../../src/watch/pstore.js';
import { consoleToKmsg, FIXTURES, tempDir, waitFor } from './watch-harness.js';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BUG_LINES = readFileSync(join(FIXTURES, 'logs/lab-bug-console.log'), 'utf8').split(/\r?\n/).filter((l) => l.startsWith('['));
const KMSG_RECORDS = readFileSync(join(FIXTURES, 'logs/kmsg.txt'), 'utf8').split('\n').filter((l) => l !== '').map((l) => `${l}\n`);

/** A seeded generator: a failing case can be run again. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A record device over bytes in memory, in chunks, with EPIPE where asked. */
function memoryDevice(chunks: (Buffer | 'EPIPE')[]): RecordDevice {
  return {
    read: (buf) => {
      const next = chunks.shift();
      if (next === undefined) throw Object.assign(new Error('EAGAIN'), { code: 'EAGAIN' });
      if (next === 'EPIPE') throw Object.assign(new Error('EPIPE'), { code: 'EPIPE' });
      const n = Math.min(next.length, buf.length);
      next.copy(buf, 0, 0, n);
      if (n < next.length) chunks.unshift(next.subarray(n));
      return n;
    },
    close: () => undefined,
  };
}

function kmsgLines(chunks: (Buffer | 'EPIPE')[]): { lines: LogLine[]; source: KmsgSource } {
  const lines: LogLine[] = [];
  const source = new KmsgSource({ path: 'mem', from: 'start', open: () => memoryDevice(chunks) });
  source.start((got) => lines.push(...got));
  source.stop();
  return { lines, source };
}

describe('kmsg records', () => {
  it('decodes real records, skips device metadata, counts a sequence gap after EPIPE as lost', () => {
    const records = KMSG_RECORDS.slice(0, 50);
    const device = [...records.slice(0, 20).map((r) => Buffer.from(r)), Buffer.from(' SUBSYSTEM=pci\n DEVICE=+pci:0000:00:01.0\n'), 'EPIPE' as const, ...records.slice(30).map((r) => Buffer.from(r))];
    const { lines, source } = kmsgLines(device);
    expect(source.stats.lost).toBe(10);
    expect(source.epipes).toBe(1);
    expect(source.stats.malformed).toBe(0);
    expect(lines[0]?.text).toBe((records[0] as string).slice((records[0] as string).indexOf(';') + 1, -1));
    expect(lines.map((l) => l.seq)).toEqual([...Array(20).keys(), ...Array.from({ length: 20 }, (_, i) => i + 30)]);
  });

  it('unescapes \\x0a into lines of one record and keeps the level', () => {
    const { lines } = kmsgLines([Buffer.from('4,7,1234567,-;first\\x0asecond\n')]);
    expect(lines.map((l) => [l.text, l.seq, l.level, l.ts])).toEqual([
      ['first', 7, 4, 1.234567],
      ['second', 7, 4, 1.234567],
    ]);
  });

  it('fuzz: mutated and cut real records never throw, stay bounded and are counted', () => {
    const random = rng(17);
    for (let round = 0; round < 200; round++) {
      const bytes = Buffer.from(KMSG_RECORDS.slice(0, 40).join(''));
      for (let k = 0; k < 1 + Math.floor(random() * 20); k++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      const chunks: (Buffer | 'EPIPE')[] = [];
      for (let at = 0; at < bytes.length; ) {
        const n = 1 + Math.floor(random() * 300);
        chunks.push(bytes.subarray(at, at + n));
        if (random() < 0.05) chunks.push('EPIPE');
        at += n;
      }
      const { lines, source } = kmsgLines(chunks);
      expect(lines.length).toBeLessThanOrEqual(source.stats.lines);
      for (const l of lines) expect(l.text.length).toBeLessThanOrEqual(64 * 1024);
      expect(source.stats.malformed + lines.length).toBeGreaterThan(0);
    }
  });
});

describe('followed file', () => {
  it('reads appended lines across rotation and truncation, each once, in order', async () => {
    const path = join(dir, 'kern.log');
    writeFileSync(path, `${BUG_LINES.slice(0, 10).join('\n')}\n`);
    const got: string[] = [];
    const source = new FileSource({ path, fromStart: false, pollMs: 20 });
    source.start((lines) => got.push(...lines.map((l) => l.text)));
    const text = (l: string) => l.replace(/^\[[^\]]*\] ?/, '');
    try {
      appendFileSync(path, `${BUG_LINES.slice(10, 20).join('\n')}\n`);
      await waitFor(() => (got.length >= 10 ? true : undefined), 5000, 'appended lines');
      // logrotate: the old file moved away after one more line, a new one created.
      appendFileSync(path, `${BUG_LINES[20]}\n`);
      renameSync(path, `${path}.1`);
      writeFileSync(path, `${BUG_LINES.slice(21, 30).join('\n')}\n`);
      await waitFor(() => (got.length >= 20 ? true : undefined), 5000, 'lines after rotation');
      // copytruncate: emptied in place, then written again.
      truncateSync(path, 0);
      await new Promise((r) => setTimeout(r, 100));
      appendFileSync(path, `${BUG_LINES.slice(30, 35).join('\n')}\n`);
      await waitFor(() => (got.length >= 25 ? true : undefined), 5000, 'lines after truncation');
    } finally {
      source.stop();
    }
    expect(got).toEqual(BUG_LINES.slice(10, 35).map(text));
    expect(source.rotations).toBe(1);
    expect(source.truncations).toBe(1);
  });
});

describe('pstore', () => {
  const tail = BUG_LINES.slice(-60).map((l) => `<4>${l}`);
  const file = (name: string, bytes: Buffer): PstoreFile => ({ name, bytes, path: `/pstore/${name}`, key: name });

  it('joins parts oldest first (Part1 holds the end), inflates .enc.z, says what is missing', () => {
    const files = [
      file('dmesg-efi-1', Buffer.from(`Oops#2 Part1\n${tail.slice(40).join('\n')}\n`)),
      file('dmesg-efi-2.enc.z', deflateSync(Buffer.from(`Oops#2 Part2\n${tail.slice(20, 40).join('\n')}\n`))),
      file('dmesg-efi-4', Buffer.from(`Oops#2 Part4\n${tail.slice(0, 20).join('\n')}\n`)),
    ];
    const { records, undecodable } = assemblePstore(files);
    expect(undecodable).toEqual([]);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ id: 'Oops#2', reason: 'Oops', missingParts: 1, files: ['/pstore/dmesg-efi-4', '/pstore/dmesg-efi-2.enc.z', '/pstore/dmesg-efi-1'] });
    expect(records[0]?.text).toBe(`${tail.join('\n')}\n`);
  });

  it('fuzz: cut, shuffled and corrupted parts never throw; bad compression is listed', () => {
    const random = rng(5);
    for (let round = 0; round < 200; round++) {
      const files: PstoreFile[] = [];
      for (let p = 1; p <= 3; p++) {
        let bytes = Buffer.from(`Panic#${round % 3} Part${p}\n${tail.slice((3 - p) * 20, (4 - p) * 20).join('\n')}\n`);
        const compressed = random() < 0.3;
        if (compressed) bytes = deflateSync(bytes);
        bytes = bytes.subarray(0, Math.floor(random() * (bytes.length + 1)));
        if (random() < 0.5) bytes = Buffer.from(bytes.map((b) => (random() < 0.02 ? Math.floor(random() * 256) : b)));
        files.push(file(`dmesg-ramoops-${p}${compressed ? '.enc.z' : ''}`, bytes));
      }
      files.sort(() => random() - 0.5);
      const { records, undecodable } = assemblePstore(files);
      expect(records.reduce((n, r) => n + r.files.length, 0) + undecodable.length).toBe(3);
      for (const r of records) expect(r.text.length).toBeLessThanOrEqual(16 << 20);
    }
  });
});

describe('journal export stream', () => {
  it('follows journalctl -k -f -o export (a child printing a real export stream)', async () => {
    const fake = join(dir, 'journalctl');
    writeFileSync(fake, `#!/bin/sh\ncat '${join(FIXTURES, 'logs/journal-export.out')}'\nexec sleep 30\n`);
    chmodSync(fake, 0o755);
    const lines: LogLine[] = [];
    const source = new JournalSource({ journalctl: fake, from: 'start' });
    source.start((got) => lines.push(...got));
    try {
      await waitFor(() => (lines.at(-1)?.text === 'ktriage-fixture: a crit-level line written to /dev/kmsg from userspace' ? true : undefined), 10_000, 'the export stream');
    } finally {
      source.stop();
    }
    // 346 entries, one of them a message of two lines.
    expect(lines).toHaveLength(347);
    expect(lines[0]?.text).toMatch(/^Linux version 6\.18\.44/);
    expect(lines[0]?.boot).toBe('5c69bc4270f9436ab63d23293b43fb62');
    expect(lines[0]?.host).toBe('vm');
  });

  it('fuzz: a real export stream cut anywhere and corrupted never throws', () => {
    const random = rng(9);
    const stream = readFileSync(join(FIXTURES, 'logs/journal-export.out'));
    for (let round = 0; round < 100; round++) {
      const bytes = Buffer.from(stream.subarray(0, 1 + Math.floor(random() * stream.length)));
      for (let k = 0; k < Math.floor(random() * 30); k++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      const source = new JournalSource({ from: 'start' });
      let n = 0;
      source.listen((got) => (n += got.length));
      for (let at = 0; at < bytes.length; ) {
        const step = 1 + Math.floor(random() * 4096);
        source.feed(bytes.subarray(at, at + step));
        at += step;
      }
      expect(n).toBeLessThanOrEqual(source.stats.lines);
    }
  });
});

// Kept for the fuzz harness: the real kmsg records of a crash, as the FIFO tests send them.
export const KMSG_SEED = consoleToKmsg(BUG_LINES.join('\n'));

describe('state directory', () => {
  it('writes only plain names under it, refuses a planted symlink, and follows the directory itself once', async () => {
    const { StateDir } = await import('../../src/watch/state-dir.js');
    const { mkdirSync: mk, readFileSync: rd, symlinkSync } = await import('node:fs');
    const real = join(dir, 'private', 'state');
    mk(real, { recursive: true });
    symlinkSync(real, join(dir, 'state-link'));
    const state = new StateDir(join(dir, 'state-link'));
    state.writeJson('boot.json', { bootId: 'b' });
    expect(JSON.parse(rd(join(real, 'boot.json'), 'utf8'))).toEqual({ bootId: 'b' });
    for (const name of ['../escape.json', 'a/b', '.hidden', '']) expect(() => state.writeJson(name, {})).toThrow(/refusing state file name/);
    symlinkSync('/etc', join(real, 'spool'));
    expect(() => state.subdir('spool')).toThrow(/refusing a state subdirectory that is a symlink/);
    symlinkSync('/etc/passwd', join(real, 'handled.json'));
    expect(state.readJson('handled.json', 'fallback')).toBe('fallback');
  });
});
