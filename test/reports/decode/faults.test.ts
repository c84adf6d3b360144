import { describe, expect, test } from 'vitest';
import { parseArmAbort } from '../../../src/reports/decode/arm64-abort.js';
import { parseCodeLine } from '../../../src/reports/decode/code-line.js';
import { classifyFaultAddress } from '../../../src/reports/decode/fault-address.js';
import { decodePageFaultErrorCode, parseOldPageFaultError, parsePageFaultLines } from '../../../src/reports/decode/page-fault.js';
import { fixtureLines, lineOf } from './fixture-lines.js';

describe('parsePageFaultLines (x86)', () => {
  test.each([
    { fx: 'x86-null-deref-write-lkdtm.txt', address: '0000000000000000', kind: 'null-pointer', code: 0x2, write: true, protection: false, instructionFetch: false, description: 'supervisor write access in kernel mode, not-present page' },
    { fx: 'x86-null-deref-read-lkdtm.txt', address: '0000000000000000', kind: 'null-pointer', code: 0x0, write: false, protection: false, instructionFetch: false, description: 'supervisor read access in kernel mode, not-present page' },
    { fx: 'x86-write-rodata-page-fault-lkdtm.txt', address: 'ffffffffc0241160', kind: 'paging-request', code: 0x3, write: true, protection: true, instructionFetch: false, description: 'supervisor write access in kernel mode, permissions violation' },
    { fx: 'x86-exec-nx-page-fault-lkdtm.txt', address: 'ffffffffc0563920', kind: 'paging-request', code: 0x11, write: false, protection: true, instructionFetch: true, description: 'supervisor instruction fetch in kernel mode, permissions violation' },
    { fx: 'x86-page-fault-pf-lines-interleaved.txt', address: 'ffff8801d386d964', kind: 'paging-request', code: 0x0, write: false, protection: false, instructionFetch: false, description: 'supervisor read access in kernel mode, not-present page' },
    { fx: 'x86-null-exec-bad-rip.txt', address: '0000000000000086', kind: 'null-pointer', code: 0x10, write: false, protection: false, instructionFetch: true, description: 'supervisor instruction fetch in kernel mode, not-present page' },
    { fx: 'x86-old-pf-error-interleaved-cpus.txt', address: 'ffff888216edd110', kind: 'paging-request', code: 0x0, write: false, protection: false, instructionFetch: false, description: 'supervisor read access, not-present page' },
  ])('$fx', (row) => {
    const got = parsePageFaultLines(fixtureLines(row.fx));
    expect(got.address).toBe(row.address);
    expect(got.headerKind).toBe(row.kind);
    expect(got.pageFault).toMatchObject({ code: row.code, write: row.write, protection: row.protection, instructionFetch: row.instructionFetch, user: false, description: row.description });
  });
  test('the #PF lines are kept as printed', () => {
    expect(parsePageFaultLines(fixtureLines('x86-null-deref-write-lkdtm.txt')).pageFault?.lines).toEqual([
      '#PF: supervisor write access in kernel mode', '#PF: error_code(0x0002) - not-present page',
    ]);
  });
  test('NX exec attempt line', () => {
    expect(parsePageFaultLines(fixtureLines('x86-exec-nx-page-fault-lkdtm.txt')).execHint).toBe('kernel tried to execute NX-protected page - exploit attempt? (uid: 0)');
  });
  test('the old `#PF error: [normal kernel read fault]` is code 0', () => {
    expect(parseOldPageFaultError(lineOf('x86-old-pf-error-interleaved-cpus.txt', /^#PF error/))).toBe(0);
  });
  test('no page fault in a BUG report', () => {
    expect(parsePageFaultLines(fixtureLines('x86-kernel-bug-invalid-opcode-lkdtm.txt'))).toEqual({});
  });
  test('bits of the error code (table rule check)', () => {
    const pf = decodePageFaultErrorCode(0x15);
    expect([pf.protection, pf.write, pf.user, pf.instructionFetch, pf.reservedBit]).toEqual([true, false, true, true, false]);
    expect(pf.description).toBe('user instruction fetch, permissions violation');
  });
});

describe('classifyFaultAddress', () => {
  test('NULL pointer and field offset', () => {
    expect(classifyFaultAddress('0000000000000000')).toMatchObject({ meaning: 'null-pointer', nullOffset: 0 });
    expect(classifyFaultAddress('0000000000000018')).toMatchObject({ meaning: 'null-pointer', nullOffset: 0x18 });
  });
  test('LIST_POISON1 plus a field offset (arm64 report)', () => {
    const addr = /at virtual address ([0-9a-f]+)/.exec(lineOf('arm64-list-poison-paging-request.txt', /virtual address/))?.[1] ?? '';
    expect(classifyFaultAddress(addr, { arch: 'arm64' })).toMatchObject({ address: 'dead000000000108', meaning: 'poison', poison: 'LIST_POISON1' });
  });
  test('LIST_POISON2 and slab free poison', () => {
    expect(classifyFaultAddress('dead000000000122')).toMatchObject({ meaning: 'poison', poison: 'LIST_POISON2' });
    expect(classifyFaultAddress('6b6b6b6b6b6b6b6b')).toMatchObject({ meaning: 'poison', poison: 'slab free poison 0x6b (POISON_FREE)' });
    expect(classifyFaultAddress('6b6b6b6b6b6b6b73')).toMatchObject({ meaning: 'poison' });
    expect(classifyFaultAddress('a5a5a5a5a5a5a5a5').poison).toBe('slab poison end 0xa5 (POISON_END)');
  });
  test('KASAN shadow of a NULL pointer (x86 non-canonical GPF address)', () => {
    const got = classifyFaultAddress('dffffc0000000003', { arch: 'x86_64' });
    expect(got).toMatchObject({ meaning: 'null-pointer', nullOffset: 0x18 });
  });
  test('KASAN shadow on arm64: `dfffa00000000003` is NULL + 0x18 (x0 = 0x18 in the same report)', () => {
    expect(classifyFaultAddress('dfffa00000000003', { arch: 'arm64' })).toMatchObject({ meaning: 'null-pointer', nullOffset: 0x18 });
  });
  test('the KASAN range line wins', () => {
    const got = classifyFaultAddress('dffffc0000000000', { arch: 'x86_64', kasanRange: { kind: 'null-ptr-deref', start: '0000000000000000', end: '0000000000000007' } });
    expect(got).toMatchObject({ meaning: 'null-pointer', nullOffset: 0 });
  });
  test('non-canonical, user and kernel space', () => {
    expect(classifyFaultAddress('000f888200000030', { arch: 'x86_64' }).meaning).toBe('non-canonical');
    expect(classifyFaultAddress('0000000100000017', { arch: 'arm64' }).meaning).toBe('user-space');
    expect(classifyFaultAddress('ffff888216edd110', { arch: 'x86_64' }).meaning).toBe('kernel-space');
    expect(classifyFaultAddress('fee00001', { arch: 'arm' }).meaning).toBe('kernel-space');
  });
  test('garbage', () => {
    expect(classifyFaultAddress('(null)').meaning).toBe('unknown');
  });
});

describe('parseArmAbort', () => {
  test('Mem abort info with FSC (6.0 arm64)', () => {
    const got = parseArmAbort(fixtureLines('arm64-paging-request-esr-fsc.txt'));
    expect(got.address).toBe('0000000100000017');
    expect(got.what).toBe('paging request');
    expect(got.details).toEqual({
      esr: '0000000096000005', ec: '0x25', ecName: 'DABT (current EL)', instructionLength: 32,
      fsc: '0x05', fscName: 'level 1 translation fault', write: false,
      esrExplanation: 'data abort in the kernel, read, level 1 translation fault',
    });
  });
  test('Mem abort info interleaved with another driver\'s lines, FSC decoded from the ESR', () => {
    const got = parseArmAbort(fixtureLines('arm64-paging-request-esr-interleaved.txt'));
    expect(got.address).toBe('dfffa00000000003');
    expect(got.details).toMatchObject({ esr: '96000004', fsc: '0x04', fscName: 'level 0 translation fault', write: false, addressRegion: 'between user and kernel address ranges' });
  });
  test('3.18 arm64: the syndrome only in `Internal error: Oops: 96000044`', () => {
    const got = parseArmAbort(fixtureLines('arm64-list-poison-paging-request.txt'));
    expect(got.details).toMatchObject({ esr: '96000044', ec: '0x25', write: true, fscName: 'level 0 translation fault' });
  });
  test('32-bit arm: address, no ESR', () => {
    const got = parseArmAbort(fixtureLines('arm-paging-request-backtrace.txt'));
    expect(got).toEqual({ what: 'paging request', address: 'fee00001', details: {} });
  });
});

describe('parseCodeLine', () => {
  test('x86 bytes with the faulting one marked', () => {
    const got = parseCodeLine(lineOf('x86-null-deref-write-lkdtm.txt', /^Code: /));
    expect(got?.bytes).toHaveLength(64);
    expect(got?.faultIndex).toBe(42);
    expect(got?.bytes.slice(42, 45)).toEqual(['c7', '04', '25']);
  });
  test('a line cut mid-byte (a real line, truncated here) keeps the whole bytes', () => {
    const line = lineOf('x86-null-deref-write-lkdtm.txt', /^Code: /);
    const got = parseCodeLine(line.slice(0, line.indexOf('<c7>') + 2));
    expect(got?.bytes).toHaveLength(42);
    expect(got?.faultIndex).toBeUndefined();
  });
  test('arm64 words', () => {
    expect(parseCodeLine(lineOf('arm64-paging-request-esr-fsc.txt', /^Code: /))).toMatchObject({
      bytes: ['94f84769', 'f94002e8', 'd0024dc0', '91168400', 'f9400d01'], faultIndex: 4,
    });
  });
  test('32-bit arm words', () => {
    expect(parseCodeLine(lineOf('arm-paging-request-backtrace.txt', /^Code: /))?.bytes[4]).toBe('e5c35000');
  });
  test('opcode bytes unavailable: `Code: Bad RIP value.`', () => {
    expect(parseCodeLine(lineOf('x86-null-exec-bad-rip.txt', /^Code: /))).toEqual({ raw: 'Code: Bad RIP value.', bytes: [], unavailable: true });
  });
});
