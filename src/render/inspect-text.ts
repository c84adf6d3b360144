import type { TaskBacktrace } from '../kernel/commands/bt.js';
import type { TaskFiles } from '../kernel/commands/files.js';
import type { KmemInfo } from '../kernel/commands/kmem.js';
import type { StructDump, StructField } from '../kernel/commands/struct.js';
import type { PsRow } from '../kernel/commands/ps.js';
import type { SysInfo } from '../kernel/commands/sys.js';
import type { LoadedModule } from '../kernel/modules.js';
import type { RegisterSet, StackFrame } from '../kernel/unwind.js';

// The layouts follow crash(8)'s (task.c, x86_64.c, kernel.c) so its users and scripts feel at home.

const hex = (v: bigint | undefined, width = 16): string => (v === undefined ? '?'.repeat(width) : BigInt.asUintN(64, v).toString(16).padStart(width, '0'));

export function renderPs(rows: readonly PsRow[]): string {
  const out = ['      PID    PPID  CPU       TASK        ST  %MEM      VSZ      RSS  COMM'];
  for (const t of rows) {
    const mem = t.kernelThread ? ' 0.0' : t.memPercent === undefined ? '   ?' : t.memPercent.toFixed(1).padStart(4);
    const kib = (pages: number | undefined): string => (pages === undefined ? (t.kernelThread ? '0' : '?') : String(pages * 4)).padStart(8);
    const comm = t.kernelThread ? `[${t.comm}]` : t.comm;
    out.push(`${t.active ? '> ' : '  '}${String(t.pid).padStart(7)} ${String(t.ppid).padStart(7)} ${String(t.cpu).padStart(3)}  ${hex(t.address)} ${t.state.padStart(3)}  ${mem} ${kib(t.vszPages)} ${kib(t.rssPages)}  ${comm}`);
  }
  return `${out.join('\n')}\n`;
}

export function taskHeader(t: { pid: number; address: bigint; cpu: number; comm: string }): string {
  return `PID: ${String(t.pid).padEnd(7)}  TASK: ${hex(t.address)}  CPU: ${String(t.cpu).padEnd(3)}  COMMAND: "${t.comm}"`;
}

export function renderBacktraces(traces: readonly TaskBacktrace[]): string {
  return traces.map(renderBacktrace).join('\n');
}

export function renderBacktrace(bt: TaskBacktrace): string {
  const out = [taskHeader(bt.task)];
  let n = 0;
  for (const f of bt.frames) {
    if (f.exception) {
      out.push(`    [exception RIP: ${frameName(f)}]`, ...registerBlock(f.exception));
      continue;
    }
    const index = n < 10 ? ` #${n}` : `#${n}`;
    n++;
    out.push(`${index} [${hex(f.sp)}] ${f.reliable ? '' : '? '}${frameName(f)} at ${hex(f.ip)}${f.module ? ` [${f.module}]` : ''}`);
  }
  if (bt.userRegisters) out.push(...registerBlock(bt.userRegisters));
  if (bt.stopped) out.push(`    (unwinding stopped: ${bt.stopped})`);
  return `${out.join('\n')}\n`;
}

function frameName(f: StackFrame): string {
  if (f.symbol === undefined) return `0x${hex(f.ip)}`;
  return f.offset ? `${f.symbol}+0x${f.offset.toString(16)}` : f.symbol;
}

function registerBlock(r: RegisterSet): string[] {
  const rows: [string, bigint | undefined, number?][][] = [
    [['RIP', r.rip], ['RSP', r.rsp], ['RFLAGS', r.eflags, 8]],
    [['RAX', r.rax], ['RBX', r.rbx], ['RCX', r.rcx]],
    [['RDX', r.rdx], ['RSI', r.rsi], ['RDI', r.rdi]],
    [['RBP', r.rbp], ['R8', r.r8], ['R9', r.r9]],
    [['R10', r.r10], ['R11', r.r11], ['R12', r.r12]],
    [['R13', r.r13], ['R14', r.r14], ['R15', r.r15]],
    [['ORIG_RAX', r.orig_rax], ['CS', r.cs, 4], ['SS', r.ss, 4]],
  ];
  return rows
    .map((row) => row.filter(([, v]) => v !== undefined))
    .filter((row) => row.length > 0)
    .map((row) => `    ${row.map(([name, v, w]) => `${name.padStart(3)}: ${hex(v, w ?? 16)}`).join('  ')}`);
}

