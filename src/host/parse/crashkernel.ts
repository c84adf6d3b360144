/** `128M`, `1G`, `512K`, `0x8000000` → bytes; undefined when not a size. */
export function parseSize(text: string): number | undefined {
  const m = /^(0x[0-9a-f]+|\d+)([KMGTPE]?)$/i.exec(text.trim());
  if (!m?.[1]) return undefined;
  const n = Number(m[1]);
  const suffix = (m[2] ?? '').toUpperCase();
  const power = suffix === '' ? 0 : 'KMGTPE'.indexOf(suffix) + 1;
  return n * 1024 ** power;
}

export interface CrashKernelArg {
  /** As written on the command line. */
  raw: string;
  /** Bytes the kernel would reserve for this much RAM; undefined for `auto` or an unreadable value. */
  bytesFor(ramBytes: number): number | undefined;
}

/**
 * The last `crashkernel=` of a kernel command line (admin-guide/kernel-parameters): a plain
 * size (`256M`, `256M@16M`, `512M,high`), or ranges `start-[end]:size,…[@offset]`, where the range
 * holding the machine's RAM decides.
 */
export function findCrashKernelArg(cmdline: string): CrashKernelArg | undefined {
  const all = cmdline.split(/\s+/).filter((w) => w.startsWith('crashkernel='));
  const raw = all.at(-1)?.slice('crashkernel='.length);
  if (raw === undefined) return undefined;
  return { raw, bytesFor: (ram) => reservedFor(raw, ram) };
}

function reservedFor(raw: string, ram: number): number | undefined {
  const value = raw.replace(/@.*$/, '').replace(/,(high|low)$/, '');
  if (!value.includes(':')) return parseSize(value);
  for (const range of value.split(',')) {
    const m = /^([^-]+)-([^:]*):(.+)$/.exec(range);
    if (!m?.[1] || m[3] === undefined) continue;
    const start = parseSize(m[1]);
    const end = m[2] ? parseSize(m[2]) : Infinity;
    if (start === undefined || end === undefined) continue;
    if (ram >= start && ram < end) return parseSize(m[3]);
  }
  return 0;
}
