/**
 * Issue 15's findings, one test each (finding 9, output errors, is tested with the output
 * path). Each fails on the code before its fix: a crash, an unbounded read, a hang (the test's
 * timeout), or a partial input reported as complete.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, closeSync, cpSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KtError } from '../../src/errors.js';
import { openInput } from '../../src/logs/open-input.js';
import { openLog } from '../../src/logs/read-log.js';
import type { LogLine } from '../../src/logs/log-line.js';
import { expandCutDump } from '../vmcore/cut-dump.mjs';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'ktriage.js');
const LOGS = join(ROOT, 'test', 'fixtures', 'logs');
const SYMBOLS = join(ROOT, 'test', 'fixtures', 'symbols');
const CORPUS = join(ROOT, '..', 'shared', 'corpus', 'syzkaller', 'linux', 'report');
const tmp = mkdtempSync(join(tmpdir(), 'ktriage-findings-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(args: string[], opts: { input?: string | Buffer; env?: NodeJS.ProcessEnv; stdin?: number; uid?: number; gid?: number } = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    input: opts.input,
    stdio: opts.stdin !== undefined ? [opts.stdin, 'pipe', 'pipe'] : undefined,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '', XDG_CACHE_HOME: join(tmp, 'cache'), ...opts.env },
    maxBuffer: 256 << 20,
    ...(opts.uid !== undefined && { uid: opts.uid, gid: opts.gid }),
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Exit 2 and exactly one line `ktriage: … [code]`. */
function expectOneLineError(r: { status: number | null; stderr: string }, code: string): void {
  expect(r.status).toBe(2);
  expect(r.stderr.endsWith(`[${code}]\n`)).toBe(true);
  expect(r.stderr.split('\n')).toHaveLength(2);
}

async function drain(path: string, format?: 'syslog' | 'console' | 'journal-json'): Promise<{ lines: LogLine[]; partial?: string }> {
  const log = await openLog({ path, ...(format && { format }) });
  const lines: LogLine[] = [];
  for await (const l of log.lines) lines.push(l);
  return { lines, ...(log.stats.partial !== undefined && { partial: log.stats.partial }) };
}

function file(name: string, data: string | Buffer): string {
  const p = join(tmp, name);
  writeFileSync(p, data);
  return p;
}

