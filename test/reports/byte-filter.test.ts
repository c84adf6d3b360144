/**
 * The byte-level pass of the window filter: its tables come from the kind and precursor tables,
 * it never clears a block the exact regexes would flag, and its committed WebAssembly is its
 * source assembled.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { byteTables, compileByteFilter, loadByteTables, storeByteTables, storedTablesKey, type ByteFilter } from '../../src/reports/byte-filter.js';
import { hasByte, prefixByteSets, requiredLiteral, type ByteSet } from '../../src/reports/regex-bytes.js';
import { shippedTriggerFilters, TRIGGER_PATTERNS } from '../../src/reports/window-filter.js';

const { bytes: BYTE_FILTER, window: WINDOW_FILTER } = shippedTriggerFilters();
// @ts-expect-error: a plain .mjs build script, no types
import { compileWat, wasmTargets } from '../../scripts/build-wasm.mjs';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const SRC = join(import.meta.dirname, '..', '..', 'src', 'reports');

function chars(set: ByteSet | undefined): string {
  let out = '';
  for (let b = 0; b < 256; b++) if (set && hasByte(set, b)) out += String.fromCharCode(b);
  return out.length === 256 ? '*' : out;
}

const filter = BYTE_FILTER as ByteFilter;

/** The scan of a whole block from `from`. */
function scan(text: string | Buffer, from = 0) {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
  if (!filter.load(bytes)) return 'too large';
  return filter.scan(from);
}

/**
 * The lines (0-based) a reader following the scan reads, as the extractor does: the line holding
 * `mayStartFrom`, then a scan again after it; undefined when the bytes cannot tell.
 */
function linesRead(text: string): number[] | undefined {
  const bytes = Buffer.from(text, 'latin1');
  if (!filter.load(bytes)) return undefined;
  const read: number[] = [];
  let from = 0;
  while (from < bytes.length) {
    const r = filter.scan(from);
    if (r.lineFeeds !== undefined) break;
    const line = text.slice(0, r.mayStartFrom).split('\n').length - 1;
    read.push(line);
    const lf = text.indexOf('\n', r.mayStartFrom);
    from = lf < 0 ? bytes.length : lf + 1;
  }
  return read;
}

/** The lines read: every trigger line, and at most the line before each besides. */
function expectReads(text: string, triggers: number[]): void {
  const read = linesRead(text);
  expect(read).toBeDefined();
  for (const t of triggers) expect(read).toContain(t);
  for (const l of read ?? []) expect(triggers.includes(l) || triggers.includes(l + 1), `line ${l} read`).toBe(true);
}

describe('regex sources read as bytes', () => {
  it('gives the bytes each of the first positions may hold', () => {
    expect(prefixByteSets('^(?:Oops: )?general protection fault', '', 4).map(chars)).toEqual(['Og', 'eo', 'np', 'es']);
    expect(prefixByteSets('^BUG: ', '', 7).map(chars)).toEqual(['B', 'U', 'G', ':', ' ', '*', '*']);
    expect(prefixByteSets('^ata\\d+(?:\\.\\d+)?: ', '', 6).map(chars)).toEqual(['a', 't', 'a', '0123456789', '.0123456789:', ' .0123456789:']);
    expect(prefixByteSets('^list_(?:add|del) corruption', '', 8).map(chars)).toEqual(['l', 'i', 's', 't', '_', 'ad', 'de', 'dl']);
    // Case folding, classes, and what is not followed (a backreference) reads as anything.
    expect(prefixByteSets('^oops', 'i', 2).map(chars)).toEqual(['Oo', 'Oo']);
    expect(prefixByteSets('^[^)]x', '', 2).map((s) => chars(s).length)).toEqual([255, 1]);
    expect(prefixByteSets('^(a)\\1', '', 3).map(chars)).toEqual(['a', '*', '*']);
    // Lookarounds and anchors only narrow a match: dropped.
    expect(prefixByteSets('^(?=x)ab$', '', 3).map(chars)).toEqual(['a', 'b', '*']);
  });

  it('finds the plain text every match holds', () => {
    expect(requiredLiteral(' error, dev (?:[\\w.-]+), sector \\d+', '')).toBe(' error, dev ');
    expect(requiredLiteral('forced readonly', '')).toBe('forced readonly');
    expect(requiredLiteral('a|b', '')).toBe('');
    expect(requiredLiteral('readonly', 'i')).toBe('');
  });
});

