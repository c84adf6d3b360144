/** Code: bytes of real oopses disassembled with Capstone, the faulting instruction explained. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/cli/analyze-command.js';
import { fixture } from './helpers.js';

async function firstWithCode(file: string) {
  const result = await analyze({ inputs: [file], inputFormat: 'auto', format: 'json', knownIssues: [], exitCode: false, color: false, disassemble: true });
  return result.reports.find((r) => r.code?.disassembly);
}

describe('disassembly of Code: bytes', () => {
  it('x86-64 lkdtm ACCESS_NULL: mov from absolute address 0 is the NULL dereference', async () => {
    const r = await firstWithCode(fixture('lkdtm-access-null-console.log'));
    const d = r?.code?.disassembly;
    const faulting = d?.instructions.find((i) => i.faulting);
    expect(faulting).toEqual({ offset: 0, bytes: '48 8b 1c 25 00 00 00 00', text: 'movq 0, %rbx', faulting: true });
    // The bytes before the marked one decode onto it: the instruction just before is the call.
    expect(d?.instructions.find((i) => i.offset < 0 && i.offset + i.bytes.split(' ').length === 0)?.text).toMatch(/^call/);
    expect(d?.explanation).toBe('`movq 0, %rbx` reads memory at absolute address 0: address 0x0, the faulting address — a NULL pointer dereference');
  });

  it('x86-64 lkdtm BUG: ud2 is the BUG() trap', async () => {
    const r = await firstWithCode(fixture('lkdtm-bug-console.log'));
    expect(r?.code?.disassembly?.instructions.find((i) => i.faulting)?.text).toBe('ud2');
    expect(r?.code?.disassembly?.explanation).toContain('BUG() and WARN()');
  });

  it('arm64: the load through x8 = 0xffffffff hits the fault address', async () => {
    const r = await firstWithCode(path.join(import.meta.dirname, '../fixtures/reports/arm64-lockdep-nested-lock-then-paging-request.log'));
    expect(r?.code?.disassembly?.arch).toBe('arm64');
    expect(r?.code?.disassembly?.instructions.find((i) => i.faulting)?.text).toBe('ldr x1, [x8, #0x18]');
    expect(r?.code?.disassembly?.explanation).toBe('`ldr x1, [x8, #0x18]` reads memory at [x8, #0x18] with x8 = 00000000ffffffff: address 0x100000017, the faulting address');
  });
});
