import type { CodeDisassembly, CrashReport } from '../reports/crash-report.js';
import { explainX86, explainArm64 } from './explain-instruction.js';

type Capstone = Awaited<ReturnType<typeof import('@alexaltea/capstone-js').default>>;
let capstone: Promise<Capstone> | undefined;

/** Capstone (WebAssembly, ~3 MB) is loaded on first use only. */
function loadCapstone(): Promise<Capstone> {
  capstone ??= import('@alexaltea/capstone-js').then((m) => m.default());
  return capstone;
}

/**
 * Disassembles a report's `Code:` bytes with Capstone, marks the faulting instruction and
 * explains it with the report's registers. The bytes before the marked one may start in the
 * middle of an instruction: like the kernel's `decodecode`, we take the earliest start that
 * decodes cleanly onto the marked byte. Undefined when there are no usable bytes.
 */
export async function disassembleCode(report: CrashReport): Promise<CodeDisassembly | undefined> {
  const code = report.code;
  const arch = report.registers?.arch;
  if (!code || code.unavailable || code.bytes.length === 0 || code.faultIndex === undefined) return undefined;
  if (arch !== 'x86_64' && arch !== 'arm64') return undefined;
  const cs = await loadCapstone();
  if (arch === 'arm64') {
    // Instruction words, printed as numbers: little-endian bytes in memory.
    const words = code.bytes.filter((w) => w.length === 8);
    const bytes = words.flatMap((w) => [6, 4, 2, 0].map((i) => Number.parseInt(w.slice(i, i + 2), 16)));
    const d = new cs.Capstone(cs.ARCH_ARM64, cs.MODE_ARM);
    try {
      const base = code.faultIndex * 4;
      const instructions = decode(d, bytes, 0).map((i) => ({
        offset: Number(i.address) - base,
        bytes: hex(i.bytes),
        text: `${i.mnemonic} ${i.op_str}`.trim(),
        faulting: Number(i.address) === base,
      }));
      const out: CodeDisassembly = { arch: 'arm64', instructions };
      const faulting = instructions.find((i) => i.faulting);
      const explanation = faulting && explainArm64(faulting.text, report);
      if (explanation) out.explanation = explanation;
      return out;
    } finally {
      d.close();
    }
  }
  const bytes = code.bytes.map((b) => Number.parseInt(b, 16));
  const d = new cs.Capstone(cs.ARCH_X86, cs.MODE_64);
  d.option(cs.OPT_SYNTAX, cs.OPT_SYNTAX_ATT);
  try {
    const fault = code.faultIndex;
    let best = decode(d, bytes.slice(fault), 0).map((i) => ({ ...i, at: Number(i.address) }));
    for (let start = 0; start < fault; start++) {
      const insns = decode(d, bytes.slice(start), 0).map((i) => ({ ...i, at: Number(i.address) + start - fault }));
      if (insns.some((i) => i.at === 0) && insns.filter((i) => i.at < 0).every((i) => !/^\(bad\)|^\.byte/.test(i.mnemonic))) {
        best = insns;
        break;
      }
    }
    const instructions = best.map((i) => ({ offset: i.at, bytes: hex(i.bytes), text: `${i.mnemonic} ${i.op_str}`.trim(), faulting: i.at === 0 }));
    const out: CodeDisassembly = { arch: 'x86-64', instructions };
    const faulting = instructions.find((i) => i.faulting);
    const explanation = faulting && explainX86(faulting.text, report);
    if (explanation) out.explanation = explanation;
    return out;
  } finally {
    d.close();
  }
}

/** Capstone throws when not one instruction decodes: that is just an empty answer. */
function decode(d: { disasm(bytes: number[], address: number): CapstoneInstruction[] }, bytes: number[], address: number): CapstoneInstruction[] {
  try {
    return d.disasm(bytes, address);
  } catch {
    return [];
  }
}

interface CapstoneInstruction {
  address: number | bigint;
  size: number;
  bytes: number[];
  mnemonic: string;
  op_str: string;
}

function hex(bytes: number[]): string {
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** `disassembleCode` for every report with Code: bytes; returns copies. */
export async function disassembleReports(reports: CrashReport[]): Promise<CrashReport[]> {
  const out: CrashReport[] = [];
  for (const r of reports) {
    const disassembly = await disassembleCode(r);
    out.push(disassembly && r.code ? { ...r, code: { ...r.code, disassembly } } : r);
  }
  return out;
}
