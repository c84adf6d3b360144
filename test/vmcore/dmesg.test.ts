/**
 * The kernel log read from real dumps of every format equals, byte for byte, what vmcore-dmesg
 * and makedumpfile --dump-dmesg printed for the same crash.
 */
import { describe, expect, it } from 'vitest';
import { formatDmesg } from '../../src/vmcore/dmesg-text.js';
import { readKernelLog } from '../../src/vmcore/kernel-log.js';
import { openVmcore } from '../../src/vmcore/open-vmcore.js';
import { dumpPath, truth } from './fixtures.js';

/** fixture, lab run, container, page compression, KERNELOFFSET. */
const DUMPS: [string, string, string, string, string][] = [
  ['bug.elf', 'bug', 'elf', 'none', '2ee00000'], // QEMU, physical addresses only, e_phoff 192
  ['bug.elf-paging', 'bug', 'elf', 'none', '2ee00000'], // QEMU paging=true: overlapping PT_LOADs
  ['bug.kdump-zlib', 'bug', 'kdump-flattened', 'zlib', '2ee00000'], // QEMU kdump-zlib
  ['bug.kdump-zlib-reassembled', 'bug', 'kdump-compressed', 'zlib', '2ee00000'],
  ['bug.mdf-d31-elf', 'bug', 'elf', 'none', '2ee00000'],
  ['bug.mdf-d31-lzo', 'bug', 'kdump-compressed', 'lzo', '2ee00000'],
  ['bug.mdf-d31-zlib', 'bug', 'kdump-compressed', 'zlib', '2ee00000'],
  ['bug.mdf-d31-none', 'bug', 'kdump-compressed', 'none', '2ee00000'], // makedumpfile -d 31, no compression
  ['bug.mdf-F-lzo', 'bug', 'kdump-flattened', 'lzo', '2ee00000'], // makedumpfile -F -l
  ['bug.mdf-d31-snappy', 'bug', 'kdump-compressed', 'snappy', '2ee00000'], // pages by libsnappy (recompress-kdump.py)
  ['bug.mdf-d31-zstd', 'bug', 'kdump-compressed', 'zstd', '2ee00000'], // pages by libzstd (recompress-kdump.py)
  ['sysrq-nokaslr-kdump.proc-vmcore-elf', 'sysrq-nokaslr-kdump', 'elf', 'none', '0'], // /proc/vmcore copied
  ['sysrq-nokaslr-kdump.kdump-mdf-d31-elf', 'sysrq-nokaslr-kdump', 'elf', 'none', '0'],
  ['sysrq-nokaslr-kdump.kdump-mdf-d31-lzo', 'sysrq-nokaslr-kdump', 'kdump-compressed', 'lzo', '0'],
  ['sysrq-nokaslr-kdump.kdump-mdf-d31-zlib', 'sysrq-nokaslr-kdump', 'kdump-compressed', 'zlib', '0'],
  ['exception-kdump.kdump-mdf-d31-zlib', 'exception-kdump', 'kdump-compressed', 'zlib', '34600000'],
  ['write-after-free.mdf-d31-zlib', 'write-after-free', 'kdump-compressed', 'zlib', '200000'],
  ['sysrq-wrap.elf', 'sysrq-wrap', 'elf', 'none', '38400000'],
  ['sysrq-wrap.kdump-zlib', 'sysrq-wrap', 'kdump-flattened', 'zlib', '38400000'],
  ['sysrq-wrap.mdf-d31-lzo', 'sysrq-wrap', 'kdump-compressed', 'lzo', '38400000'],
  ['sysrq-logbuf4m.elf', 'sysrq-logbuf4m', 'elf', 'none', '25800000'],
  ['sysrq-logbuf4m.kdump-zlib', 'sysrq-logbuf4m', 'kdump-flattened', 'zlib', '25800000'],
  ['sysrq-logbuf4m.mdf-d31-lzo', 'sysrq-logbuf4m', 'kdump-compressed', 'lzo', '25800000'],
  ['sysrq-la57-logbuf4m.elf', 'sysrq-la57-logbuf4m', 'elf', 'none', '2c600000'], // 5-level paging
  ['sysrq-la57-logbuf4m.mdf-d31-lzo', 'sysrq-la57-logbuf4m', 'kdump-compressed', 'lzo', '2c600000'],
];

