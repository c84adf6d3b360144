import { ConsoleFormat } from './console-format.js';

/**
 * vmcore-dmesg (kexec-tools) and `makedumpfile --dump-dmesg` output: `[   12.345678] text`,
 * with a caller id when the kernel had CONFIG_PRINTK_CALLER. Both tools print every record with
 * its prefix and the further lines of a multi-line record bare, so a line without a prefix
 * continues the record before it. (makedumpfile 1.7.2 writes no header into the file: its
 * status lines go to the terminal.)
 */
export class VmcoreDmesgFormat extends ConsoleFormat {
  constructor(source: string) {
    super(source, true);
  }
}
