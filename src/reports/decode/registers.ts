import type { CodeLocation, Registers } from '../crash-report.js';
import { parseInstructionPointer } from './instruction-pointer.js';
import { REGISTER_LAYOUTS } from './register-layouts.js';

const KNOWN_NAMES = new Set(REGISTER_LAYOUTS.flatMap((l) => l.names));

/**
 * One `NAME: value` pair: `RAX: 0000…`, `RSP: 0018:ffff…` (segment first), `FS:  7f…(0000)`, `x9 : …`,
 * `pc : [<8078e15c>]`, `knlGS:0000…`. Every quantifier is bounded and none nests.
 */
const PAIR = /(?:^|\s)([A-Za-z][A-Za-z0-9_]{0,9}) ?:( {0,3})(?:([0-9a-f]{4}):)?(?:\[<)?([0-9a-fA-F]{2,16})(?:>\])?(?:\([0-9a-f]{4}\))?(?=[\s,]|$)/g;
const GPR_LINE = /^GPR(\d\d): {1,2}([0-9a-f ]{8,200})$/;
/** PAIR at the start of a line: a register line starts with one, so most lines are refused here at once. */
const STARTS_WITH_PAIR = new RegExp(PAIR.source.replace(/^\(\?:\^\|\\s\)/, '^'));

export interface RegisterPair {
  name: string;
  value: string;
}

/** Pairs on one register line; empty when the line does not start with a register name. */
export function parseRegisterLine(line: string): RegisterPair[] {
  const t = line.trim();
  const gpr = GPR_LINE.exec(t);
  if (gpr) {
    const first = Number.parseInt(gpr[1] ?? '0', 10);
    return (gpr[2] ?? '')
      .split(/ +/)
      .filter((v) => /^[0-9a-f]{8,16}$/.test(v))
      .map((value, i) => ({ name: `GPR${String(first + i).padStart(2, '0')}`, value }));
  }
  if (!STARTS_WITH_PAIR.test(t)) return [];
  const pairs: RegisterPair[] = [];
  let first = true;
  for (const m of t.matchAll(PAIR)) {
    const name = m[1] ?? '';
    // A register line starts with a register; `foo: bar RAX: 1` is prose.
    if (first && m.index !== 0) return [];
    first = false;
    if (!KNOWN_NAMES.has(name)) continue;
    // Dumps put a blank after the colon (but x86 `GS:`/`knlGS:`); arm's per-frame ` r10:8336a068 r9:…` lines do not.
    if (m[2] === '' && name !== 'knlGS' && name !== 'GS') {
      if (pairs.length === 0) return [];
      continue;
    }
    if (m[3] !== undefined && (name === 'RSP' || name === 'ESP')) pairs.push({ name: 'SS', value: m[3] });
    pairs.push({ name, value: m[4] ?? '' });
  }
  return pairs;
}

interface Block {
  values: Map<string, string>;
  fromRegisterLines: number;
  /** Index of the block's first line. */
  start: number;
  ip?: CodeLocation;
  lr?: CodeLocation;
  ipArch?: Registers['arch'];
  gap: number;
}

export interface ParsedRegisters {
  registers?: Registers;
  /** Instruction pointer / link register printed with the chosen dump. */
  ip?: CodeLocation;
  lr?: CodeLocation;
  /** Index of the chosen dump's first line (its `Code:` line follows). */
  start?: number;
  /** Set when one dump repeats a register with another value: lines of two CPUs interleaved. */
  interleaved: boolean;
}

const IP_NAME: Partial<Record<Registers['arch'], string>> = {
  x86_64: 'RIP', i386: 'EIP', arm64: 'pc', arm: 'pc', riscv: 'epc', powerpc: 'NIP',
};
/** Registers a dump prints before its instruction pointer (arm64 6.x: `pstate:` first). */
const PRINTED_BEFORE_IP = new Set(['pstate']);
const USER_SEGMENTS = new Set(['0033', '0023', '0073', '002b', '007b']);

function archOf(block: Block): Registers['arch'] {
  for (const layout of REGISTER_LAYOUTS) if (layout.markers.some((m) => block.values.has(m))) return layout.arch;
  return block.ipArch ?? 'unknown';
}

