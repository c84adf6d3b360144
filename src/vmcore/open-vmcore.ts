import { KtError } from '../errors.js';
import { FileSource, type ByteSource } from './byte-source.js';
import { ElfCore } from './elf-core.js';
import { parseNotes, type ElfNote } from './elf-notes.js';
import { FlattenedIndexCache } from './flattened-index-cache.js';
import { FlattenedSource, type IndexStore } from './flattened-source.js';
import { KdumpCompressed } from './kdump-compressed.js';
import type { PhysicalMemory } from './physical-memory.js';
import type { ProgressSink } from './progress.js';
import { DUMP_MAGIC_BYTES, sniffDump } from './sniff-dump.js';
import { VmcoreInfo } from './vmcoreinfo.js';
import { X86KernelMemory } from './x86-64-kernel-memory.js';

/** An opened dump: its physical memory, its notes, and the kernel's view of it. */
export interface Vmcore {
  source: string;
  file: ByteSource;
  memory: PhysicalMemory;
  notes: ElfNote[];
  vmcoreinfo: VmcoreInfo;
  kernel: X86KernelMemory;
  /** Why the container is incomplete or cut short, when it is. */
  damaged: string[];
  progress?: ProgressSink;
  close(): void;
}

export interface OpenOptions {
  /** Sees the file before anything is read (the fixture cutter records its reads). */
  onFile?: (file: FileSource) => void;
  /** Told how far the long steps are (indexing a flattened file, reading the ring). */
  progress?: ProgressSink;
  /** Where a flattened dump's record index is kept between runs (FlattenedIndexCache); none when absent. */
  indexCacheDir?: string;
}

/** Opens a dump file of any supported format. Throws KtError (KT_E_BAD_DUMP, KT_E_DUMP_UNSUPPORTED, …). */
export function openVmcore(path: string, options: OpenOptions = {}): Vmcore {
  const file = FileSource.open(path);
  options.onFile?.(file);
  try {
    const cache = options.indexCacheDir === undefined ? undefined : new FlattenedIndexCache(options.indexCacheDir);
    const store: IndexStore | undefined = cache && { load: () => cache.load(file), save: (index) => cache.save(file, index) };
    return openOn(file, path, options.progress, store);
  } catch (e) {
    file.close();
    throw e;
  }
}

function openOn(file: FileSource, source: string, progress: ProgressSink | undefined, indexStore: IndexStore | undefined): Vmcore {
  const format = sniffDump(file.read(0, DUMP_MAGIC_BYTES));
  const damaged: string[] = [];
  let memory: PhysicalMemory;
  if (format === 'elf') memory = new ElfCore(file);
  else if (format === 'kdump-compressed') memory = new KdumpCompressed(file, format);
  else if (format === 'kdump-flattened') {
    const flat = new FlattenedSource(file, progress, indexStore);
    if (flat.truncated) damaged.push(flat.truncated);
    memory = new KdumpCompressed(flat, format);
  } else {
    throw new KtError('KT_E_DUMP_UNSUPPORTED', `${source}: not a crash dump (no ELF core, KDUMP or makedumpfile signature)`);
  }
  if (memory.incomplete) damaged.push(memory.incomplete);
  const notes = parseNotes(memory.notes);
  const text = memory.vmcoreinfo ?? notes.find((n) => n.name === 'VMCOREINFO' && n.type === 0)?.desc.toString('latin1');
  if (text === undefined) {
    throw new KtError('KT_E_DUMP_UNSUPPORTED', `${source}: the dump has no VMCOREINFO note (QEMU needs -device vmcoreinfo), so its kernel cannot be read`);
  }
  const vmcoreinfo = new VmcoreInfo(text, source);
  const kernel = new X86KernelMemory(memory, vmcoreinfo, source);
  const core: Vmcore = { source, file, memory, notes, vmcoreinfo, kernel, damaged, close: () => file.close() };
  if (progress) core.progress = progress;
  return core;
}