describe('finding 1: a zstd frame header is not trusted', () => {
  const bomb = Buffer.from('28b52ffde00000e07f00000000a90000', 'hex');
  it('a 37-byte file declaring a 2 GB window is KT_E_BAD_COMPRESSION, not 2 GB of memory', async () => {
    const p = file('window.zst', Buffer.concat([bomb, Buffer.from('[    1.000000] hello\n')]));
    await expect(drain(p)).rejects.toThrow(/zstd data declares a 2046 MiB window, over the 128 MiB.*\[?/);
    await expect(drain(p)).rejects.toMatchObject({ code: 'KT_E_BAD_COMPRESSION' });
  });
  it('such a frame after a good one ends the input there, marked partial', async () => {
    const good = readFileSync(join(LOGS, 'lab-bug-console.log.zst'));
    const p = file('good-then-window.zst', Buffer.concat([good, Buffer.from('28b52ffd00a0', 'hex'), Buffer.alloc(64)]));
    const { lines, partial } = await drain(p);
    expect(partial).toMatch(/declares a 1024 MiB window/);
    expect(lines.map((l) => l.text)).toEqual((await drain(join(LOGS, 'lab-bug-console.log'))).lines.map((l) => l.text));
  });
});

describe('finding 2: a corrupt DWARF unit length', () => {
  const corrupt = (path: string): void => {
    const b = readFileSync(join(SYMBOLS, 'inline-demo-dwarf5'));
    b.writeUInt32LE(1, 12439); // the first .debug_info unit_length
    writeFileSync(path, b);
  };
  it('is read as binutils does (the unit is lost), not an internal error', () => {
    const p = join(tmp, 'dwarf5-bad-unit');
    corrupt(p);
    const r = run(['symbolize', '--addr2line', '-f', '-e', p, '0x11d0', '0x1169'], { env: { XDG_CACHE_HOME: join(tmp, 'c-dwarf1') } });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('checked_div\ninline-demo.c:?\nregister_tm_clones\ncrtstuff.c:?\n');
  });
  it('a file damaged in place keeps its build id but not its cached answers', () => {
    const p = join(tmp, 'dwarf5-in-place');
    const env = { XDG_CACHE_HOME: join(tmp, 'c-dwarf2') };
    copyFileSync(join(SYMBOLS, 'inline-demo-dwarf5'), p);
    expect(run(['symbolize', '--addr2line', '-f', '-e', p, '0x11d0'], { env }).stdout).toMatch(/^checked_div\n.*inline-demo\.c:22\n$/);
    corrupt(p);
    expect(run(['symbolize', '--addr2line', '-f', '-e', p, '0x11d0'], { env }).stdout).toBe('checked_div\ninline-demo.c:?\n');
  });
  it('a unit length shorter than its header is KT_E_BAD_DWARF when that unit is asked for', async () => {
    const { readUnitHeader } = await import('../../src/symbols/dwarf-unit.js');
    const { ByteReader } = await import('../../src/symbols/byte-reader.js');
    const bytes = Buffer.from('0100000005000108000000000000', 'hex');
    expect(() => readUnitHeader(new ByteReader(bytes, 0, bytes.length, true, 'test', 0), 0)).toThrow(KtError);
    expect(() => readUnitHeader(new ByteReader(bytes, 0, bytes.length, true, 'test', 0), 0)).toThrow(/length 1, shorter than its own header/);
  });
});

describe('finding 3: journal numbers that are not numbers', () => {
  for (const stamp of ['abc', '99999999999999999999', '1e300', '-5']) {
    it(`__REALTIME_TIMESTAMP ${stamp} has no wall time; the line is kept`, async () => {
      const p = file(`journal-${stamp}.json`, `{"__REALTIME_TIMESTAMP":"${stamp}","_SOURCE_MONOTONIC_TIMESTAMP":"${stamp}","PRIORITY":"${stamp}","MESSAGE":"x"}\n`);
      const { lines } = await drain(p);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ text: 'x', wallTime: undefined, ts: undefined, level: undefined });
    });
  }
  it('through the CLI on stdin: exit 0', () => {
    const r = run(['analyze', '-'], { input: '{"__REALTIME_TIMESTAMP":"abc","MESSAGE":"x"}\n' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('finding 4: --disassemble on real reports with negative displacements', () => {
  const cases: [string, RegExp][] = [
    ['372', /`addq -0x6ec63fa0\(, %rbp, 8\), %r13` reads memory at -0x6ec63fa0\(, %rbp, 8\) with RBP = ffffffff967948df: address 0xfffffffc45040758, the faulting address/],
    ['344', /`movq %rsi, -0x38\(%rbp\)` writes memory at -0x38\(%rbp\) with RBP = ffffc90000ca8030: address 0xffffc90000ca7ff8/],
    ['435', /`leaq -0x28\(%rbp\), %r15` reads memory at -0x28\(%rbp\) with RBP = ffff8801dae07670: address 0xffff8801dae07648/],
  ];
  for (const [report, explained] of cases) {
    it(`corpus report ${report}`, () => {
      const r = run(['analyze', '--disassemble', join(CORPUS, report)]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(explained);
    });
  }
});

describe('finding 5: one console line holding thousands of timestamps', () => {
  it('is split into its kernel lines without recursion', async () => {
    const p = file('many-prefixes.log', `x ${'[    1.000000] a '.repeat(3000)}\n`);
    const { lines } = await drain(p, 'console');
    expect(lines).toHaveLength(3001);
    expect(lines[0]).toMatchObject({ text: 'x ', ts: undefined });
    expect(lines[3000]).toMatchObject({ text: 'a ', ts: 1 });
  });
});

describe('finding 6: symbolize on a long word', () => {
  it('a 4 MiB line without a frame, then a frame, is annotated (the old regex never finished)', () => {
    const r = run(['symbolize', '--vmlinux', join(SYMBOLS, 'inline-demo-dwarf4')], { input: `${'A'.repeat(4 << 20)}\nchecked_div+0x0/0xe\n` });
    expect(r.status).toBe(0);
    const out = r.stdout.split('\n');
    expect(out[0]).toHaveLength(4 << 20);
    expect(out[1]).toMatch(/^checked_div\+0x0\/0xe .*inline-demo\.c:22$/);
  });
});

describe('finding 7: odd line shapes', () => {
  it('an ARM backtrace followed by lines of spaces is analysed (the frame regex was quadratic in them)', () => {
    const head = readFileSync(join(CORPUS, '589'), 'utf8').split('\n').slice(0, 16).join('\n');
    const spaces = `[   92.044034][   T19] ${' '.repeat(400_000)}\n`.repeat(2) + `${' '.repeat(400_000)}\n`;
    const r = run(['analyze', '--json', file('arm-spaces.log', `${head}\n${spaces}`)]);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as { reports: { kind: string; header: string }[] };
    expect(doc.reports[0]?.kind).toBe('warning');
    expect(doc.reports[0]?.header).toBe('WARNING: CPU: 1 PID: 19 at include/linux/seqlock.h:271 __seqprop_assert.constprop.0+0xf0/0x11c');
  });
  for (const format of ['syslog', 'kmsg', 'journal-short', 'dmesg-human'] as const) {
    it(`empty lines are no records in ${format} (each cost a LogLine and a trip through the extractor)`, async () => {
      const p = file(`empty-${format}.log`, '\n\n\r\n\n');
      const log = await openLog({ path: p, format });
      const lines: LogLine[] = [];
      for await (const l of log.lines) lines.push(l);
      expect(lines.filter((l) => l.text === '')).toEqual([]);
    });
  }
});

describe('finding 8: inputs read whole are read up to a limit', () => {
  const log = join(LOGS, 'syzkaller-console-239.log');
  const elf = join(SYMBOLS, 'inline-demo-dwarf4');
  const zero = openSync('/dev/zero', 'r');
  afterAll(() => closeSync(zero));
  it('symbolize --vmlinux < /dev/zero', () => expectOneLineError(run(['symbolize', '--vmlinux', elf], { stdin: zero }), 'KT_E_TOO_LARGE'));
  it('symbolize --addr2line -e ELF < /dev/zero', () => expectOneLineError(run(['symbolize', '--addr2line', '-e', elf], { stdin: zero }), 'KT_E_TOO_LARGE'));
  it('analyze --known-issues /dev/zero', () => expectOneLineError(run(['analyze', '--known-issues', '/dev/zero', log]), 'KT_E_TOO_LARGE'));
  it('analyze --system-map /dev/zero', () => expectOneLineError(run(['analyze', '--system-map', '/dev/zero', log]), 'KT_E_TOO_LARGE'));
  it('KTRIAGE_KNOWN_ISSUES=/dev/zero', () => expectOneLineError(run(['analyze', log], { env: { KTRIAGE_KNOWN_ISSUES: '/dev/zero' } }), 'KT_E_TOO_LARGE'));
});

describe('finding 10: special files', () => {
  const log = join(LOGS, 'syzkaller-console-239.log');
  it('a FIFO is read once, as a log', async () => {
    const fifo = join(tmp, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const child = spawn(process.execPath, [BIN, 'analyze', '--json', fifo], { env: { ...process.env, XDG_CACHE_HOME: join(tmp, 'cache') } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    writeFileSync(fifo, readFileSync(log)); // blocks until the reader opened it
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(status).toBe(0);
    const doc = JSON.parse(out) as { inputs: { lines: number }[]; reports: { kind: string }[] };
    expect(doc.inputs[0]?.lines).toBe(readFileSync(log, 'utf8').split('\n').length - 1);
    expect(doc.reports.length).toBeGreaterThan(0);
  });
  it('stdin that is a directory is KT_E_UNREADABLE', () => {
    const dir = openSync(tmp, 'r');
    try {
      expectOneLineError(run(['analyze', '-'], { stdin: dir }), 'KT_E_UNREADABLE');
    } finally {
      closeSync(dir);
    }
  });
  it('a --vmlinux, -e or --system-map that is a directory is KT_E_UNREADABLE', () => {
    expectOneLineError(run(['symbolize', '--vmlinux', tmp], { input: 'checked_div+0x0/0x10\n' }), 'KT_E_UNREADABLE');
    expectOneLineError(run(['symbolize', '--addr2line', '-e', tmp, '0x1']), 'KT_E_UNREADABLE');
    expectOneLineError(run(['analyze', '--system-map', tmp, log]), 'KT_E_UNREADABLE');
  });
  it('XDG_CACHE_HOME under /proc: the command ends (recursive mkdirSync never returned)', () => {
    const r = run(['symbolize', '--addr2line', '-f', '-e', join(SYMBOLS, 'inline-demo-dwarf5'), '0x11d0'], { env: { XDG_CACHE_HOME: '/proc/nonexistent' } });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^checked_div\n.*inline-demo\.c:22\n$/);
    const a = run(['analyze', log], { env: { XDG_CACHE_HOME: '/proc/nonexistent' } });
    expect(a.status).toBe(0);
  });
});

describe('finding 11: partial input is marked partial', () => {
  it('a connection reset on stdin ends the input there, marked partial, with valid JSON', async () => {
    const one = readFileSync(join(LOGS, 'syzkaller-console-239.log'));
    const data = Buffer.concat(Array.from({ length: Math.ceil((16 << 20) / one.length) }, () => one));
    // The reset comes once the reader has taken 2 MiB, while the rest is still queued: it sees
    // some data, then ECONNRESET.
    const server = net.createServer((conn) => {
      conn.write(data);
      const poll = setInterval(() => {
        if (data.length - conn.writableLength < 2 << 20) return;
        clearInterval(poll);
        conn.resetAndDestroy();
      }, 10);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    const client = net.connect(port, '127.0.0.1');
    // This process must not read the socket it hands the child: paused before it connects, Node
    // starts no read on it (else both processes take bytes from one descriptor, and a reset can
    // land on what this one took, leaving the child a plain end of input).
    client.pause();
    await new Promise((resolve) => client.once('connect', resolve));
    const child = spawn(process.execPath, [BIN, 'analyze', '--json', '-'], { stdio: [client, 'pipe', 'pipe'], env: { ...process.env, XDG_CACHE_HOME: join(tmp, 'cache') } });
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    client.destroy();
    server.close();
    expect(err).toBe('');
    expect(status).toBe(0);
    const doc = JSON.parse(out) as { inputs: { lines: number; partial?: string }[] };
    expect(doc.inputs[0]?.partial).toMatch(/^reading stopped after \d+ bytes: (?:-|standard input): cannot be read \(ECONNRESET\)$/);
    expect(doc.inputs[0]?.lines).toBeGreaterThan(0);
  });
  it('a file truncated while being read is marked partial', async () => {
    const p = file('shrinking.log', Buffer.alloc(3 << 20, '[    1.000000] line of a log\n'));
    const input = await openInput(p);
    let read = 0;
    for await (const chunk of input.chunks) {
      if (read === 0) truncateSync(p, (1 << 20) + 100);
      read += chunk.length;
    }
    expect(read).toBe((1 << 20) + 100);
    expect(input.end.partial).toBe(`reading stopped after ${(1 << 20) + 100} bytes: ${p}: the file was truncated while being read (${3 << 20} bytes when opened)`);
  });
});

describe('finding 12: every error is one line', () => {
  it("a dump's signature with a newline and an escape sequence is quoted escaped", () => {
    const dump = expandCutDump(join(ROOT, 'test', 'fixtures', 'vmcore', 'bug.mdf-F-lzo.cut.gz'), join(tmp, 'flat.dump'));
    const b = readFileSync(dump);
    b.write('KDUMP\n\x1b[', b.indexOf('KDUMP   '), 'latin1');
    writeFileSync(dump, b);
    const r = run(['vmcore', dump]);
    expectOneLineError(r, 'KT_E_DUMP_UNSUPPORTED');
    expect(r.stderr).toContain("signature 'KDUMP\\n\\x1b[' is not 'KDUMP   '");
  });
  it('usage errors are one line that points to --help', () => {
    const r = run(['analyze', '--bogus']);
    expectOneLineError(r, 'KT_E_USAGE');
    expect(r.stderr).toContain("see 'ktriage analyze --help'");
    expectOneLineError(run(['symbolize']), 'KT_E_USAGE');
    expectOneLineError(run(['nonsense']), 'KT_E_USAGE');
  });
  it('vmcore on a missing or unreadable file says so', () => {
    expectOneLineError(run(['vmcore', join(tmp, 'missing')]), 'KT_E_NO_SUCH_FILE');
    expectOneLineError(run(['vmcore', tmp]), 'KT_E_UNREADABLE');
  });
});

describe('finding 13: doctor on a root it may not read', () => {
  it('skips what it cannot see instead of failing it', () => {
    const root = join(tmp, 'sysroot');
    cpSync(join(ROOT, 'test', 'fixtures', 'host', 'debian-server'), root, { recursive: true });
    // As root, run as nobody on a 0700 root; as anyone else, a 0000 root is just as closed.
    const asRoot = process.getuid?.() === 0;
    chmodSync(tmp, 0o755);
    chmodSync(root, asRoot ? 0o700 : 0o000);
    try {
      const r = run(['doctor', '--root', root], asRoot ? { uid: 65534, gid: 65534, env: { XDG_CACHE_HOME: join(tmp, 'nobody-cache') } } : {});
      expect(r.stdout).not.toMatch(/no kdump tooling installed|journal is volatile|no journald and no syslog file/);
      expect(r.stdout).toMatch(/SKIP +kdump-installed +not checked: .*permission denied/);
      expect(r.stdout).toMatch(/SKIP +journal-persistent +not checked: .*permission denied/);
      expect(r.stdout).toMatch(/ 0 fail,/);
      expect(r.status).toBe(0);
    } finally {
      chmodSync(root, 0o755);
    }
  });
});

describe('allocations sized by an untrusted length are capped', () => {
  it('a compressed debug section claiming 2 GB is KT_E_BAD_COMPRESSION, not a 2 GB buffer', async () => {
    const { ElfFile } = await import('../../src/symbols/elf-file.js');
    const bytes = readFileSync(join(SYMBOLS, 'inline-demo-dwarf5-zstd'));
    const info = ElfFile.fromBuffer(bytes, 'x').section('.debug_info');
    expect(info).toBeDefined();
    expect(bytes.readUInt32LE(info!.offset)).toBe(2); // ELFCOMPRESS_ZSTD
    bytes.writeBigUInt64LE(2n ** 31n - 2n, info!.offset + 8); // ch_size
    const elf = ElfFile.fromBuffer(bytes, 'inflated');
    expect(() => elf.contentsOf(elf.section('.debug_info')!)).toThrow(/claims 2147483646 bytes uncompressed from \d+: more than compressed debug information expands to/);
  });
});

describe('an input rejected after opening is closed', () => {
  it('binary data and xz: no file descriptor left to the garbage collector', async () => {
    const binary = file('binary.bin', Buffer.from(Array.from({ length: 70000 }, (_, i) => (i * 7919) & 0xff)));
    const xz = join(LOGS, 'syzkaller-console-1000.log.xz');
    const fds = (): number => readdirSync('/proc/self/fd').length;
    const before = fds();
    for (let i = 0; i < 20; i++) {
      await expect(openLog({ path: binary })).rejects.toMatchObject({ code: 'KT_E_BINARY_INPUT' });
      await expect(openLog({ path: xz })).rejects.toMatchObject({ code: 'KT_E_BAD_COMPRESSION' });
    }
    expect(fds()).toBe(before);
  });
});