function isUserBlock(block: Block): boolean {
  const seg = block.ip?.segment ?? block.values.get('SS');
  return seg !== undefined && USER_SEGMENTS.has(seg);
}

function toRegisters(block: Block): Registers {
  const arch = archOf(block);
  const layout = REGISTER_LAYOUTS.find((l) => l.arch === arch);
  const values: Record<string, string> = {};
  for (const [name, value] of block.values) if (!layout || layout.names.includes(name)) values[name] = value;
  return { arch, values };
}

/**
 * Two printings of one location (arm `PC is at func+0x…` and `pc : [<c0…>]`; riscv `epc : func+0x…` and
 * `epc : ffffffff8…`): the first wins, the second fills what it lacks.
 */
export function mergeLocation(a: CodeLocation | undefined, b: CodeLocation): CodeLocation {
  if (!a) return { ...b };
  const out: CodeLocation = { ...a };
  if (out.address === undefined && b.address !== undefined) out.address = b.address;
  if (out.function === undefined && b.function !== undefined) {
    out.function = b.function;
    if (b.offset !== undefined) out.offset = b.offset;
    if (b.size !== undefined) out.size = b.size;
    if (b.module !== undefined) out.module = b.module;
    if (b.buildId !== undefined) out.buildId = b.buildId;
    out.raw = b.raw;
  }
  if (out.segment === undefined && b.segment !== undefined) out.segment = b.segment;
  return out;
}

/** Lines between register lines before a dump is considered finished (`Code:` sits inside x86 dumps). */
const MAX_GAP = 3;

/**
 * The register dump of a report. A report may hold several (kernel regs, then the user regs at the
 * end of the stack; an NMI backtrace of another CPU): the first kernel-mode dump is returned.
 */
export function parseRegisters(lines: readonly string[]): ParsedRegisters {
  const blocks: Block[] = [];
  let cur: Block | undefined;
  let interleaved = false;
  const open = (start: number): Block => {
    const b: Block = { values: new Map(), fromRegisterLines: 0, start, gap: 0 };
    blocks.push(b);
    return b;
  };
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? '';
    const ipLine = parseInstructionPointer(line);
    if (ipLine) {
      // An instruction pointer after register lines starts the next dump (kernel, then user regs),
      // unless those lines are the few printed before it (arm64 `pstate:`).
      if (!cur || (ipLine.ip && cur.fromRegisterLines > 0 && [...cur.values.keys()].some((n) => !PRINTED_BEFORE_IP.has(n)))) cur = open(index);
      cur.gap = 0;
      if (ipLine.ip) cur.ip = mergeLocation(cur.ip, ipLine.ip);
      cur.ipArch ??= ipLine.arch;
      if (ipLine.lr) cur.lr = mergeLocation(cur.lr, ipLine.lr);
      const ipName = IP_NAME[ipLine.arch];
      if (ipName && ipLine.ip?.address !== undefined && !cur.values.has(ipName)) cur.values.set(ipName, ipLine.ip.address);
      if (ipLine.lr?.address !== undefined && !cur.values.has('lr') && !cur.values.has('ra')) {
        cur.values.set(ipLine.arch === 'riscv' ? 'ra' : 'lr', ipLine.lr.address);
      }
    }
    const pairs = parseRegisterLine(line);
    if (pairs.length === 0) {
      if (!ipLine && cur && ++cur.gap > MAX_GAP && cur.fromRegisterLines > 0) cur = undefined;
      continue;
    }
    cur ??= open(index);
    cur.gap = 0;
    cur.fromRegisterLines++;
    for (const { name, value } of pairs) {
      const had = cur.values.get(name);
      if (had === undefined) cur.values.set(name, value);
      else if (had !== value && !(ipLine && (name === IP_NAME[ipLine.arch] || name === 'lr' || name === 'ra'))) interleaved = true;
    }
  }
  const withRegs = blocks.filter((b) => b.fromRegisterLines > 0);
  const chosen = withRegs.find((b) => !isUserBlock(b)) ?? withRegs[0];
  if (!chosen) return { interleaved };
  const out: ParsedRegisters = { registers: toRegisters(chosen), interleaved, start: chosen.start };
  if (chosen.ip) out.ip = chosen.ip;
  if (chosen.lr) out.lr = chosen.lr;
  return out;
}
