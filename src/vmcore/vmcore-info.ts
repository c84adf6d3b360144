import type { PrintkRecord } from './printk-ringbuffer.js';
import { escapeText } from './dmesg-text.js';
import { cpuRegisters, type CpuRegisters } from './prstatus.js';
import type { Vmcore } from './open-vmcore.js';

/** What `ktriage vmcore info` tells about a dump. */
export interface VmcoreFacts {
  source: string;
  format: string;
  compression: string;
  release?: string;
  buildId?: string;
  /** CRASHTIME as ISO 8601 UTC. */
  crashTime?: string;
  pageSize?: number;
  /** KERNELOFFSET: the KASLR shift of the kernel image (0 = KASLR off). */
  kaslrOffset?: string;
  physBase: string;
  pagingLevels: number;
  container: Record<string, string | number>;
  cpus: CpuRegisters[];
  /** The last `Kernel panic - not syncing:` line of the log, else its last oops header. */
  panicMessage?: string;
  logRecords?: number;
  partial?: string;
}

const PANIC = /Kernel panic - not syncing: ?(.*)/;
/** With kdump armed an oops goes straight to the crash kernel: no panic line, so the oops header. */
const OOPS_HEADERS = [/^BUG: /, /^kernel BUG at /, /^Oops: /, /^general protection fault/, /^WARNING: /, /^Unable to handle kernel /];

export function vmcoreFacts(core: Vmcore, log: { records: PrintkRecord[]; partial?: string } | undefined, logError?: string): VmcoreFacts {
  const info = core.vmcoreinfo;
  const facts: VmcoreFacts = {
    source: core.source,
    format: core.memory.format,
    compression: core.memory.compression,
    physBase: `0x${BigInt.asUintN(64, core.kernel.physBase).toString(16)}`,
    pagingLevels: info.has('NUMBER(pgtable_l5_enabled)') && info.get('NUMBER(pgtable_l5_enabled)') !== '0' ? 5 : 4,
    container: core.memory.facts,
    cpus: cpuRegisters(core.notes),
  };
  const release = info.get('OSRELEASE');
  if (release) facts.release = release;
  const buildId = info.get('BUILD-ID');
  if (buildId) facts.buildId = buildId;
  const crash = info.get('CRASHTIME');
  if (crash && /^\d+$/.test(crash)) facts.crashTime = new Date(Number(crash) * 1000).toISOString();
  const page = info.get('PAGESIZE');
  if (page && /^\d+$/.test(page)) facts.pageSize = Number(page);
  const kaslr = info.get('KERNELOFFSET');
  if (kaslr) facts.kaslrOffset = `0x${kaslr}`;
  if (log) {
    facts.logRecords = log.records.length;
    const panic = panicLine(log.records);
    if (panic) facts.panicMessage = panic;
  }
  const damage = [...core.damaged];
  if (log?.partial) damage.push(log.partial);
  if (logError) damage.push(`log not read: ${logError}`);
  if (damage.length > 0) facts.partial = [...new Set(damage)].join('; ');
  return facts;
}

function panicLine(records: readonly PrintkRecord[]): string | undefined {
  const texts = records.map((r) => escapeText(r.text).split('\n')[0] ?? '');
  for (let i = texts.length - 1; i >= 0; i--) {
    const m = PANIC.exec(texts[i] as string);
    if (m) return m[0];
  }
  const isHeader = (i: number): boolean => i >= 0 && OOPS_HEADERS.some((re) => re.test(texts[i] as string));
  let last = texts.length - 1;
  while (last >= 0 && !isHeader(last)) last--;
  if (last < 0) return undefined;
  // `BUG: …` then `#PF:` lines then `Oops: …`: the first header of that group says the most.
  let first = last;
  for (let i = last - 1; i >= last - 4; i--) if (isHeader(i)) first = i;
  return texts[first];
}