describe('kernel log of real dumps', () => {
  it.each(DUMPS)('%s equals vmcore-dmesg and makedumpfile --dump-dmesg of lab run %s', (name, run, format, compression, kaslr) => {
    const core = openVmcore(dumpPath(name));
    try {
      expect(core.memory.format).toBe(format);
      expect(core.memory.compression).toBe(compression);
      expect(core.vmcoreinfo.get('KERNELOFFSET')).toBe(kaslr);
      const log = readKernelLog(core);
      expect(log.partial).toBeUndefined();
      expect(formatDmesg(log.records, 'vmcore-dmesg').equals(truth(run, 'vmcore-dmesg'))).toBe(true);
      expect(formatDmesg(log.records, 'makedumpfile').equals(truth(run, 'makedumpfile-dmesg'))).toBe(true);
    } finally {
      core.close();
    }
  });

  it('a wrapped ring: the oldest records are gone, sequence numbers and text continue across the wrap', () => {
    const core = openVmcore(dumpPath('sysrq-wrap.mdf-d31-lzo'));
    const { records } = readKernelLog(core);
    core.close();
    const first = records[0];
    expect(first?.seq).toBeGreaterThan(10_000n); // the console printed ~18,500 lines; 2,238 are left
    expect(first?.tsNsec).toBeGreaterThan(3_000_000_000n);
    expect(records).toHaveLength(2238);
    for (let i = 1; i < records.length; i++) expect(records[i]?.seq).toBe((records[i - 1]?.seq ?? 0n) + 1n);
    const texts = records.map((r) => r.text.toString());
    expect(texts.filter((t) => t === 'Kernel panic - not syncing: sysrq triggered crash')).toHaveLength(1);
    expect(texts.at(-1)).toBe(' </TASK>'); // panic() dumps the stack after its line
  });

  it.each([
    ['sysrq-logbuf4m.mdf-d31-lzo', 'NUMBER(pgtable_l5_enabled)=0', 388],
    ['sysrq-la57-logbuf4m.mdf-d31-lzo', 'NUMBER(pgtable_l5_enabled)=1', 387],
  ])('a ring allocated at boot (log_buf_len=4M) is read through the page tables: %s, %s', (name, levels, count) => {
    const core = openVmcore(dumpPath(name));
    expect(core.vmcoreinfo.text).toContain(levels);
    const info = core.vmcoreinfo;
    const prb = core.kernel.u64(info.symbol('prb'));
    const rb = core.kernel.read(prb, info.size('printk_ringbuffer'));
    const data = rb.readBigUInt64LE(info.offset('printk_ringbuffer.text_data_ring') + info.offset('prb_data_ring.data'));
    expect(rb.readUInt32LE(info.offset('printk_ringbuffer.text_data_ring'))).toBe(22); // 4 MiB
    expect(data < 0xffffffff80000000n).toBe(true); // the direct map
    expect(readKernelLog(core).records).toHaveLength(count);
    core.close();
  });

  it('caller ids, levels and facilities come with each record', () => {
    const core = openVmcore(dumpPath('bug.mdf-d31-lzo'));
    const { records } = readKernelLog(core);
    core.close();
    const bug = records.find((r) => r.text.toString().startsWith('kernel BUG at'));
    expect(bug?.level).toBe(2); // lib/bug.c: pr_crit("kernel BUG at %s:%u!\n")
    expect(bug?.facility).toBe(0);
    expect(bug?.callerId).toBe(112); // task 112 (sh), as the oops' PID
  });
});