describe('tables from the kind and precursor tables', () => {
  it('looks for the floating triggers by their plain text', () => {
    const tables = byteTables([/ invoked oom-killer: /, / error, dev (?:[\w.-]+), sector \d+/, /^BUG: /]);
    expect(tables?.literals.map((l) => l.text)).toEqual([' invoked oom-killer: ', ' error, dev ']);
    // The fingerprint avoids spaces and common letters.
    expect(tables?.literals.map((l) => l.text.slice(l.fingerprintAt, l.fingerprintAt + 3))).toEqual(['vok', 'or,']);
    // Nor the words English is full of: `for` is no rarer for its `f`.
    const forced = byteTables([/EXT4-fs \(\w+\): .*forced readonly/, /^BUG: /])?.literals[0];
    expect(forced?.text).toBe('forced readonly');
    expect(forced?.text.slice(forced.fingerprintAt, forced.fingerprintAt + 3)).toBe('orc');
  });

  it('gives up (every block read as before) when a trigger has nothing plain to look for', () => {
    expect(byteTables([/^BUG: /, /\d+ M/])).toBeUndefined();
    expect(byteTables([/^.*foo/])).toBeDefined(); // an anchored one with a loose start: by its text
    expect(byteTables([/^.*x/])).toBeUndefined();
  });

  it('stores its tables and loads them back only for the patterns they came from', () => {
    const tables = byteTables(TRIGGER_PATTERNS) as NonNullable<ReturnType<typeof byteTables>>;
    const key = storedTablesKey(TRIGGER_PATTERNS);
    const loaded = loadByteTables(storeByteTables(tables, key), key);
    expect(loaded?.literals).toEqual(tables.literals);
    expect(Array.from(loaded?.prefixMasks ?? [])).toEqual(Array.from(tables.prefixMasks));
    expect(loadByteTables(storeByteTables(tables, key), storedTablesKey([/^BUG: /]))).toBeUndefined();
    expect(loadByteTables(storeByteTables(undefined, key), key)).toBeNull();
    expect(loadByteTables('{"key":', key)).toBeUndefined();
    expect(loadByteTables('', key)).toBeUndefined();
    const truncated = JSON.parse(storeByteTables(tables, key)) as { tables: { prefixMasks: string } };
    truncated.tables.prefixMasks = truncated.tables.prefixMasks.slice(0, 100);
    expect(loadByteTables(JSON.stringify(truncated), key)).toBeUndefined();
    // What `npm run build` stored beside the compiled module: the tables of today's patterns.
    const built = readFileSync(join(import.meta.dirname, '..', '..', 'dist', 'reports', 'trigger-byte-tables.json'), 'utf8');
    expect(Array.from(loadByteTables(built, key)?.prefixMasks ?? [])).toEqual(Array.from(tables.prefixMasks));
  });

  it('is built for the shipped tables', () => {
    expect(WINDOW_FILTER).toBeDefined();
    expect(BYTE_FILTER).toBeDefined();
  });
});

