/** Checks on the kind table itself: coverage by real fixtures, and the fast header test agreeing with the rows. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { matchHeader } from '../../src/reports/header-matcher.js';
import { KIND_TABLE, UNEXPECTED_REBOOT_ROW, kindsTagged } from '../../src/reports/kinds.js';
import { PRECURSOR_TABLE, matchPrecursor } from '../../src/reports/precursors.js';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'reports');

/**
 * Kinds with no real log to test on yet, and why:
 * - machine-check: QEMU under TCG never gets the guest to enable CR4.MCE, so `mce` injection
 *   triple-faults; edac: no emulated memory controller reports errors;
 * - hard-lockup: TCG has no perf NMI watchdog (the lab's HARDLOCKUP run printed nothing);
 * - invalid-opcode on its own: Debian builds with CONFIG_DEBUG_BUGVERBOSE, so BUG() always prints
 *   `kernel BUG at` first (that pair is covered), and the corpus has no bare one.
 */
const NO_REAL_SAMPLE_YET = new Set(['edac', 'hard-lockup', 'invalid-opcode']);
const expectFiles = readdirSync(DIR).filter((f) => f.endsWith('.expect'));
const logFiles = readdirSync(DIR).filter((f) => f.endsWith('.log'));

function expectedKinds(): Set<string> {
  const kinds = new Set<string>();
  for (const f of expectFiles) {
    for (const m of readFileSync(join(DIR, f), 'utf8').matchAll(/^KINDS:(.*)$/gm)) {
      for (const k of (m[1] ?? '').split(',')) if (k.trim()) kinds.add(k.trim());
    }
  }
  return kinds;
}

describe('kind table', () => {
  it('every kind has at least one real fixture', () => {
    const covered = expectedKinds();
    const missing = [...new Set([...KIND_TABLE, UNEXPECTED_REBOOT_ROW].map((r) => r.kind))].filter(
      (k) => !covered.has(k) && !NO_REAL_SAMPLE_YET.has(k),
    );
    expect(missing).toEqual([]);
  });

  it('every row says what it means', () => {
    for (const row of KIND_TABLE) expect(row.description.length, row.header.source).toBeGreaterThan(20);
  });

  it('the combined header test finds the same row as trying the rows one by one, on every fixture line', () => {
    let headers = 0;
    for (const f of logFiles) {
      for (const raw of readFileSync(join(DIR, f), 'latin1').split(/\r?\n/)) {
        const text = raw.replace(/^(?:<\d>)?(?:\[\s*\d+\.\d+\])?(?:\[\s*[TC]\d+\])? ?/, '');
        const slow = KIND_TABLE.find((row) => row.header.test(text));
        expect(matchHeader(text)).toBe(slow);
        if (slow) headers++;
      }
    }
    expect(headers).toBeGreaterThan(logFiles.length);
  });

  it('the combined precursor test agrees with the rows', () => {
    for (const row of PRECURSOR_TABLE) expect(() => new RegExp(row.pattern.source)).not.toThrow();
    const line = { text: 'blk_update_request: I/O error, dev sda, sector 106553248', origin: { source: 't', line: 1 } };
    expect(matchPrecursor(line)).toMatchObject({ kind: 'block-io-error', device: 'sda' });
  });
});

describe('kind tags (what the analysis stages read from the rows)', () => {
  it('groups every kind the cause, culprit and diagnose stages used to list themselves', () => {
    const sorted = (s: ReadonlySet<string>) => [...s].sort().join(', ');
    expect(sorted(kindsTagged('sanitizer'))).toBe('kasan, kcsan, kfence, kmsan, memory-leak, ubsan');
    expect(sorted(kindsTagged('locking'))).toBe('lockdep, scheduling-while-atomic, sleeping-in-atomic, spinlock-lockup');
    expect(sorted(kindsTagged('assertion'))).toBe('bug, kernel-bug, list-corruption, slab-corruption, warning');
    expect(sorted(kindsTagged('stall'))).toBe('hard-lockup, rcu-stall, soft-lockup');
    expect(sorted(kindsTagged('nothing-to-blame'))).toBe('edac, machine-check, oom-kill, unexpected-reboot');
    expect(sorted(kindsTagged('ip-not-at-fault'))).toBe('hung-task, scheduling-while-atomic, sleeping-in-atomic');
    // Every row of one kind carries the same tags: a kind is one thing wherever its header came from.
    const byKind = new Map<string, string>();
    for (const row of [...KIND_TABLE, UNEXPECTED_REBOOT_ROW]) {
      const tags = [...(row.tags ?? [])].sort().join(',');
      expect(byKind.get(row.kind) ?? tags, row.kind).toBe(tags);
      byKind.set(row.kind, tags);
    }
  });
});
