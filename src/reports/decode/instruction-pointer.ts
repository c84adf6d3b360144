import { rowsByFirstChar } from '../any-of.js';
import type { CodeLocation, Registers } from '../crash-report.js';
import { parseCodeLocation } from './code-location.js';

export interface InstructionPointerLine {
  arch: Registers['arch'];
  ip?: CodeLocation;
  lr?: CodeLocation;
}

interface IpRow {
  /** Matched at the start of the trimmed line; group 1 is an optional x86 segment selector. */
  prefix: RegExp;
  arch: Registers['arch'];
  role: 'ip' | 'lr';
}

/** Where each architecture prints its instruction pointer (and link register). */
const IP_ROWS: readonly IpRow[] = [
  { prefix: /^RIP: (?:([0-9a-f]{4}):)?/, arch: 'x86_64', role: 'ip' },
  { prefix: /^RIP {1,2}(?=\[<)/, arch: 'x86_64', role: 'ip' },
  // Before 4.x the page-fault report named the faulting instruction `IP: [<ffffffff810a376f>] func+0x1f/0x280`.
  { prefix: /^IP: (?=\[<)/, arch: 'x86_64', role: 'ip' },
  { prefix: /^IP: /, arch: 'x86_64', role: 'ip' },
  { prefix: /^EIP: (?:([0-9a-f]{4}):)?/, arch: 'i386', role: 'ip' },
  { prefix: /^EIP is at /, arch: 'i386', role: 'ip' },
  { prefix: /^pc ?: /, arch: 'arm64', role: 'ip' },
  { prefix: /^lr ?: /, arch: 'arm64', role: 'lr' },
  { prefix: /^PC is at /, arch: 'arm', role: 'ip' },
  { prefix: /^LR is at /, arch: 'arm', role: 'lr' },
  { prefix: /^NIP:? {1,2}/, arch: 'powerpc', role: 'ip' },
  { prefix: /^LR \[/, arch: 'powerpc', role: 'lr' },
  { prefix: /^epc ?: /, arch: 'riscv', role: 'ip' },
  { prefix: /^ra ?: /, arch: 'riscv', role: 'lr' },
];

const ipRowsFor = rowsByFirstChar(IP_ROWS, (row) => row.prefix);

/** Fields that may follow the location on the same line. */
const TRAILERS = [' RSP:', ' RSP ', ' EFLAGS:', ' lr :', ' lr:', ' psr:', ' pstate:', ' ra :', ' sp :', ' CTR:', ' LR:', ' SS:ESP', ' CPU:'];

function cutAtTrailer(text: string): { head: string; tail: string } {
  let at = text.length;
  for (const t of TRAILERS) {
    const i = text.indexOf(t);
    if (i >= 0 && i < at) at = i;
  }
  return { head: text.slice(0, at), tail: text.slice(at) };
}

function locate(text: string, segment: string | undefined, arch: Registers['arch']): CodeLocation | undefined {
  // ppc `NIP [c000…] func+0x…`: `[c000…]` is the address, like x86's `[<…>]`.
  const loc = parseCodeLocation(text);
  if (!loc) return undefined;
  if (segment !== undefined && (arch === 'x86_64' || arch === 'i386')) loc.segment = segment;
  return loc;
}

/**
 * The instruction pointer (and link register) a line names: x86 `RIP: 0010:func+0x12/0x30 [mod]`,
 * `RIP: 0033:0x7f…`, i386 `EIP:`, arm64 `pc : …`/`lr : …`, arm `PC is at …`, powerpc `NIP [c…] func…`,
 * riscv `epc : …`/` ra : …`.
 */
export function parseInstructionPointer(line: string): InstructionPointerLine | undefined {
  const t = line.trim();
  for (const row of ipRowsFor(t)) {
    const m = row.prefix.exec(t);
    if (!m) continue;
    const { head, tail } = cutAtTrailer(t.slice(m[0].length));
    const loc = locate(head, m[1], row.arch);
    if (!loc) return undefined;
    const out: InstructionPointerLine = { arch: row.arch };
    out[row.role] = loc;
    // arm/arm64 `pc : [<…>] lr : [<…>] psr: …` and riscv `epc : … ra : … sp : …` carry both.
    const second = /^ (?:lr|ra) ?: /.exec(tail);
    if (row.role === 'ip' && second) {
      const lr = locate(cutAtTrailer(tail.slice(second[0].length)).head, undefined, row.arch);
      if (lr) out.lr = lr;
    }
    if (row.arch === 'arm64' && /psr: /.test(tail)) out.arch = 'arm';
    return out;
  }
  return undefined;
}
