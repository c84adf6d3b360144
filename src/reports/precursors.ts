import type { LogLine } from '../logs/log-line.js';
import { anyOf } from './any-of.js';
import { ownText } from './own-text.js';
import type { PrecursorEvent } from './crash-report.js';

/**
 * Storage, link and filesystem distress: one-line events that often come before a crash or a
 * hang and point at hardware. Not crashes themselves. A `device` capture group (or the row's
 * `device` regex) names the device.
 */
export interface PrecursorRow {
  kind: string;
  pattern: RegExp;
  /** Where the device is named when `pattern` does not capture it (group 1). */
  device?: RegExp;
  description: string;
}

export const PRECURSOR_TABLE: readonly PrecursorRow[] = [
  { kind: 'ata-link-reset', pattern: /^(?<device>ata\d+(?:\.\d+)?): (?:hard resetting link|soft resetting link|SATA link down|link is slow to respond|COMRESET failed)/, description: 'A SATA link had to be reset: cable, port or disk trouble.' },
  { kind: 'ata-error', pattern: /^(?<device>ata\d+(?:\.\d+)?): (?:exception Emask|failed command|error: \{|status: \{ DRDY ERR)/, description: 'A SATA command failed.' },
  { kind: 'block-io-error', pattern: / error, dev (?<device>[\w.-]+), sector \d+/, description: 'A block device returned an I/O error.' },
  { kind: 'buffer-io-error', pattern: /^Buffer I\/O error on dev(?:ice)? (?<device>\w+)/, description: 'A buffered read or write to a block device failed.' },
  { kind: 'scsi-error', pattern: /^sd \S+: \[(?<device>sd\w+)\] (?:tag#\d+ )?(?:FAILED Result|Sense Key : (?:Medium|Hardware) Error|Unhandled error code)/, description: 'A SCSI disk reported a failed command or a medium/hardware error.' },
  { kind: 'nvme-error', pattern: /^nvme (?<device>nvme\d+): (?:I\/O \d+ (?:\(\w+\) )?QID \d+ timeout, (?:aborting|reset controller|completion polled)|controller is down|Removing after probe failure|Device not ready|resetting controller)/, description: 'An NVMe controller timed out, reset or went away.' },
  { kind: 'ext4-error', pattern: /^EXT4-fs (?:error|warning) \(device (?<device>[^)]+)\)/, description: 'ext4 found an error on disk (corruption or I/O failure).' },
  { kind: 'xfs-corruption', pattern: /^XFS \((?<device>[^)]+)\): (?:Corruption|Metadata corruption|metadata I\/O error|Internal error|xfs_do_force_shutdown|Filesystem has been shut down|Log I\/O Error)/, description: 'XFS found corrupt metadata or shut the filesystem down.' },
  { kind: 'btrfs-error', pattern: /^BTRFS (?:error|critical) \(device (?<device>[^)]+)\)/, description: 'Btrfs reported an error or checksum failure.' },
  { kind: 'fs-remount-ro', pattern: /Remounting filesystem read-only|remounting filesystem read-only|forced readonly/, device: /\((?:device )?([^)\s]+)\):/, description: 'A filesystem was remounted read-only after errors.' },
  { kind: 'journal-abort', pattern: /^(?:JBD2|jbd2): .*(?:aborted|Error -5 detected when updating journal)/, description: 'The ext4 journal aborted (usually after I/O errors).' },
  { kind: 'md-raid-degraded', pattern: /^md\/raid\d*:(?<device>md\d+): (?:Disk failure|Operation continuing on \d+ devices)/, description: 'A software RAID array lost a disk.' },
];

const ANY_PRECURSOR = anyOf(PRECURSOR_TABLE.map((r) => r.pattern));

export function matchPrecursor(line: LogLine): PrecursorEvent | undefined {
  const text = line.text;
  if (!ANY_PRECURSOR.test(text)) return undefined;
  for (const row of PRECURSOR_TABLE) {
    const m = row.pattern.exec(text);
    if (!m) continue;
    const event: PrecursorEvent = { kind: row.kind, text: ownText(text), source: line.origin.source, line: line.origin.line };
    if (line.ts !== undefined) event.ts = line.ts;
    if (line.host !== undefined) event.host = line.host;
    const device = m.groups?.['device'] ?? row.device?.exec(text)?.[1];
    if (device) event.device = ownText(device);
    return event;
  }
  return undefined;
}