export function renderModules(mods: readonly LoadedModule[]): string {
  const width = Math.max(4, ...mods.map((m) => m.name.length));
  const out = [`     MODULE       ${'NAME'.padEnd(width)}        BASE           SIZE  OBJECT FILE                     TAINTS`];
  for (const m of mods) {
    const taints = m.taints ? `${m.taints} (${m.taintMeanings.join(', ')})` : '-';
    out.push(`${hex(m.address)}  ${m.name.padEnd(width)}  ${hex(m.base)}  ${String(m.size).padStart(7)}  (not loaded)  [CONFIG_KALLSYMS]  ${taints}`);
  }
  return `${out.join('\n')}\n`;
}

export function renderSys(s: SysInfo): string {
  const rows: [string, string | undefined][] = [
    ['KERNEL', "(none: the dump's own kallsyms and BTF)"],
    ['DUMPFILE', s.dumpfile],
    ['CPUS', String(s.cpus)],
    ['DATE', s.date && crashDate(s.date)],
    ['UPTIME', s.uptimeSeconds === undefined ? undefined : uptime(s.uptimeSeconds)],
    ['LOAD AVERAGE', s.loadAverage?.map((v) => v.toFixed(2)).join(', ')],
    ['TASKS', String(s.tasks)],
    ['NODENAME', s.nodename],
    ['RELEASE', s.release],
    ['VERSION', s.version],
    ['MACHINE', s.machine && (s.cpuMhz ? `${s.machine}  (${s.cpuMhz} Mhz)` : s.machine)],
    ['MEMORY', s.memoryBytes === undefined ? undefined : bytes(s.memoryBytes)],
    ['PANIC', s.panic === undefined ? undefined : `"${s.panic}"`],
  ];
  return `${rows.filter(([, v]) => v !== undefined).map(([k, v]) => `${k.padStart(12)}: ${v}`).join('\n')}\n`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function crashDate(iso: string): string {
  const d = new Date(iso);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

function uptime(seconds: number): string {
  const days = Math.floor(seconds / 86400);
  const p = (n: number): string => String(n).padStart(2, '0');
  const hms = `${p(Math.floor((seconds % 86400) / 3600))}:${p(Math.floor((seconds % 3600) / 60))}:${p(seconds % 60)}`;
  return days > 0 ? `${days} days, ${hms}` : hms;
}

/** crash's pages_to_size(): one decimal in the largest unit. */
export function bytes(n: number): string {
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 && Number.isInteger(v) ? `${v} KB` : `${v.toFixed(1)} ${units[u]}`;
}

/** JSON with 64-bit values as `0x…` strings (addresses do not fit a JSON number). */
export function inspectJson(value: unknown): string {
  return `${JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `0x${BigInt.asUintN(64, v).toString(16)}` : v), 2)}\n`;
}

export function renderKmem(k: KmemInfo): string {
  const totals = new Map(k.rows.filter((r) => !r.of).map((r) => [r.label, r.pages]));
  const out = ['                 PAGES        TOTAL      PERCENTAGE'];
  for (const r of k.rows) {
    if (r.group) out.push('');
    const pages = r.pages === undefined ? '?'.padStart(7) : String(r.pages).padStart(7);
    const size = r.pages === undefined ? '?'.padStart(11) : bytes(r.pages * k.pageSize).padStart(11);
    const whole = r.of ? totals.get(r.of === 'TOTAL LIMIT' ? 'COMMIT LIMIT' : r.of) : undefined;
    const share = !r.of ? '         ----' : r.pages === undefined || whole === undefined ? `    ?% of ${r.of}` : `  ${String(whole ? Math.floor((r.pages * 100) / whole) : 0).padStart(3)}% of ${r.of}`;
    out.push(`${r.label.padStart(13)}  ${pages}  ${size}${share}`);
  }
  return `${out.join('\n')}\n`;
}

export function renderFiles(f: TaskFiles): string {
  const out = [taskHeader(f.task), `ROOT: ${f.root ?? '?'}    CWD: ${f.cwd ?? '?'}`, '     FD       FILE            DENTRY           INODE       TYPE PATH'];
  for (const x of f.files) out.push(`${String(x.fd).padStart(7)} ${hex(x.file)} ${hex(x.dentry)} ${hex(x.inode)} ${x.type.padEnd(4)} ${x.path ?? ''}`.trimEnd());
  return `${out.join('\n')}\n`;
}

export function renderStruct(s: StructDump): string {
  const out = [`${s.type} {`];
  const walk = (fields: readonly StructField[], indent: string): void => {
    for (const f of fields) {
      if (typeof f.value === 'string') out.push(`${indent}${f.name} = ${f.value},`);
      else {
        out.push(`${indent}${f.name} = {`);
        walk(f.value, `${indent}  `);
        out.push(`${indent}},`);
      }
    }
  };
  walk(s.fields, '  ');
  out.push('}');
  return `${out.join('\n')}\n`;
}
