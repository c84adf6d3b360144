import { createReadStream, readFileSync } from 'node:fs';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KtError } from '../../src/errors.js';
import type { LogLine } from '../../src/logs/log-line.js';
import { openedLog, openLog } from '../../src/logs/read-log.js';
import { MAX_LINE_BYTES } from '../../src/logs/split-lines.js';
import { fixture, readAll } from './helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ktriage-logs-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const essentials = (lines: LogLine[]): unknown[] => lines.map((l) => [l.text, l.ts, l.caller, l.origin.line]);

async function ktError(p: Promise<unknown>): Promise<KtError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(KtError);
  return e as KtError;
}

describe('compressed inputs, recognised by their magic bytes', () => {
  it.each([
    ['lab-bug-console.log.gz', 'gzip'],
    ['lab-bug-console.log.zst', 'zstd'],
  ])('%s reads exactly like the plain file', async (file, compression) => {
    const plain = await readAll(fixture('lab-bug-console.log'));
    const packed = await readAll(fixture(file));
    expect(packed.log.compression).toBe(compression);
    expect(packed.log.format).toBe('console');
    expect(essentials(packed.lines)).toEqual(essentials(plain.lines));
    expect(packed.log.stats.partial).toBeUndefined();
  });

  it.each(['syzkaller-391-348-concatenated.log.gz', 'syzkaller-391-348-concatenated.log.zst'])(
    '%s: concatenated members are one stream',
    async (file) => {
      const { lines } = await readAll(fixture(file));
      expect(lines).toHaveLength(136 + 52);
      expect(lines[135]?.text).toBe('Rebooting in 86400 seconds..');
      expect(lines[136]).toMatchObject({ text: 'FAULT_INJECTION: forcing a failure.', ts: 602.265237, caller: 'C1' });
      expect(lines[136]?.origin.line).toBe(137);
    },
  );

  it('a truncated gzip file yields what it could, and says why it stopped', async () => {
    const whole = readFileSync(fixture('lab-bug-console.log.gz'));
    const path = join(dir, 'cut.log.gz');
    await writeFile(path, whole.subarray(0, 5000));
    const { log, lines } = await readAll(path);
    const full = await readAll(fixture('lab-bug-console.log'));
    expect(lines.length).toBeGreaterThan(100);
    expect(lines.length).toBeLessThan(396);
    // All but the last line (which may be cut mid-way) are the file's first lines.
    expect(essentials(lines.slice(0, -1))).toEqual(essentials(full.lines.slice(0, lines.length - 1)));
    expect(log.stats.partial).toMatch(/^gzip data truncated near compressed byte \d+; kept the first \d+ decompressed bytes$/);
    expect(log.stats.lines).toBe(lines.length);
  });

  it('a zstd file cut inside its second frame keeps the whole first frame', async () => {
    const whole = readFileSync(fixture('syzkaller-391-348-concatenated.log.zst'));
    const path = join(dir, 'cut.log.zst');
    await writeFile(path, whole.subarray(0, whole.length - 500));
    const { log, lines } = await readAll(path);
    expect(lines.length).toBeGreaterThanOrEqual(136);
    expect(lines[135]?.text).toBe('Rebooting in 86400 seconds..');
    expect(log.stats.partial).toMatch(/^zstd data truncated/);
  });

  it('compressed data that yields nothing is KT_E_BAD_COMPRESSION', async () => {
    const path = join(dir, 'head.log.gz');
    await writeFile(path, readFileSync(fixture('lab-bug-console.log.gz')).subarray(0, 30));
    const e = await ktError(openLog({ path }));
    expect(e.code).toBe('KT_E_BAD_COMPRESSION');
    expect(e.message).toContain(path);
  });

  it('xz is recognised and refused with the command to use instead', async () => {
    const path = fixture('syzkaller-console-1000.log.xz');
    const e = await ktError(openLog({ path }));
    expect(e.code).toBe('KT_E_BAD_COMPRESSION');
    expect(e.message).toBe(`${path}: xz-compressed input is not supported; decompress it first (xz -dc ${path} | ktriage -)`);
  });
});

describe('bad inputs get one clear error naming the file', () => {
  it('a missing file', async () => {
    const path = join(dir, 'nope.log');
    const e = await ktError(openLog({ path }));
    expect(e.code).toBe('KT_E_NO_SUCH_FILE');
    expect(e.message).toBe(`${path}: no such file`);
  });

  it('a directory', async () => {
    const e = await ktError(openLog({ path: dir }));
    expect(e.code).toBe('KT_E_UNREADABLE');
    expect(e.message).toBe(`${dir}: is a directory, not a log file`);
  });

  it('an executable', async () => {
    const e = await ktError(openLog({ path: process.execPath }));
    expect(e.code).toBe('KT_E_BINARY_INPUT');
    expect(e.message).toBe(`${process.execPath}: an ELF file (a vmcore or a program?), not a kernel log`);
  });

  it('random bytes', async () => {
    const path = join(dir, 'random.bin');
    const fh = await open('/dev/urandom');
    const buf = Buffer.alloc(65536);
    await fh.read(buf, 0, buf.length, null);
    await fh.close();
    await writeFile(path, buf);
    const e = await ktError(openLog({ path }));
    expect(e.code).toBe('KT_E_BINARY_INPUT');
    expect(e.message).toMatch(new RegExp(`^${path}: binary data \\(\\d+% of the first 65536 bytes are not text\\), not a kernel log$`));
  });

  it('a gzipped binary journal file', async () => {
    const path = fixture('journal-dir-system.journal.gz');
    const e = await ktError(openLog({ path }));
    expect(e.code).toBe('KT_E_BINARY_INPUT');
    expect(e.message).toContain('binary systemd journal file');
  });

  it('an unknown format name', async () => {
    const e = await ktError(openLog({ path: fixture('kmsg.txt'), format: 'xml' as never }));
    expect(e.code).toBe('KT_E_USAGE');
  });

  it('an empty file is fine: zero lines', async () => {
    const path = join(dir, 'empty.log');
    await writeFile(path, '');
    const { log, lines } = await readAll(path);
    expect(lines).toEqual([]);
    expect(log.stats).toEqual({ lines: 0 });
  });
});

