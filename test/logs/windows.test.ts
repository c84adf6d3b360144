import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogLine } from '../../src/logs/log-line.js';
import { openLog } from '../../src/logs/read-log.js';
import { TextWindow } from '../../src/logs/split-lines.js';
import { fixture, readAll } from './helpers.js';

let dir: string;
let big: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ktriage-windows-'));
  // Several real captures one after the other: a few windows' worth, CRLF and LF, with and
  // without caller ids.
  big = join(dir, 'consoles.log');
  const parts = ['lab-bug-console.log', 'syzkaller-console-317.log', 'lab-oom-console.log', 'syzkaller-console-391.log', 'dmesg-plain.txt', 'lab-exception-kdump-console.log'];
  await writeFile(big, Buffer.concat(parts.map((p) => readFileSync(fixture(p)))));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('windows: LogLines only where asked for', () => {
  it('reading only some windows gives exactly those lines of a full read, numbered the same', async () => {
    const full = await readAll(big);
    const byLine = new Map<number, LogLine[]>();
    for (const l of full.lines) byLine.set(l.origin.line, [...(byLine.get(l.origin.line) ?? []), l]);
    let windows = 0;
    for (const pick of [0, 1, 2]) {
      const log = await openLog({ path: big });
      let k = 0;
      const got: LogLine[] = [];
      for await (const w of log.windows) {
        if (k++ % 3 === pick) got.push(...w.lines());
      }
      windows = k;
      expect(got.length).toBeGreaterThan(0);
      for (const l of got) expect(byLine.get(l.origin.line)).toContainEqual(l);
      // Physical lines counted for skipped windows: the same total as a full read here.
      expect(log.stats.lines).toBe(full.lines.length);
    }
    expect(windows).toBeGreaterThanOrEqual(4);
  });

  it('a window’s text holds the raw lines, so a substring search finds what its LogLines hold', async () => {
    const log = await openLog({ path: fixture('lab-bug-console.log') });
    let hits = 0;
    for await (const w of log.windows) {
      if (w.text.includes('Call Trace:')) hits += w.lines().filter((l) => l.text === 'Call Trace:').length;
    }
    expect(hits).toBe(1);
  });
});

describe('stopping early and misuse', () => {
  it('breaking out of `lines` after one line closes the input cleanly', async () => {
    const log = await openLog({ path: big });
    let first: LogLine | undefined;
    for await (const l of log.lines) {
      first = l;
      break;
    }
    expect(first?.origin.line).toBe(1);
    // A fresh open still reads the whole file.
    const again = await readAll(big);
    expect(again.lines.length).toBeGreaterThan(1000);
  });

  it('asking a window for its lines after moving on is an error, not wrong lines', async () => {
    const log = await openLog({ path: big });
    const it = log.windows[Symbol.asyncIterator]();
    const first = (await it.next()).value as { lines(): LogLine[] };
    await it.next();
    expect(() => first.lines()).toThrow('LogWindow.lines() called after taking the next window');
    await it.return?.();
  });
});

describe('windows read in ranges', () => {
  it('linesIn gives the lines of a byte range as lines() does, and counts the lines passed over', async () => {
    const full = await readAll(big);
    const log = await openLog({ path: big });
    const got: LogLine[] = [];
    for await (const w of log.windows) {
      const bytes = w.bytes as Buffer;
      // The second and fifth lines of every window, and its last one.
      const starts = [0];
      for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) starts.push(i + 1);
      const range = (k: number): [number, number] => [starts[k] as number, starts[k + 1] ?? bytes.length];
      if (starts.length > 6) {
        got.push(...w.linesIn(...range(1)), ...w.linesIn(...range(4)));
        expect(() => w.linesIn(...range(2))).toThrow('out of order');
        expect(() => w.lines()).toThrow('after linesIn()');
      }
      got.push(...w.linesIn(...range(starts.length - 1)));
    }
    expect(got.length).toBeGreaterThanOrEqual(12);
    const byLine = new Map<number, LogLine[]>();
    for (const l of full.lines) byLine.set(l.origin.line, [...(byLine.get(l.origin.line) ?? []), l]);
    for (const l of got) expect(byLine.get(l.origin.line)).toContainEqual(l);
    expect(log.stats.lines).toBe(full.lines.length);
  });

  it('lastLines keeps the last n lines of a window, or all of it when it has no more', () => {
    const w = (text: string) => new TextWindow(Buffer.from(text, 'latin1'), false);
    const last = (text: string, n: number) => w(text).lastLines(n).raw.toString('latin1');
    expect(last('a\nb\nc\nd', 2)).toBe('c\nd');
    expect(last('a\nb\nc\nd', 3)).toBe('b\nc\nd');
    expect(last('a\nb\nc\nd', 4)).toBe('a\nb\nc\nd');
    expect(last('a\nb\nc\nd', 32)).toBe('a\nb\nc\nd');
    expect(last('\nb', 1)).toBe('b');
    expect(last('\nb', 2)).toBe('\nb');
    expect(last('a\n\n', 1)).toBe('');
    expect(last('', 1)).toBe('');
  });
});
