import type { Hardware } from '../crash-report.js';

/** `Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.2-debian-1.16.2-1 04/01/2014`. */
export function parseHardwareLine(line: string): Hardware | undefined {
  const t = line.trim();
  if (!t.startsWith('Hardware name: ')) return undefined;
  const value = t.slice('Hardware name: '.length).trim();
  if (value === '') return undefined;
  const at = value.lastIndexOf(', BIOS ');
  if (at < 0) return { name: value };
  return { name: value.slice(0, at), bios: value.slice(at + ', BIOS '.length) };
}