describe('bounded memory', () => {
  it('a 100 MB line keeps its first 64 KiB, is marked truncated, and reading goes on', async () => {
    // The lab console with its line ends turned into spaces, repeated: one 100 MB line.
    const text = readFileSync(fixture('lab-bug-console.log'), 'latin1').replace(/\r\n/g, ' ');
    const path = join(dir, 'huge.log');
    const fh = await open(path, 'w');
    const block = Buffer.from(text.repeat(Math.ceil((1 << 20) / text.length)), 'latin1');
    for (let written = 0; written < 100 << 20; written += block.length) await fh.write(block);
    await fh.write(readFileSync(fixture('lab-bug-console.log')));
    await fh.close();
    const { lines } = await readAll(path);
    // Only the first 64 KiB of the huge physical line are read; the kernel lines run together in
    // it come apart at their timestamps, each marked truncated (their line was).
    const first = lines.filter((l) => l.origin.line === 1);
    expect(first.every((l) => l.truncated === true)).toBe(true);
    expect(first.reduce((n, l) => n + l.text.length, 0)).toBeLessThan(MAX_LINE_BYTES);
    expect(first[0]).toMatchObject({ ts: 0, text: expect.stringMatching(/^Linux version /) });
    expect(first[1]).toMatchObject({ ts: 0, text: expect.stringMatching(/^Command line: /) });
    // The rest of the file reads normally: the console's 395 other lines.
    const rest = lines.filter((l) => l.origin.line > 1);
    expect(rest).toHaveLength(395);
    expect(rest[0]).toMatchObject({ text: expect.stringMatching(/^Command line: /), ts: 0, origin: { line: 2 } });
    expect(rest[0]?.truncated).toBeUndefined();
    expect(rest[394]).toMatchObject({ text: 'Kernel panic - not syncing: Fatal exception', origin: { line: 396 } });
  }, 60_000);
});

describe('stdin', () => {
  it.each(['lab-bug-console.log', 'lab-bug-console.log.gz'])('`-` reads %s from stdin', async (file) => {
    const real = process.stdin;
    Object.defineProperty(process, 'stdin', { value: createReadStream(fixture(file)), configurable: true });
    try {
      const { log, lines } = await readAll('-');
      const plain = await readAll(fixture('lab-bug-console.log'));
      expect(log.source).toBe('-');
      expect(lines).toHaveLength(396);
      expect(essentials(lines)).toEqual(essentials(plain.lines));
      expect(lines[0]?.origin).toEqual({ source: '-', line: 1 });
    } finally {
      Object.defineProperty(process, 'stdin', { value: real, configurable: true });
    }
  });
});

describe('chunk boundaries change nothing', () => {
  async function* pieces(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
    for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
  }
  const files = [
    ['tty-script-dmesg-color.log', 'console'],
    ['lab-bug-console.log', 'console'],
    ['kmsg.txt', 'kmsg'],
    ['journal-export.out', 'journal-export'],
    ['journal-short.out', 'journal-short'],
  ] as const;
  it.each(files.flatMap(([f, fmt]) => [1, 2, 13, 4096, 65537].map((n) => [f, fmt, n] as const)))(
    '%s (%s) in %i-byte pieces',
    async (file, format, size) => {
      const bytes = readFileSync(fixture(file));
      const whole = await readAll(fixture(file), format);
      const log = openedLog(file, format, 'none', pieces(bytes, size), {});
      const lines: LogLine[] = [];
      for await (const l of log.lines) lines.push(l);
      expect(lines.map((l) => ({ ...l, origin: l.origin.line }))).toEqual(
        whole.lines.map((l) => ({ ...l, origin: l.origin.line })),
      );
    },
  );
});

describe('a forced format never fails on lines it does not fit', () => {
  it('dmesg read as kmsg gives its lines as plain text', async () => {
    const { log, lines } = await readAll(fixture('dmesg-plain.txt'), 'kmsg');
    expect(log.format).toBe('kmsg');
    // All but the indented continuation line, which kmsg takes for KEY=value metadata.
    expect(lines).toHaveLength(350);
    expect(lines[0]?.text).toBe(readFileSync(fixture('dmesg-plain.txt'), 'utf8').split('\n')[0]);
  });
});
