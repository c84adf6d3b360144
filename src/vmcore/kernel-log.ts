import { KtError } from '../errors.js';
import type { Vmcore } from './open-vmcore.js';
import { readPrintkLogBuf } from './printk-log-buf.js';
import { readPrintkRingbuffer, type PrintkLog } from './printk-ringbuffer.js';

/**
 * The kernel log of a dump, in whichever printk format its kernel used. Damage to the container
 * (incomplete, cut short, pages never written) marks the log partial rather than failing it.
 */
export function readKernelLog(core: Vmcore): PrintkLog {
  const info = core.vmcoreinfo;
  let log: PrintkLog;
  if (info.has('SYMBOL(prb)')) log = readPrintkRingbuffer(core.kernel, info, core.source, core.progress);
  else if (info.has('SYMBOL(log_first_idx)')) log = readPrintkLogBuf(core.kernel, info, core.source, core.progress);
  else if (info.has('SYMBOL(log_buf)')) {
    throw new KtError('KT_E_DUMP_UNSUPPORTED', `${core.source}: the plain-text log_buf of kernels before 3.5 is not read`);
  } else throw new KtError('KT_E_DUMP_UNSUPPORTED', `${core.source}: VMCOREINFO names no printk buffer (SYMBOL(prb) or SYMBOL(log_buf))`);
  const damage = [...core.damaged];
  if (core.memory.missingPages > 0) damage.push(`${core.memory.missingPages} page(s) of the log were never written to the dump and read as zeros`);
  if (log.partial) damage.push(log.partial);
  // A kernel that got as far as crashing has logged something: an empty ring is a misread one.
  if (log.records.length === 0) damage.push('no record of the printk ring could be read');
  return damage.length > 0 ? { records: log.records, partial: damage.join('; ') } : { records: log.records };
}
