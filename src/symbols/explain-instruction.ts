import type { CrashReport } from '../reports/crash-report.js';

/** AT&T register names → the name the kernel prints the 64-bit register under. */
const X86_REGISTER: Record<string, string> = {};
for (const [r64, ...aliases] of [
  ['RAX', 'rax', 'eax', 'ax', 'al'], ['RBX', 'rbx', 'ebx', 'bx', 'bl'], ['RCX', 'rcx', 'ecx', 'cx', 'cl'], ['RDX', 'rdx', 'edx', 'dx', 'dl'],
  ['RSI', 'rsi', 'esi', 'si', 'sil'], ['RDI', 'rdi', 'edi', 'di', 'dil'], ['RBP', 'rbp', 'ebp', 'bp', 'bpl'], ['RSP', 'rsp', 'esp', 'sp', 'spl'],
] as const) for (const a of aliases) X86_REGISTER[a] = r64;
for (let n = 8; n <= 15; n++) for (const s of ['', 'd', 'w', 'b']) X86_REGISTER[`r${n}${s}`] = `R${n}`;

const MASK64 = (1n << 64n) - 1n;

interface MemoryOperand {
  text: string;
  disp: bigint;
  base?: string;
  index?: string;
  scale: bigint;
}

/** Splits AT&T operands at top-level commas (not those inside parentheses). */
function operands(opStr: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of opStr) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** `-0x28` as -40n: BigInt() takes a sign only on decimal text, and disassemblers print negative hex displacements. */
function signedBigInt(text: string): bigint {
  return text.startsWith('-') ? -BigInt(text.slice(1)) : BigInt(text);
}

function parseX86Memory(op: string): MemoryOperand | undefined {
  const m = /^(?:%\w+:)?(-?0x[0-9a-f]+|-?\d+)?\((%\w+)?(?:,\s*(%\w+))?(?:,\s*(\d+))?\)$/.exec(op);
  if (m) {
    const out: MemoryOperand = { text: op, disp: m[1] ? signedBigInt(m[1]) : 0n, scale: BigInt(m[4] ?? 1) };
    if (m[2]) out.base = m[2].slice(1);
    if (m[3]) out.index = m[3].slice(1);
    return out;
  }
  // A bare number in AT&T is an absolute memory address (`movq 0, %rbx`).
  if (/^(?:%\w+:)?(-?0x[0-9a-f]+|-?\d+)$/.test(op)) return { text: `absolute address ${op}`, disp: signedBigInt(op.replace(/^%\w+:/, '')), scale: 1n };
  return undefined;
}

function registerValue(report: CrashReport, name: string): bigint | undefined {
  const values = report.registers?.values ?? {};
  const key = X86_REGISTER[name] ?? name;
  const v = values[key] ?? values[key.toLowerCase()] ?? values[key.toUpperCase()];
  return v !== undefined && /^[0-9a-fA-F]+$/.test(v) ? BigInt(`0x${v}`) : undefined;
}

const hex = (v: bigint): string => (v < 0n ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`);

/** One sentence on what the faulting x86-64 instruction (AT&T text) did, or undefined. */
export function explainX86(text: string, report: CrashReport): string | undefined {
  const [mnemonic = '', ...rest] = text.split(' ');
  if (mnemonic === 'ud2') return '`ud2`: the trap BUG() and WARN() plant on purpose; the report names the source line that hit it';
  const ops = operands(rest.join(' '));
  const memIndex = ops.findIndex((o) => parseX86Memory(o) !== undefined);
  if (memIndex < 0) return undefined;
  const mem = parseX86Memory(ops[memIndex] as string) as MemoryOperand;
  const writes = memIndex === ops.length - 1 && ops.length > 1 && !/^(cmp|test|bt)/.test(mnemonic);
  const verb = writes ? 'writes' : 'reads';
  const parts: string[] = [];
  let address = mem.disp;
  const regs: string[] = [];
  for (const [reg, mul] of [[mem.base, 1n], [mem.index, mem.scale]] as const) {
    if (!reg) continue;
    if (reg === 'rip') return `\`${text}\` ${verb} memory relative to the instruction pointer`;
    const v = registerValue(report, reg);
    if (v === undefined) return `\`${text}\` ${verb} memory at ${mem.text}`;
    regs.push(`${X86_REGISTER[reg] ?? reg} = ${v.toString(16).padStart(16, '0')}`);
    address += v * mul;
  }
  address &= MASK64;
  parts.push(`\`${text}\` ${verb} memory at ${mem.text}${regs.length ? ` with ${regs.join(', ')}` : ''}: address ${hex(address)}`);
  const fault = report.faultAddress?.address;
  if (fault !== undefined && /^[0-9a-fA-F]+$/.test(fault)) {
    parts.push(BigInt(`0x${fault}`) === address ? 'the faulting address' : `(the fault address is ${hex(BigInt(`0x${fault}`))})`);
  }
  const baseValue = mem.base ? registerValue(report, mem.base) : 0n;
  if ((baseValue === 0n || !mem.base) && !mem.index && address < 0x1000n) {
    parts.push(mem.base ? `— ${X86_REGISTER[mem.base] ?? mem.base} is NULL: a NULL pointer dereference of the field at offset ${hex(mem.disp)}` : '— a NULL pointer dereference');
  } else if (report.faultAddress && report.faultAddress.meaning !== 'kernel-space' && report.faultAddress.meaning !== 'unknown') {
    parts.push(`— ${report.faultAddress.explanation}`);
  }
  return parts.join(', ').replace(/, —/, ' —');
}

/** The same for an arm64 instruction (`ldr x0, [x1, #0x18]`). */
export function explainArm64(text: string, report: CrashReport): string | undefined {
  const m = /^(\w+)\s.*\[(\w+)(?:,\s*#(-?0x[0-9a-f]+|-?\d+))?\]/.exec(text);
  if (!m) return /^brk\b/.test(text) ? '`brk`: the trap BUG() and WARN() plant on purpose; the report names the source line that hit it' : undefined;
  const [, mnemonic = '', reg = '', imm] = m;
  const verb = /^st/.test(mnemonic) ? 'writes' : 'reads';
  const v = registerValue(report, reg);
  const disp = imm ? signedBigInt(imm) : 0n;
  if (v === undefined) return `\`${text}\` ${verb} memory at [${reg}${imm ? `, #${imm}` : ''}]`;
  const address = (v + disp) & MASK64;
  let s = `\`${text}\` ${verb} memory at [${reg}${imm ? `, #${imm}` : ''}] with ${reg} = ${v.toString(16).padStart(16, '0')}: address ${hex(address)}`;
  const fault = report.faultAddress?.address;
  if (fault !== undefined && /^[0-9a-fA-F]+$/.test(fault)) s += BigInt(`0x${fault}`) === address ? ', the faulting address' : ` (the fault address is ${hex(BigInt(`0x${fault}`))})`;
  if (v === 0n) s += ` — ${reg} is NULL: a NULL pointer dereference of the field at offset ${hex(disp)}`;
  return s;
}
