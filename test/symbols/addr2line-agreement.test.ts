import { describe, expect, it } from 'vitest';
import { SymbolFile, formatAddr2Line } from '../../src/symbols/symbol-file.js';
import { fixture, lkdtm, readAddr2LineOutput } from './helpers.js';

const OPTS = { functions: true, inlines: true, pretty: false };

/** Every address of a fixture, answered by us and by GNU addr2line 2.40 (scripts/make-symbol-fixtures.sh). */
function disagreements(file: SymbolFile, expected: Map<bigint, string>): string[] {
  const bad: string[] = [];
  for (const [address, want] of expected) {
    const got = formatAddr2Line(file.lookup(address), OPTS);
    if (got !== want) bad.push(`0x${address.toString(16)}:\n  addr2line: ${want}  ktriage:   ${got}`);
  }
  return bad;
}

describe('agreement with addr2line -f -i on every .text byte of real binaries', () => {
  for (const name of ['inline-demo-dwarf4', 'inline-demo-dwarf5', 'inline-demo-dwarf5-zlib', 'inline-demo-dwarf5-zstd']) {
    it(name, () => {
      const expected = readAddr2LineOutput(`${name}.addr2line.txt`);
      expect(expected.size).toBeGreaterThan(300);
      // The expected answers come from binutils 2.40, whose DWARF 5 initial-file bug we repeat on request.
      const file = SymbolFile.open(fixture(name), { binutils240: name.includes('dwarf5') });
      expect(disagreements(file, expected)).toEqual([]);
    });
  }

  it('finds the inlined chain weight <- chain_weight <- main', () => {
    const file = SymbolFile.open(fixture('inline-demo-dwarf4'));
    const expected = readAddr2LineOutput('inline-demo-dwarf4.addr2line.txt');
    const chains = [...expected.keys()].map((a) => file.lookup(a).frames.map((f) => f.function).join(' <- '));
    expect(chains).toContain('weight <- chain_weight <- main');
    expect(chains).toContain('checked_div');
  });
});

describe('lkdtm.ko (relocatable: sections laid out and debug relocations applied like binutils)', () => {
  it('agrees with addr2line on every 3rd byte of .text', () => {
    const expected = readAddr2LineOutput('lkdtm.ko.addr2line.txt');
    expect(expected.size).toBeGreaterThan(2000);
    expect(disagreements(lkdtm({ binutils240: true }), expected)).toEqual([]);
  });

  it('resolves the copy_from_user inlined into do_usercopy_stack', () => {
    const info = lkdtm().lookup(0x1a00n);
    expect(info.frames.map((f) => `${f.function} ${f.file?.split('/').pop()}:${f.line}`)).toEqual(['copy_from_user uaccess.h:161', 'do_usercopy_stack usercopy.c:112']);
  });

  it('reads the build id', () => {
    expect(lkdtm().buildId).toBe('c6d0b1e833d78a714ed86bf9996c0031832ce7e5');
  });
});
