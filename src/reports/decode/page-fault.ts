import { anyOf } from '../any-of.js';
import type { PageFaultErrorCode } from '../crash-report.js';
import { hexToNumber, stripHexPrefix } from './hex.js';
import { pageFaultBit } from './page-fault-bits.js';

const has = (code: number, name: string): boolean => ((code >>> 0) & (pageFaultBit(name)?.mask ?? 0)) !== 0;

/** `#PF: error_code(0x0002) - not-present page`'s second half, in the kernel's own order. */
function faultReason(code: number): string {
  if (!has(code, 'X86_PF_PROT')) return 'not-present page';
  if (has(code, 'X86_PF_RSVD')) return 'reserved bit violation';
  if (has(code, 'X86_PF_PK')) return 'protection keys violation';
  if (has(code, 'X86_PF_RMP')) return 'RMP violation';
  return 'permissions violation';
}

function accessKind(code: number): string {
  if (has(code, 'X86_PF_INSTR')) return 'instruction fetch';
  return has(code, 'X86_PF_WRITE') ? 'write access' : 'read access';
}

/**
 * Decode an x86 page-fault error code. `lines` are the `#PF:` lines as printed; the mode
 * (`in kernel mode`) comes from them when present, since it is not part of the code.
 */
export function decodePageFaultErrorCode(code: number, lines: readonly string[] = []): PageFaultErrorCode {
  const who = has(code, 'X86_PF_USER') ? 'user' : 'supervisor';
  const modeLine = lines.map((l) => /^#PF: .* in (kernel|user) mode/.exec(l.trim())).find((m) => m);
  const mode = modeLine?.[1] !== undefined ? ` in ${modeLine[1]} mode` : '';
  return {
    code,
    protection: has(code, 'X86_PF_PROT'),
    write: has(code, 'X86_PF_WRITE'),
    user: has(code, 'X86_PF_USER'),
    reservedBit: has(code, 'X86_PF_RSVD'),
    instructionFetch: has(code, 'X86_PF_INSTR'),
    protectionKey: has(code, 'X86_PF_PK'),
    shadowStack: has(code, 'X86_PF_SHSTK'),
    sgx: has(code, 'X86_PF_SGX'),
    description: `${who} ${accessKind(code)}${mode}, ${faultReason(code)}`,
    lines: [...lines],
  };
}

/** `#PF error: [PROT] [WRITE]` / `#PF error: [normal kernel read fault]` (before about 4.20). */
export function parseOldPageFaultError(line: string): number | undefined {
  const t = line.trim();
  if (!t.startsWith('#PF error: ')) return undefined;
  let code = 0;
  for (const m of t.matchAll(/\[([A-Z]{2,6})\]/g)) code |= pageFaultBit(m[1] ?? '')?.mask ?? 0;
  return code;
}

export interface PageFaultLines {
  pageFault?: PageFaultErrorCode;
  /** The data address from the `BUG:` line. */
  address?: string;
  /** `null-pointer` when the kernel itself called it a NULL pointer dereference. */
  headerKind?: 'null-pointer' | 'paging-request';
  /** `kernel tried to execute NX-protected page` / `unable to execute userspace code (SMEP?)`. */
  execHint?: string;
}

const ADDRESS_LINES: readonly { re: RegExp; kind: 'null-pointer' | 'paging-request' }[] = [
  { re: /^BUG: kernel NULL pointer dereference, address: ([0-9a-fA-Fx]{1,18})/, kind: 'null-pointer' },
  { re: /^BUG: unable to handle page fault for address: ([0-9a-fA-Fx]{1,18})/, kind: 'paging-request' },
  { re: /^BUG: unable to handle kernel NULL pointer dereference at ([0-9a-fA-Fx]{1,18}|\(null\))/, kind: 'null-pointer' },
  { re: /^BUG: unable to handle kernel paging request at ([0-9a-fA-Fx]{1,18})/, kind: 'paging-request' },
];
const PF_ERROR_CODE = /^#PF: error_code\(0x([0-9a-f]{1,8})\)/;
const LONE_CR2 = /^CR2: ([0-9a-f]{16})$/;
const OOPS_CODE = /^(?:Oops: )?Oops: ([0-9a-f]{4}) \[#\d+\]/;
const EXEC_HINT = /^kernel tried to execute NX-protected page|^unable to execute userspace code \(SMEP\?\)/;
/** Lines none of these can match are passed at once: most of a report (its frames and registers). */
const ANY_PAGE_FAULT_LINE = anyOf([...ADDRESS_LINES.map((l) => l.re), /^#PF/, LONE_CR2, OOPS_CODE, EXEC_HINT]);

/**
 * The x86 page-fault lines of a report: the `BUG:` line with the address, `#PF:` lines (5.1+),
 * `#PF error: […]` (older), or the error code of the `Oops: 0002 [#1]` header as a last resort.
 */
export function parsePageFaultLines(lines: readonly string[]): PageFaultLines {
  const out: PageFaultLines = {};
  const pfLines: string[] = [];
  let code: number | undefined;
  let oopsCode: number | undefined;
  let loneCr2: string | undefined;
  for (const line of lines) {
    const t = line.trim();
    if (!ANY_PAGE_FAULT_LINE.test(t)) continue;
    if (out.address === undefined) {
      for (const { re, kind } of ADDRESS_LINES) {
        const m = re.exec(t);
        if (!m) continue;
        out.address = m[1] === '(null)' ? '0' : stripHexPrefix(m[1] ?? '');
        out.headerKind = kind;
        break;
      }
    }
    if (t.startsWith('#PF: ')) {
      if (pfLines.length < 2) pfLines.push(t);
      const m = PF_ERROR_CODE.exec(t);
      if (m && code === undefined) code = hexToNumber(m[1] ?? '');
    } else if (t.startsWith('#PF error: ')) {
      if (pfLines.length < 2) pfLines.push(t);
      code ??= parseOldPageFaultError(t);
    }
    // x86 repeats the faulting address on a `CR2:` line of its own at the end of a page-fault oops.
    const cr2 = loneCr2 === undefined ? LONE_CR2.exec(t) : null;
    if (cr2) loneCr2 = cr2[1];
    const oops = OOPS_CODE.exec(t);
    if (oops && oopsCode === undefined) oopsCode = hexToNumber(oops[1] ?? '');
    if (out.execHint === undefined && EXEC_HINT.test(t)) {
      out.execHint = t;
    }
  }
  if (out.address === undefined && loneCr2 !== undefined && (code !== undefined || oopsCode !== undefined)) out.address = loneCr2;
  const chosen = code ?? (out.address !== undefined ? oopsCode : undefined);
  if (chosen !== undefined) out.pageFault = decodePageFaultErrorCode(chosen, pfLines);
  return out;
}
