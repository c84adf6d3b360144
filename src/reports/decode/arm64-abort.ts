import { anyOf } from '../any-of.js';
import type { ReportDetails } from '../crash-report.js';
import { hexToNumber, stripHexPrefix } from './hex.js';
import { esrClass, faultStatusName } from './esr-classes.js';

export interface ArmAbort {
  /** The virtual address of `Unable to handle kernel … at virtual address …`. */
  address?: string;
  /** What the kernel said it could not handle: `paging request`, `NULL pointer dereference`, … */
  what?: string;
  details: ReportDetails;
}

const UNABLE = /^Unable to handle kernel ([a-zA-Z -]{3,60}) at virtual address ([0-9a-fA-Fx]{1,18})/;
const ESR = /^ESR = 0x([0-9a-f]{1,16})/;
const EC = /^EC = 0x([0-9a-f]{1,2}): ([^,]{1,60}), IL = (\d{1,2}) bits/;
const FSC = /^FSC = 0x([0-9a-f]{1,2}): (.{1,80})$/;
const WNR = /\bWnR = ([01])/;
/** arm64 before the `Mem abort info:` lines printed the syndrome only here. */
const INTERNAL_ERROR = /^Internal error: [^:]{1,40}: ([0-9a-f]{8,16}) \[#\d{1,4}\]/;
const BETWEEN_RANGES = /address between user and kernel address ranges$/;
/** Lines none of these can match are passed at once: most of a report (its frames and registers). */
const ANY_ABORT_LINE = anyOf([UNABLE, INTERNAL_ERROR, ESR, EC, FSC, WNR, BETWEEN_RANGES]);

/**
 * arm64/arm `Unable to handle kernel paging request at virtual address …` and the `Mem abort info:`
 * / `Data abort info:` lines (`ESR = 0x96000004`, `EC = 0x25: DABT (current EL), IL = 32 bits`,
 * `FSC = 0x05: level 1 translation fault`, `WnR = 1`). The ESR value alone is decoded when the
 * lines explaining it are missing.
 */
export function parseArmAbort(lines: readonly string[]): ArmAbort {
  const out: ArmAbort = { details: {} };
  const d = out.details;
  let esr: number | undefined;
  let esrLine = false;
  for (const line of lines) {
    const t = line.trim();
    if (!ANY_ABORT_LINE.test(t)) continue;
    const u = out.address === undefined ? UNABLE.exec(t) : null;
    if (u) {
      out.what = u[1] ?? '';
      out.address = stripHexPrefix(u[2] ?? '');
      continue;
    }
    const io = esr === undefined ? INTERNAL_ERROR.exec(t) : null;
    if (io) {
      esr = hexToNumber((io[1] ?? '').slice(-8));
      d.esr = io[1] ?? '';
      continue;
    }
    const e = ESR.exec(t);
    if (e && !esrLine) {
      esrLine = true;
      // The syndrome is the low 32 bits; newer kernels print it 64 bits wide.
      esr = hexToNumber((e[1] ?? '').slice(-8));
      d.esr = stripHexPrefix(e[1] ?? '');
      continue;
    }
    const ec = EC.exec(t);
    if (ec && d.ec === undefined) {
      d.ec = `0x${ec[1] ?? ''}`;
      d.ecName = ec[2] ?? '';
      d.instructionLength = Number(ec[3]);
      continue;
    }
    const fsc = FSC.exec(t);
    if (fsc && d.fsc === undefined) {
      d.fsc = `0x${fsc[1] ?? ''}`;
      d.fscName = (fsc[2] ?? '').trim();
      continue;
    }
    const w = t.startsWith('CM = ') || t.includes('WnR =') ? WNR.exec(t) : null;
    if (w && d.write === undefined) d.write = w[1] === '1';
    if (BETWEEN_RANGES.test(t)) d.addressRegion = 'between user and kernel address ranges';
  }
  if (esr !== undefined) explainEsr(esr, d);
  return out;
}

/** Fill what the ESR value says and the lines did not, then one sentence for the reader. */
function explainEsr(esr: number, d: ReportDetails): void {
  const ec = (esr >>> 26) & 0x3f;
  const row = esrClass(ec);
  d.ec ??= `0x${ec.toString(16).padStart(2, '0')}`;
  if (row) d.ecName ??= row.name;
  if (row?.abort) {
    const fsc = esr & 0x3f;
    d.fsc ??= `0x${fsc.toString(16).padStart(2, '0')}`;
    const name = faultStatusName(fsc);
    if (name) d.fscName ??= name;
    if (row.abort === 'data') d.write ??= ((esr >>> 6) & 1) === 1;
  }
  const access = row?.abort === 'data' ? (d.write === true ? 'write' : 'read') : row?.abort === 'instruction' ? 'instruction fetch' : '';
  const parts = [row?.meaning ?? `exception class ${String(d.ec)}`];
  if (access) parts.push(access);
  if (typeof d.fscName === 'string') parts.push(d.fscName);
  d.esrExplanation = parts.join(', ');
}
