import type { PrintkRecord } from './printk-ringbuffer.js';

/** isprint() or isspace() in the C locale: written as is; every other byte becomes `\xNN`. */
const KEPT = new Uint8Array(256).map((_, c) => (c >= 0x20 && c <= 0x7e) || (c >= 0x09 && c <= 0x0d) ? 1 : 0);
const HEX = '0123456789abcdef';
const NEEDS_ESCAPE = /[^\x09-\x0d\x20-\x7e]/;

/**
 * The log as vmcore-dmesg (kexec-tools 2.0.25) prints it, byte for byte: `[%5lu.%06lu] `,
 * the text with non-printable bytes escaped, a newline; a data-less record is its timestamp
 * alone. (makedumpfile --dump-dmesg prints the same for these kernels.)
 */
export function formatDmesg(records: readonly PrintkRecord[], style: DmesgStyle = 'vmcore-dmesg'): Buffer {
  const parts: string[] = [];
  for (const r of records) {
    const prefix = timestampPrefix(r.tsNsec);
    const text = escapeText(r.text);
    // makedumpfile indents what follows a newline inside a record under the text.
    parts.push(prefix, style === 'makedumpfile' ? text.replaceAll('\n', `\n${' '.repeat(prefix.length)}`) : text, '\n');
  }
  return Buffer.from(parts.join(''), 'latin1');
}

/** Whose output to reproduce: they differ only for records holding a newline. */
export type DmesgStyle = 'vmcore-dmesg' | 'makedumpfile';

export function timestampPrefix(tsNsec: bigint): string {
  const seconds = tsNsec / 1_000_000_000n;
  const micros = (tsNsec % 1_000_000_000n) / 1000n;
  return `[${seconds.toString().padStart(5)}.${micros.toString().padStart(6, '0')}] `;
}

/** The text as the tools print it: printable ASCII and whitespace kept, other bytes `\xNN`. */
export function escapeText(text: Buffer): string {
  const plain = text.toString('latin1');
  if (!NEEDS_ESCAPE.test(plain)) return plain;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as number;
    out += KEPT[c] === 1 ? String.fromCharCode(c) : `\\x${HEX[c >> 4]}${HEX[c & 15]}`;
  }
  return out;
}
