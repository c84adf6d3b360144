/**
 * Kernels before 4.10 export no NUMBER(phys_base) in VMCOREINFO; the dump's container records
 * it: the kdump sub-header (makedumpfile), or the kernel-text PT_LOAD of an ELF dump with
 * virtual addresses (/proc/vmcore, QEMU paging=true). Simulated on real dumps by removing that
 * line from their VMCOREINFO.
 */
import { describe, expect, it } from 'vitest';
import { formatDmesg } from '../../src/vmcore/dmesg-text.js';
import { openVmcore } from '../../src/vmcore/open-vmcore.js';
import { readPrintkRingbuffer } from '../../src/vmcore/printk-ringbuffer.js';
import { VmcoreInfo } from '../../src/vmcore/vmcoreinfo.js';
import { X86KernelMemory } from '../../src/vmcore/x86-64-kernel-memory.js';
import { dumpPath, truth } from './fixtures.js';

/** The dump's log, read as if its kernel had not exported NUMBER(phys_base). */
function logWithoutExportedPhysBase(name: string) {
  const core = openVmcore(dumpPath(name));
  try {
    const exported = core.vmcoreinfo.number('phys_base');
    const info = new VmcoreInfo(core.vmcoreinfo.text.replace(/^NUMBER\(phys_base\)=.*\n/m, ''), name);
    expect(info.has('NUMBER(phys_base)')).toBe(false);
    const kernel = new X86KernelMemory(core.memory, info, name);
    return { exported, container: core.memory.physBase, used: kernel.physBase, text: formatDmesg(readPrintkRingbuffer(kernel, info, name).records) };
  } finally {
    core.close();
  }
}

describe('phys_base from the dump when VMCOREINFO has none', () => {
  it.each([
    ['bug.mdf-d31-lzo', 'bug', 0xffffffffd4c00000n], // makedumpfile's sub-header, KASLR
    ['exception-kdump.kdump-mdf-d31-zlib', 'exception-kdump', 0xffffffffd3600000n], // real kdump, makedumpfile
    ['bug.elf-paging', 'bug', 0xffffffffd4c00000n], // QEMU paging=true: virtual addresses in PT_LOAD
    ['sysrq-nokaslr-kdump.proc-vmcore-elf', 'sysrq-nokaslr-kdump', 0n], // /proc/vmcore copied
  ])('%s: the container gives the exported value, and the log is what vmcore-dmesg printed', (name, run, physBase) => {
    const log = logWithoutExportedPhysBase(name);
    expect([log.exported, log.container, log.used]).toEqual([physBase, physBase, physBase]);
    expect(log.text.equals(truth(run, 'vmcore-dmesg'))).toBe(true);
  });

  it.each([
    ['bug.elf', undefined], // QEMU physical-only ELF: p_vaddr == p_paddr, nothing to derive it from
    ['bug.kdump-zlib', 0xfffffff8da9eba6en], // QEMU's kdump sub-header: not 2 MiB aligned, not a phys_base
  ])('%s: no usable value is a clear refusal', (name, container) => {
    const core = openVmcore(dumpPath(name));
    try {
      expect(core.memory.physBase).toBe(container);
      const info = new VmcoreInfo(core.vmcoreinfo.text.replace(/^NUMBER\(phys_base\)=.*\n/m, ''), name);
      expect(() => new X86KernelMemory(core.memory, info, name)).toThrow(/no NUMBER\(phys_base\) \(kernels before 4\.10\) and the dump records no usable one/);
    } finally {
      core.close();
    }
  });
});
