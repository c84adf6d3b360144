import { anyOf } from '../any-of.js';
import type { EdacFieldKey, MceRegisterKey, ReportDetails } from '../crash-report.js';
import { hexToBigInt } from './hex.js';
import { MCA_STATUS_BITS, mcaErrorClass } from './mce-codes.js';

const MCE_BANK = /CPU (\d{1,5}): Machine Check(?: Exception| Event)?: ([0-9a-f]{1,16}) Bank (\d{1,3}): ([0-9a-f]{16})/;
const TSC_ADDR_MISC = /(?:^|\s)(TSC|ADDR|MISC|SYND|IPID) ([0-9a-f]{1,16})\b/g;
const PROCESSOR = /PROCESSOR (\d{1,3}:[0-9a-f]{1,8}) TIME (\d{1,12}) SOCKET (\d{1,4}) APIC ([0-9a-f]{1,8})(?: microcode ([0-9a-f]{1,10}))?/;
const EDAC = /^EDAC (\S{1,40}): (\d{1,8}) (CE|UE) (.{1,80}?) on (\S{1,120}) \((.{0,400})\)?/;
const GHES_SEVERITY = /\[Hardware Error\]: {1,4}event severity: (\w{1,20})/;
const GHES_SECTION = /\[Hardware Error\]: {1,8}section_type: (.{1,60})$/;
const GHES_ADDRESS = /\[Hardware Error\]: {1,8}physical_address: 0x([0-9a-f]{1,16})/;
const MCE_REGISTER = /\b(?:TSC|ADDR|MISC) [0-9a-f]/;
/** Lines none of these can match are passed at once: most of a report (its frames and registers). */
const ANY_MCE_LINE = anyOf([MCE_BANK, MCE_REGISTER, PROCESSOR, EDAC, GHES_SEVERITY, GHES_SECTION, GHES_ADDRESS]);

function decodeStatus(status: string, d: ReportDetails): void {
  const v = hexToBigInt(status);
  if (v === undefined) return;
  const set = MCA_STATUS_BITS.filter((b) => ((v >> BigInt(b.bit)) & 1n) === 1n);
  d.mceStatusBits = set.map((b) => b.name).join(',');
  d.mceUncorrected = set.some((b) => b.name === 'UC');
  d.mceProcessorContextCorrupt = set.some((b) => b.name === 'PCC');
  const cls = mcaErrorClass(Number(v & 0xffffn));
  if (cls) d.mceErrorClass = cls;
}

/**
 * Hardware error reports: x86 MCE (`mce: [Hardware Error]: CPU 0: Machine Check Exception: 5 Bank 4:
 * b200000000070005`, `TSC … ADDR … MISC …`, `PROCESSOR 0:50654 TIME … SOCKET 0 APIC 0 microcode …`),
 * firmware GHES/APEI (`[Hardware Error]: event severity: …`) and EDAC
 * (`EDAC MC0: 1 CE memory read error on <DIMM label> (channel:1 slot:0 page:0x… offset:0x… …)`).
 */
export function parseMachineCheck(lines: readonly string[]): ReportDetails {
  const d: ReportDetails = {};
  let ce = 0;
  let ue = 0;
  for (const line of lines) {
    const t = line.trim();
    if (!ANY_MCE_LINE.test(t)) continue;
    const b = d.mceBank === undefined ? MCE_BANK.exec(t) : null;
    if (b) {
      d.mceCpu = Number(b[1]);
      d.mcgStatus = b[2] ?? '';
      d.mceBank = Number(b[3]);
      d.mceStatus = b[4] ?? '';
      decodeStatus(d.mceStatus, d);
      continue;
    }
    if (d.mceBank !== undefined && MCE_REGISTER.test(t)) {
      for (const m of t.matchAll(TSC_ADDR_MISC)) {
        // TSC_ADDR_MISC names only these registers.
        const key = `mce${(m[1] ?? '').charAt(0)}${(m[1] ?? '').slice(1).toLowerCase()}` as MceRegisterKey;
        if (d[key] === undefined) d[key] = m[2] ?? '';
      }
    }
    const p = d.mceProcessor === undefined ? PROCESSOR.exec(t) : null;
    if (p) {
      d.mceProcessor = p[1] ?? '';
      d.mceTime = Number(p[2]);
      d.mceSocket = Number(p[3]);
      d.mceApic = p[4] ?? '';
      if (p[5] !== undefined) d.microcode = p[5];
      continue;
    }
    const e = EDAC.exec(t);
    if (e) {
      const n = Number(e[2]);
      if (e[3] === 'CE') ce += n;
      else ue += n;
      if (d.edacController === undefined) {
        d.edacController = e[1] ?? '';
        d.edacError = e[4] ?? '';
        d.edacLocation = e[5] ?? '';
        for (const kv of (e[6] ?? '').matchAll(/\b(channel|slot|page|offset|grain|syndrome):(0x[0-9a-f]{1,16}|\d{1,10})/g)) {
          const name = kv[1] ?? '';
          // The pattern takes only these names.
          d[`edac${name.charAt(0).toUpperCase()}${name.slice(1)}` as EdacFieldKey] = kv[2] ?? '';
        }
      }
      continue;
    }
    const sev = d.ghesSeverity === undefined ? GHES_SEVERITY.exec(t) : null;
    if (sev) d.ghesSeverity = sev[1] ?? '';
    const sec = d.ghesSection === undefined ? GHES_SECTION.exec(t) : null;
    if (sec) d.ghesSection = (sec[1] ?? '').trim();
    const addr = d.ghesPhysicalAddress === undefined ? GHES_ADDRESS.exec(t) : null;
    if (addr) d.ghesPhysicalAddress = addr[1] ?? '';
  }
  if (ce > 0) d.edacCorrectedErrors = ce;
  if (ue > 0) d.edacUncorrectedErrors = ue;
  return d;
}
