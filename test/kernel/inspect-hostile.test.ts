/**
 * Damaged and hostile dumps: the inspection commands end in one KtError or answer with the
 * damage listed as partial; never another exception or a hang. The damage is done to the bytes
 * the commands read in a cut real dump (its kept extents).
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { KtError } from '../../src/errors.js';
import { blockedBacktraces, cpuBacktraces, panicBacktrace } from '../../src/kernel/commands/bt.js';
import { filesCommand } from '../../src/kernel/commands/files.js';
import { kmemInfo } from '../../src/kernel/commands/kmem.js';
import { psCommand } from '../../src/kernel/commands/ps.js';
import { sysCommand } from '../../src/kernel/commands/sys.js';
import { KernelView } from '../../src/kernel/kernel-view.js';
import { loadedModules } from '../../src/kernel/loaded.js';
import { openVmcore } from '../../src/vmcore/open-vmcore.js';
import { damageableDump, FIXTURES } from '../vmcore/fixtures.js';

const NAME = 'oom.elf-paging.inspect';

/** The kept extents of a cut fixture and their bytes (where the commands read). */
function keptExtents(name: string): { offset: number; bytes: Buffer }[] {
  const body = gunzipSync(readFileSync(join(FIXTURES, `${name}.cut.gz`)));
  const first = body.indexOf(0x0a);
  const second = body.indexOf(0x0a, first + 1);
  const { extents } = JSON.parse(body.toString('utf8', first + 1, second)) as { extents: [number, number][] };
  let at = second + 1;
  return extents.map(([offset, length]) => {
    const bytes = body.subarray(at, at + length);
    at += length;
    return { offset, bytes };
  });
}

function patch(path: string, offset: number, bytes: Buffer): void {
  const fd = openSync(path, 'r+');
  writeSync(fd, bytes, 0, bytes.length, offset);
  closeSync(fd);
}

/** Every command; returns the KtError code it ended in, or 'ok' / 'partial'. */
function attempt(path: string): string {
  const core = openVmcore(path);
  try {
    const view = new KernelView(core);
    loadedModules(view);
    psCommand(view);
    const panic = panicBacktrace(view);
    cpuBacktraces(view);
    blockedBacktraces(view);
    sysCommand(view);
    kmemInfo(view);
    filesCommand(view, panic.task.pid);
    return view.unknowns.length > 0 ? 'partial' : 'ok';
  } catch (e) {
    if (e instanceof KtError) return e.code;
    throw e;
  } finally {
    core.close();
  }
}

describe('hostile dumps', () => {
  const extents = keptExtents(NAME);

  it('a BTF blob without its magic: KT_E_BAD_DUMP naming BTF', () => {
    const needle = Buffer.from([0x9f, 0xeb, 0x01, 0x00, 0x18, 0x00, 0x00, 0x00]);
    const hit = extents.map((e) => ({ e, at: e.bytes.indexOf(needle) })).find((x) => x.at >= 0);
    expect(hit).toBeDefined();
    const path = damageableDump(NAME);
    patch(path, (hit?.e.offset ?? 0) + (hit?.at ?? 0), Buffer.from([0, 0]));
    expect(() => new KernelView(openVmcore(path))).toThrow(/BTF: no BTF magic \(0xeb9f\)/);
  });

  it.each([1, 2, 3, 4, 5, 6])('random words overwritten (seed %i): an answer, a partial answer or one KtError', (seed) => {
    let state = seed * 2654435761;
    const rand = (n: number): number => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return state % n;
    };
    const path = damageableDump(NAME);
    // Skip the ELF headers and notes (their damage is hostile.test.ts's): hit the kernel's memory.
    const memory = extents.filter((e) => e.offset > 1 << 16);
    for (let i = 0; i < 200; i++) {
      const e = memory[rand(memory.length)] as { offset: number; bytes: Buffer };
      const word = Buffer.alloc(8);
      // Small numbers, kernel-looking pointers and garbage: what sends a walk astray.
      const kind = rand(3);
      word.writeBigUInt64LE(kind === 0 ? BigInt(rand(4096)) : kind === 1 ? 0xffff888000000000n + BigInt(rand(1 << 30)) : BigInt(rand(2 ** 31)) * 0x100000001n);
      patch(path, e.offset + (rand(Math.max(1, e.bytes.length - 8)) & ~7), word);
    }
    expect(['ok', 'partial', 'KT_E_BAD_DUMP', 'KT_E_DUMP_UNSUPPORTED', 'KT_E_USAGE']).toContain(attempt(path));
  });
});

describe('kernels the commands cannot read', () => {
  it('no kallsyms in VMCOREINFO (a kernel before 6.0): KT_E_DUMP_UNSUPPORTED saying so', () => {
    const path = damageableDump(NAME);
    const key = Buffer.from('SYMBOL(kallsyms_names)=');
    const hit = keptExtents(NAME).map((e) => ({ e, at: e.bytes.indexOf(key) })).find((x) => x.at >= 0);
    expect(hit).toBeDefined();
    patch(path, (hit?.e.offset ?? 0) + (hit?.at ?? 0), Buffer.from('SYMBOL(kallsyms_nameX)='));
    expect(attempt(path)).toBe('KT_E_DUMP_UNSUPPORTED');
    expect(() => new KernelView(openVmcore(path))).toThrow(/VMCOREINFO has no kallsyms tables \(kernel 6\.1\.0-57-cloud-amd64; Linux exports them from 6\.0 on\)/);
  });
});