describe('scanning a block', () => {
  it('counts the LFs of a block where nothing can start', () => {
    expect(scan('[    0.000000] Linux agpgart\n[    1.250000] pci 0000:00:01.0: [8086:7000]\n[    1.3] usb 1-1: new device')).toEqual({ lineFeeds: 2 });
    expect(scan('')).toEqual({ lineFeeds: 0 });
  });

  it('leads to the lines that may start something, and only to a few others', () => {
    const ok = (n: number) => Array.from({ length: n }, (_, i) => `[    1.${String(i).padStart(6, '0')}] usb 1-1: new high-speed USB device number ${i}`);
    const text = [...ok(30), '[    2.000000] BUG: kernel NULL pointer dereference, address: 0', ...ok(30), '[    3.000000] BUG: again'].join('\n');
    expectReads(text, [30, 61]);
    // From a line on: what follows only.
    const second = text.indexOf('[    3');
    expect(scan(text, second)).toEqual({ mayStartFrom: second });
    // A caller id between the timestamp and the text, with or without its space.
    expectReads('[    1.0] ok\n[    2.000000][  T123] BUG: x', [1]);
    expectReads('[    1.0] ok\n[    2.000000] [T123]BUG: x', [1]);
  });

  it('tells a shutdown from the boot lines that start alike (sixteen bytes are compared)', () => {
    expect(scan('[    0.5] ACPI: PM: (supports S0 S5)\n[    0.6] NMI watchdog: Enabled. Permanently consumes one hw-PMU counter.')).toEqual({ lineFeeds: 1 });
    expectReads('[   99.5] ACPI: PM: Preparing to enter system sleep state S5', [0]);
    expectReads('[   99.5] NMI watchdog: BUG: soft lockup - CPU#0 stuck for 22s!', [0]);
  });

  it('finds floating triggers anywhere in a line, at either end of the block', () => {
    const oom = '[   5.0] kworker/0:1 invoked oom-killer: gfp_mask=0x0';
    expectReads(`[   4.0] ok\n${oom}`, [1]);
    expectReads(`${'[   4.0] a longer line than the literal is\n'.repeat(3)}${oom}`, [3]);
    expectReads('EXT4-fs (sda1): Remounting filesystem read-only', [0]); // unprefixed line
    expectReads('[ 1.0] ok\n[ 1.0] EXT4-fs (sda1): Remounting filesystem read-only', [1]);
    // Cut short at the end of the block: not there.
    expect(scan('[ 1.0] EXT4-fs (sda1): Remounting filesystem read-onl')).toEqual({ lineFeeds: 0 });
  });

  it('reads lines without a console prefix, after LF or a lone CR, and `<N>` levels', () => {
    expectReads('[ 1.0] ok\nsyzkaller login: ', [1]);
    expect(scan('[ 1.0] ok\r\n[ 2.0] ok\r\n')).toEqual({ lineFeeds: 2 });
    expectReads('[ 1.0] ok\n[ 1.0] ok\rprogress 50%', [1]);
    expect(scan('<6>[ 1.0] ok\n<4>[ 2.0] ok\n   indented')).toEqual({ lineFeeds: 2 });
    expectReads('[ 1.0] ok\n<6>login', [1]);
    expect(scan('<12345>x')).toEqual({ lineFeeds: 0 });
  });

  it('leaves lines with NULs, controls and non-ASCII bytes to the exact path', () => {
    const ok = '[ 1.000000] usb 1-1: new high-speed USB device\n'.repeat(4);
    expectReads(`${ok}[ 1.0] ok\0\n[ 2.0] ok`, [4]);
    expectReads(`${ok}[ 1.0] caf\xc3\xa9\n${ok}`, [4]);
    expectReads(`${ok}[ 1.0] \x1b[m\n${ok}`, [4]);
    expectReads(`${ok}[ 1.0] B\bBUG: x\n${ok}`, [4]);
  });

  it('sends on exactly the lines holding a byte other than printable ASCII or tab, at any lane', () => {
    const ok = '[ 1.000000] usb 1-1: new high-speed USB device\n'.repeat(3);
    for (let b = 0; b < 256; b++) {
      if (b === 10 || b === 13) continue;
      const plain = (b >= 0x20 && b < 0x7f) || b === 9;
      for (let lane = 0; lane < 16; lane++) {
        const text = `${ok}[ 2.0] ${'x'.repeat(lane)}${String.fromCharCode(b)}y\n${ok}`;
        if (plain) expect(scan(text), `byte ${b} lane ${lane}`).toEqual({ lineFeeds: 7 });
        else expectReads(text, [3]);
      }
    }
  });

  it('takes huge lines, and refuses blocks larger than its memory', () => {
    const line = `[ 1.0] ${'x'.repeat(300_000)} invoked oom-killer: x`;
    expectReads(`[ 1.0] ok\n${line}`, [1]);
    expect(scan(`[ 1.0] ${'x'.repeat(300_000)}`)).toEqual({ lineFeeds: 0 });
    expect(scan(Buffer.alloc(4 << 20, 0x20))).toBe('too large');
  });

  it('never passes over a line the exact regexes flag: every fixture, every line and its neighbours, and random bytes', () => {
    const dirs = ['reports', 'logs'].map((d) => join(FIXTURES, d));
    const texts = dirs.flatMap((d) =>
      readdirSync(d)
        .filter((f) => /\.(log|txt)$/.test(f))
        .map((f) => readFileSync(join(d, f), 'latin1')),
    );
    expect(texts.length).toBeGreaterThan(80);
    const wf = WINDOW_FILTER as NonNullable<typeof WINDOW_FILTER>;
    let flagged = 0;
    let checked = 0;
    const check = (block: string): void => {
      const read = linesRead(block);
      if (read === undefined) return;
      checked++;
      const lines = block.split('\n');
      if (read.length === 0) expect(wf.mayHold(block), block.slice(0, 200)).toBe(false);
      for (let i = 0; i < lines.length; i++) {
        if (!wf.mayHold(lines[i] as string)) continue;
        flagged++;
        expect(read, `line ${i} of ${JSON.stringify(block.slice(0, 300))}`).toContain(i);
      }
    };
    for (const text of texts) {
      check(text);
      const lines = text.split('\n');
      for (let i = 0; i < lines.length; i += 2) check(lines.slice(i, i + 3).join('\n'));
    }
    // Random bytes from the lines' own alphabet, with line breaks and prefixes thrown in.
    let seed = 12345;
    const random = (n: number): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % n;
    const alphabet = '[] :.<>0123456789\n\rBUGWARNINGOopsKernel panicata1 error, dev forced readonly\t';
    for (let i = 0; i < 20_000; i++) {
      let block = '';
      const length = 1 + random(80);
      for (let j = 0; j < length; j++) block += alphabet[random(alphabet.length)];
      check(block);
    }
    expect(checked).toBeGreaterThan(30_000);
    expect(flagged).toBeGreaterThan(1000);
  });
});

