/**
 * The inspection commands on cut real dumps (panic lab, Debian 6.1.0-57-cloud-amd64 under QEMU),
 * checked against drgn 0.0.22 with the -dbg vmlinux (scripts/lab/drgn-inspect-truth.py) and
 * against the kernel's own log in the same dump.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { blockedBacktraces, cpuBacktraces, panicBacktrace, pidBacktrace } from '../../src/kernel/commands/bt.js';
import { filesCommand } from '../../src/kernel/commands/files.js';
import { kmemInfo } from '../../src/kernel/commands/kmem.js';
import { psCommand, topRss } from '../../src/kernel/commands/ps.js';
import { structCommand } from '../../src/kernel/commands/struct.js';
import { sysCommand } from '../../src/kernel/commands/sys.js';
import { KernelView } from '../../src/kernel/kernel-view.js';
import { loadedModules } from '../../src/kernel/loaded.js';
import { MODULE_TAINTS } from '../../src/kernel/modules.js';
import { formatDmesg } from '../../src/vmcore/dmesg-text.js';
import { readKernelLog } from '../../src/vmcore/kernel-log.js';
import { openVmcore, type Vmcore } from '../../src/vmcore/open-vmcore.js';
import { drgnFunctions, ourFunctions } from '../vmcore/inspect-compare.mjs';
import { dumpPath, FIXTURES } from '../vmcore/fixtures.js';

interface DrgnFrame { name: string | null; inline: boolean }
interface DrgnTruth {
  tasks: { pid: number; comm: string; ppid: number; state: string; cpu: number; task: string }[];
  modules: { name: string; base: string; size: number; taints: number; module: string }[];
  crashed: { frames: DrgnFrame[] };
  blocked: { pid: number; frames: DrgnFrame[] }[];
}

function drgn(run: string): DrgnTruth {
  return JSON.parse(gunzipSync(readFileSync(join(FIXTURES, `${run}.truth.drgn-inspect.json.gz`))).toString()) as DrgnTruth;
}

const opened: Vmcore[] = [];
afterAll(() => opened.forEach((c) => c.close()));
const views = new Map<string, KernelView>();
function view(name: string): KernelView {
  let v = views.get(name);
  if (!v) {
    const core = openVmcore(dumpPath(name));
    opened.push(core);
    v = new KernelView(core);
    views.set(name, v);
  }
  return v;
}

const DUMPS = [
  { run: 'oom', dump: 'oom.elf-paging.inspect', panicComm: 'dd' },
  { run: 'hung-task', dump: 'hung-task.mdf-d31-lzo.inspect', panicComm: 'khungtaskd' },
  { run: 'sysrq-nokaslr-kdump', dump: 'sysrq-nokaslr-kdump.kdump-mdf-d31-zlib.inspect', panicComm: 'sh' },
];

describe.each(DUMPS)('$dump', ({ run, dump, panicComm }) => {
  it('ps lists the tasks drgn lists (PID, PPID, comm, state, task address), plus the idle task', () => {
    const truth = drgn(run);
    const rows = psCommand(view(dump));
    expect(rows[0]).toMatchObject({ pid: 0, comm: 'swapper/0', kernelThread: true });
    const ours = rows.filter((t) => t.pid !== 0).map((t) => ({ pid: t.pid, ppid: t.ppid, comm: t.comm, state: t.stateLetter, task: `0x${t.address.toString(16)}` }));
    const theirs = truth.tasks.map((t) => ({ pid: t.pid, ppid: t.ppid, comm: t.comm, state: t.state, task: t.task }));
    const byPid = (a: { pid: number }, b: { pid: number }) => a.pid - b.pid;
    expect(ours.sort(byPid)).toEqual(theirs.sort(byPid));
    expect(rows.filter((t) => t.active).map((t) => t.comm)).toEqual([panicComm]);
  });

  it('mod lists the modules drgn lists, with base, size and taints', () => {
    const ours = loadedModules(view(dump)).map((m) => ({
      name: m.name,
      base: `0x${m.base.toString(16)}`,
      size: m.size,
      taints: MODULE_TAINTS.filter((t) => m.taints.includes(t.letter)).reduce((n, t) => n + 2 ** t.bit, 0),
      module: `0x${m.address.toString(16)}`,
    }));
    expect(ours).toEqual(drgn(run).modules);
    expect(ours.map((m) => m.name)).toEqual(['lkdtm', 'pvpanic_mmio', 'pvpanic', 'qemu_fw_cfg']);
    expect(loadedModules(view(dump))[0]).toMatchObject({ taints: 'OE', taintMeanings: ['out-of-tree', 'unsigned'] });
  });

  it("bt of the panic task has drgn's function sequence (inlined frames aside)", () => {
    const bt = panicBacktrace(view(dump));
    expect(bt.task.comm).toBe(panicComm);
    expect(bt.stopped).toBeUndefined();
    expect(ourFunctions(bt.frames)).toEqual(drgnFunctions(drgn(run).crashed.frames));
    expect(cpuBacktraces(view(dump)).map((b) => b.task.pid)).toEqual([bt.task.pid]);
  });

  it('foreach: the D-state tasks unwind as drgn unwinds them', () => {
    const ours = blockedBacktraces(view(dump)).map((b) => ({ pid: b.task.pid, frames: ourFunctions(b.frames) }));
    expect(ours).toEqual(drgn(run).blocked.map((b) => ({ pid: b.pid, frames: drgnFunctions(b.frames) })));
  });
});

describe('what each dump shows', () => {
  it('OOM: bt has the page-fault exception frame with its registers, then the user registers of the syscall', () => {
    const bt = panicBacktrace(view('oom.elf-paging.inspect'));
    const fault = bt.frames.find((f) => f.exception);
    expect(fault?.symbol).toBe('clear_user_rep_good');
    expect(fault?.exception?.cs).toBe(0x10n);
    expect(bt.frames.find((f) => f.symbol === 'pvpanic_panic_notify')?.module).toBe('pvpanic');
    expect(bt.userRegisters?.cs).toBe(0x33n);
    expect(bt.userRegisters?.orig_rax).toBe(0n); // read(2): dd reading /dev/zero
  });

  it("OOM: kmem -i agrees with the Mem-Info the kernel printed in the same dump's log", () => {
    const v = view('oom.elf-paging.inspect');
    const log = formatDmesg(readKernelLog(v.core).records, 'vmcore-dmesg').toString('latin1');
    const logged = (key: string): number => Number(new RegExp(`\\b${key}:(\\d+)`).exec(log)?.[1]);
    const rows = new Map(kmemInfo(v).rows.map((r) => [r.label, r.pages]));
    expect(rows.get('FREE')).toBe(logged('free'));
    expect(rows.get('SHARED')).toBe(logged('shmem'));
    expect(rows.get('SLAB')).toBe(logged('slab_reclaimable') + logged('slab_unreclaimable'));
    expect(rows.get('TOTAL MEM')).toBe(23700);
    expect(rows.get('TOTAL SWAP')).toBe(0);
  });

  it('OOM: the largest task by RSS is dd, whose files are what the lab script opened', () => {
    const v = view('oom.elf-paging.inspect');
    const [top] = topRss(v, 3);
    expect(top).toMatchObject({ pid: 112, comm: 'dd' });
    // The kernel's own task dump in the log: `[    112]     0   112   131637    16811 …  dd` (total_vm, rss = get_mm_rss).
    expect(top?.vszPages).toBe(131637);
    expect((top?.rssPages ?? 0) - (top?.rssCachedPages ?? 0)).toBe(16811);
    const files = filesCommand(v, 112);
    expect(files.root).toBe('/');
    expect(files.files.map((f) => [f.fd, f.type, f.path])).toEqual([[0, 'CHR', '/dev/zero'], [1, 'CHR', '/dev/null'], [2, 'CHR', '/dev/console']]);
  });

  it('HUNG_TASK: ps --state D is the task stuck in lkdtm, bt PID gives its trace', () => {
    const v = view('hung-task.mdf-d31-lzo.inspect');
    expect(psCommand(v, { state: 'D' }).map((t) => [t.pid, t.comm, t.state])).toEqual([[112, 'sh', 'UN']]);
    expect(psCommand(v, { state: 'UN' })).toHaveLength(1);
    expect(ourFunctions(pidBacktrace(v, 112).frames).slice(0, 3)).toEqual(['__schedule', 'schedule', 'direct_entry']);
  });

  it('sys: release, uptime and memory of the machine', () => {
    const s = sysCommand(view('sysrq-nokaslr-kdump.kdump-mdf-d31-zlib.inspect'));
    expect(s).toMatchObject({ cpus: 1, tasks: 48, release: '6.1.0-57-cloud-amd64', machine: 'x86_64', nodename: '(none)' });
    expect(s.version).toContain('Debian 6.1.192-3');
    expect(s.date).toBe('2026-12-08T00:30:55.000Z'); // CRASHTIME of the kdump
  });

  it('struct prints members through BTF: a task_struct has its comm and pid', () => {
    const v = view('sysrq-nokaslr-kdump.kdump-mdf-d31-zlib.inspect');
    const sh = psCommand(v).find((t) => t.comm === 'sh');
    const s = structCommand(v, 'task_struct', sh?.address as bigint);
    expect(s.type).toBe('struct task_struct');
    expect(s.fields.find((f) => f.name === 'comm')?.value).toBe('"sh"');
    expect(s.fields.find((f) => f.name === 'pid')?.value).toBe(String(sh?.pid));
  });
});

describe('the analysis of a dump', () => {
  it('adds the kernel state: panic trace, CPUs, blocked tasks, modules; the largest tasks for an OOM', async () => {
    const { analyze } = await import('../../src/cli/analyze-command.js');
    const run = (path: string) => analyze({ inputs: [path], inputFormat: 'auto', format: 'json', knownIssues: [], exitCode: false, color: false });
    const oom = await run(dumpPath('oom.elf-paging.inspect'));
    const [k] = oom.kernels ?? [];
    expect(k?.panicTask?.comm).toBe('dd');
    expect(k?.panicTask?.frames[0]).toBe('pvpanic_panic_notify+0x60 [pvpanic]');
    expect(k?.panicTask?.frames).toContain('clear_user_rep_good+0xe (exception)');
    expect(k?.largestTasks?.[0]).toMatchObject({ pid: 112, comm: 'dd', vszKiB: 131637 * 4 });
    expect(k?.modules?.map((m) => `${m.name}:${m.taints}`)).toEqual(['lkdtm:OE', 'pvpanic_mmio:', 'pvpanic:', 'qemu_fw_cfg:']);
    const hung = await run(dumpPath('hung-task.mdf-d31-lzo.inspect'));
    expect(hung.kernels?.[0]?.blockedTasks?.map((b) => [b.pid, b.comm, b.state, b.frames[1]])).toEqual([[112, 'sh', 'UN', 'schedule+0x5a']]);
    expect(hung.kernels?.[0]?.largestTasks).toBeUndefined();
    const { renderMarkdown } = await import('../../src/render/markdown-renderer.js');
    const { renderHtml } = await import('../../src/render/html-renderer.js');
    expect(renderMarkdown(hung)).toMatch(/\*\*Blocked \(D state\)\*\*: PID 112 sh on CPU 0 \(UN, task 0x[0-9a-f]+\)\n\n```\n#0 __schedule\+0x[0-9a-f]+\n#1 schedule\+0x5a\n/);
    expect(renderHtml(oom)).toContain('<h3>Largest tasks by RSS</h3>');
    // A dump whose kernel structures were cut away still gets its log analysed, and says why the rest is missing.
    const logOnly = await run(dumpPath('bug.elf'));
    expect(logOnly.reports.length).toBeGreaterThan(0);
    expect(logOnly.kernels?.[0]?.unavailable).toMatch(/kallsyms/);
  });
});

describe('a function without ORC information', () => {
  it('__crash_kexec (kdump): the unwind goes on from the next return address on the stack, marked unreliable', () => {
    const bt = panicBacktrace(view('sysrq-nokaslr-kdump.kdump-mdf-d31-zlib.inspect'));
    expect(bt.registersFrom).toBe('crash_notes');
    expect(bt.frames.slice(0, 3).map((f) => [f.symbol, f.reliable])).toEqual([['__crash_kexec', true], ['panic', false], ['sysrq_handle_crash', true]]);
  });
});
