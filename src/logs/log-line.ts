/**
 * One kernel message, whatever format it came from. Every source in src/logs/ yields these;
 * everything downstream reads only these.
 */
export interface LogLine {
  /** The kernel's message text with every transport prefix removed (timestamp, syslog header, caller id, level). */
  text: string;
  /** Seconds since boot as the kernel stamped it (`[  12.345678]`, journal `_SOURCE_MONOTONIC_TIMESTAMP`, kmsg usec). */
  ts?: number;
  /** Wall-clock time when the format carries one (ISO 8601). */
  wallTime?: string;
  /** printk sequence number (kmsg, vmcore logs). */
  seq?: number;
  /** printk level 0 (emerg) … 7 (debug). */
  level?: number;
  /** syslog facility number (0 = kern). */
  facility?: number;
  /** PRINTK_CALLER id: `T123` (task) or `C3` (CPU context). */
  caller?: string;
  /** Host name from syslog/journal; lines of different hosts never mix into one report. */
  host?: string;
  /** Boot id (journal) when known; a report never spans two boots. */
  boot?: string;
  /** Set when the physical line was longer than the line cap (64 KiB) and its tail was dropped. */
  truncated?: boolean;
  /** Where the line was read: input name and 1-based line number in that input. */
  origin: LineOrigin;
}

export interface LineOrigin {
  /** File name as given on the command line, `-` for stdin, or a synthetic name such as `journal:-1`. */
  source: string;
  /** 1-based number of the physical line (or record) in the decompressed input. */
  line: number;
}

/** The input formats a source can be read as; `auto` sniffs. */
export const INPUT_FORMATS = [
  'auto',
  'console', // raw serial console / plain dmesg, with or without [ ts] and caller ids
  'dmesg-human', // dmesg -T, dmesg --time-format iso, dmesg -x
  'journal-short', // journalctl -k (short, short-precise, short-iso, short-monotonic)
  'journal-json', // journalctl -o json
  'journal-export', // journalctl -o export
  'syslog', // RFC 3164 / RFC 5424 files (/var/log/kern.log, /var/log/messages)
  'kmsg', // /dev/kmsg records
  'vmcore-dmesg', // vmcore-dmesg / makedumpfile --dump-dmesg output
] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];