describe('the committed WebAssembly', () => {
  it('is byte-filter.wat assembled, with and without relaxed swizzles (npm run wasm regenerates both)', async () => {
    const wat = join(SRC, 'byte-filter.wat');
    const targets = (wasmTargets(wat) as { wasm: string; relaxed: boolean }[]).map((t) => [t.wasm.split('/').pop(), t.relaxed]);
    expect(targets).toEqual([['byte-filter.wasm', false], ['byte-filter.relaxed.wasm', true]]);
    for (const relaxed of [false, true]) {
      const compiled: Buffer = await compileWat(wat, { relaxed });
      const file = relaxed ? 'byte-filter.relaxed.wasm' : 'byte-filter.wasm';
      expect(Buffer.compare(compiled, readFileSync(join(SRC, file))), file).toBe(0);
    }
  });

  it('gives the same answers in its relaxed-swizzle build, on every fixture from every line start', () => {
    // Node 20 takes relaxed SIMD behind a flag (the CLI sets it for analyze); Node 22 has it.
    setFlagsFromString('--experimental-wasm-relaxed-simd');
    const relaxedBytes = readFileSync(join(SRC, 'byte-filter.relaxed.wasm'));
    expect(WebAssembly.validate(relaxedBytes)).toBe(true);
    const tables = byteTables(TRIGGER_PATTERNS) as NonNullable<ReturnType<typeof byteTables>>;
    const baseline = compileByteFilter(tables, new WebAssembly.Module(readFileSync(join(SRC, 'byte-filter.wasm'))));
    const relaxed = compileByteFilter(tables, new WebAssembly.Module(relaxedBytes));
    let scans = 0;
    for (const dir of ['reports', 'logs']) {
      for (const f of readdirSync(join(FIXTURES, dir)).filter((n) => /\.(log|txt)$/.test(n))) {
        const bytes = readFileSync(join(FIXTURES, dir, f));
        if (!baseline.load(bytes) || !relaxed.load(bytes)) continue;
        for (let from = 0; from < bytes.length; from = bytes.indexOf(10, from) + 1 || bytes.length) {
          expect(relaxed.scan(from), `${f} from ${from}`).toEqual(baseline.scan(from));
          scans++;
        }
      }
    }
    expect(scans).toBeGreaterThan(10_000);
  });

  it('has its own memory per filter', () => {
    const tables = byteTables([/^BUG: /]);
    const a = compileByteFilter(tables as NonNullable<typeof tables>);
    const b = compileByteFilter(tables as NonNullable<typeof tables>);
    a.load(Buffer.from('[ 1] BUG: x'));
    b.load(Buffer.from('[ 1] ok'));
    expect(a.scan(0)).toEqual({ mayStartFrom: 0 });
    expect(b.scan(0)).toEqual({ lineFeeds: 0 });
  });

  it('scans blocks read into its pool where they are, leaving the bytes after them as they were', () => {
    const tables = byteTables([/^BUG: /, / invoked oom-killer: /]);
    const f = compileByteFilter(tables as NonNullable<typeof tables>);
    const pool = f.claimReadPool(4, 1 << 20);
    expect(pool?.buffers).toHaveLength(4);
    // One lender at a time; the pool is lent again once given back.
    expect(f.claimReadPool(4, 1 << 20)).toBeUndefined();
    const [first, second] = pool?.buffers as Buffer[];
    const text = readFileSync(join(FIXTURES, 'reports', 'x86-clean-boot-poweroff.log'), 'latin1');
    const blocks = ['[ 1.0] ok\n[ 2.0] fine\n', `[ 1.0] ok\n[ 2.0] a invoked oom-killer: gfp\n`, '[ 1.0] ok\n[ 2.0] BUG: x\n', text.slice(0, 60_000)];
    for (const block of blocks) {
      const bytes = Buffer.from(block, 'latin1');
      // In place: at the very end of a pool buffer (the next one's bytes follow), and mid-buffer.
      for (const at of [(first as Buffer).length - bytes.length, 1000]) {
        (second as Buffer).fill(0x42, 0, 64);
        bytes.copy(first as Buffer, at);
        (first as Buffer).fill(0x41, at + bytes.length, Math.min(at + bytes.length + 64, (first as Buffer).length));
        const view = (first as Buffer).subarray(at, at + bytes.length);
        const after = Buffer.from((first as Buffer).subarray(at + bytes.length, at + bytes.length + 64));
        expect(f.load(view)).toBe(true);
        const inPlace = f.scan(0);
        expect((first as Buffer).subarray(at + bytes.length, at + bytes.length + 64)).toEqual(after);
        expect((second as Buffer).subarray(0, 64)).toEqual(Buffer.alloc(64, 0x42));
        expect(view.toString('latin1')).toBe(block);
        expect(f.load(Buffer.from(bytes))).toBe(true);
        expect(inPlace).toEqual(f.scan(0));
      }
    }
    expect(f.load(Buffer.from(blocks[0] as string, 'latin1')) && f.scan(0)).toEqual({ lineFeeds: 2 });
    pool?.release();
    const again = f.claimReadPool(4, 1 << 20);
    expect(again).toBeDefined();
    again?.release();
    // More than its 4 MiB: none.
    expect(f.claimReadPool(8, 1 << 20)).toBeUndefined();
  });
});
