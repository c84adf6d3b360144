/**
 * A dump goes through the same analysis as any log: the oops decoded from the dump's ring is the
 * one decoded from the serial console of the same crash, and the registers the crash kernel
 * saved (PRSTATUS) are the ones the oops printed.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/cli/analyze-command.js';
import type { CrashReport } from '../../src/reports/crash-report.js';
import { readKernelLog } from '../../src/vmcore/kernel-log.js';
import { openVmcore } from '../../src/vmcore/open-vmcore.js';
import { vmcoreFacts } from '../../src/vmcore/vmcore-info.js';
import { openVmcoreLog } from '../../src/vmcore/vmcore-log.js';
import { dumpPath, LOG_FIXTURES } from './fixtures.js';

async function reportsOf(path: string): Promise<CrashReport[]> {
  const result = await analyze({ inputs: [path], inputFormat: 'auto', format: 'json', knownIssues: [], exitCode: false, color: false });
  return result.reports;
}

/** What a report says about the crash, without where in which file it was read. */
function decoded(r: CrashReport) {
  return {
    kind: r.kind,
    title: r.title,
    header: r.header,
    culprit: r.culprit,
    ts: r.ts,
    cpu: r.cpu,
    pid: r.pid,
    comm: r.comm,
    taint: r.taint,
    kernel: r.kernel,
    hardware: r.hardware,
    ip: r.ip,
    registers: r.registers,
    faultAddress: r.faultAddress,
    pageFault: r.pageFault,
    code: r.code,
    frames: r.stacks.map((s) => s.frames.map((f) => f.raw ?? JSON.stringify(f))),
    modules: r.modules,
    panic: r.panic,
  };
}

describe('analysis of a dump', () => {
  it.each([
    ['bug.elf', 'lab-bug-console.log'],
    ['bug.mdf-d31-lzo', 'lab-bug-console.log'],
    ['bug.kdump-zlib', 'lab-bug-console.log'],
  ])('%s: `analyze` sniffs the dump and decodes the oops the console showed (%s)', async (dump, console) => {
    const fromDump = await reportsOf(dumpPath(dump));
    const fromConsole = await reportsOf(join(LOG_FIXTURES, console));
    expect(fromDump.map((r) => r.title)).toEqual(['kernel BUG in lkdtm_BUG', 'kernel panic: Fatal exception']);
    expect(fromDump.map(decoded)).toEqual(fromConsole.map(decoded));
  });

  it('kdump: the oops of the dump equals the console one, and PRSTATUS holds the registers it printed', async () => {
    const path = dumpPath('exception-kdump.kdump-mdf-d31-zlib');
    const fromDump = await reportsOf(path);
    const fromConsole = (await reportsOf(join(LOG_FIXTURES, 'lab-exception-kdump-console.log'))).slice(0, fromDump.length);
    expect(fromDump[0]?.title).toBe('BUG: unable to handle kernel NULL pointer dereference in lkdtm_EXCEPTION');
    expect(fromDump.map(decoded)).toEqual(fromConsole.map(decoded));

    const core = openVmcore(path);
    const facts = vmcoreFacts(core, readKernelLog(core));
    core.close();
    const printed = fromDump[0]?.registers?.values ?? {};
    const saved = facts.cpus[0]?.registers ?? {};
    for (const [name, value] of Object.entries({ RAX: 'rax', RBX: 'rbx', RCX: 'rcx', RDX: 'rdx', RSI: 'rsi', RDI: 'rdi', RBP: 'rbp', RSP: 'rsp', R08: 'r8', R12: 'r12', R15: 'r15' })) {
      expect(saved[value], name).toBe(printed[name]);
    }
    expect(saved['rip']).toBe('ffffffffc03f84a5'); // lkdtm_EXCEPTION+0x5 with lkdtm at its KASLR place
  });

  it('the LogLines of a dump carry what the text does not show: seq, level, caller id', async () => {
    const log = await openVmcoreLog(dumpPath('bug.mdf-d31-lzo'));
    const lines = [];
    for await (const line of log.lines) lines.push(line);
    const bug = lines.find((l) => l.text.startsWith('kernel BUG at drivers/misc/lkdtm/bugs.c:78!'));
    expect(bug).toMatchObject({ level: 2, facility: 0, caller: 'T112', ts: 4.05372 });
    expect(lines[0]).toMatchObject({ seq: 0, caller: 'T0', text: expect.stringMatching(/^Linux version 6\.1\.0-56-cloud-amd64 /) });
    // Lines of one multi-line record share its sequence number; records follow one another.
    const seqs = [...new Set(lines.map((l) => l.seq))];
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i));
    expect(log.stats.lines).toBe(410);
  });

  it('vmcore info: release, build id, crash time, KASLR offset, CPUs and the panic message', () => {
    const core = openVmcore(dumpPath('exception-kdump.kdump-mdf-d31-zlib'));
    const facts = vmcoreFacts(core, readKernelLog(core));
    core.close();
    expect(facts).toMatchObject({
      format: 'kdump-compressed',
      compression: 'zlib',
      release: '6.1.0-56-cloud-amd64',
      buildId: '3b43fad5034874490492495d552c0af6a5fab235',
      crashTime: '2026-11-23T00:31:31.000Z',
      pageSize: 4096,
      kaslrOffset: '0x34600000',
      physBase: '0xffffffffd3600000', // NUMBER(phys_base)=-748683264, printed with %ld
      pagingLevels: 4,
      logRecords: 396,
      panicMessage: 'BUG: kernel NULL pointer dereference, address: 0000000000000000',
    });
    expect(facts.cpus).toHaveLength(1);
    expect(facts.cpus[0]?.pid).toBe(115);
    expect(facts.container['dump level']).toBe(31);
    expect(facts.partial).toBeUndefined();
  });

  it('vmcore info of a QEMU dump: no crash time (no kdump), the panic line', () => {
    const core = openVmcore(dumpPath('bug.elf'));
    const facts = vmcoreFacts(core, readKernelLog(core));
    core.close();
    expect(facts.crashTime).toBeUndefined();
    expect(facts.panicMessage).toBe('Kernel panic - not syncing: Fatal exception');
    expect(facts.container).toMatchObject({ e_phoff: 192, 'PT_LOAD segments': 2, 'PT_LOADs with virtual addresses': 0 });
  });
});
