import { parseShellVars } from './shell-vars.js';

/** What doctor needs from either family's kdump configuration. */
export interface KdumpConfig {
  file: string;
  /** Debian `USE_KDUMP`; RHEL has no switch (the service is the switch). */
  enabled: boolean;
  /** Local directory the vmcore is written to, or the remote target as written. */
  target: string;
  remote: boolean;
  /** The makedumpfile command line that filters the dump. */
  collector: string;
}

/** Debian/Ubuntu kdump-tools: /etc/default/kdump-tools (shell variables, kdump-tools.5). */
export function parseKdumpTools(text: string, file: string): KdumpConfig {
  const v = parseShellVars(text);
  const remote = v.get('NFS') ?? v.get('SSH') ?? v.get('FTP');
  return {
    file,
    enabled: v.get('USE_KDUMP') === '1',
    target: remote ?? v.get('KDUMP_COREDIR') ?? '/var/crash',
    remote: remote !== undefined,
    // kdump-config passes `-c -d 31` when MAKEDUMP_ARGS is unset.
    collector: `makedumpfile ${v.get('MAKEDUMP_ARGS') ?? '-c -d 31'}`,
  };
}

const RHEL_TARGETS = /^(raw|nfs|ssh|ext[234]|xfs|btrfs|minix|virtiofs)\s+(\S+)/;

/** RHEL/Fedora/SUSE-kdump-utils: /etc/kdump.conf, one directive a line (kdump.conf.5). */
export function parseKdumpConf(text: string, file: string): KdumpConfig {
  let path = '/var/crash';
  let target: { type: string; where: string } | undefined;
  let collector: string | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const t = RHEL_TARGETS.exec(line);
    if (t?.[1] && t[2]) target = { type: t[1], where: t[2] };
    else if (line.startsWith('path ')) path = line.slice(5).trim();
    else if (line.startsWith('core_collector ')) collector = line.slice(15).trim();
  }
  const remote = target?.type === 'nfs' || target?.type === 'ssh';
  return {
    file,
    enabled: true,
    target: target ? `${target.type} ${target.where}:${path}` : path,
    remote,
    collector: collector ?? `makedumpfile ${remote ? '-F ' : ''}-l --message-level 1 -d 31`,
  };
}

export interface DumpFilter {
  /** makedumpfile -d level (0 keeps every page, 31 drops zero, cache, user and free pages). */
  level?: number;
  compressed: boolean;
}

/** makedumpfile's `-d N` and compression flags (-c zlib, -l lzo, -p snappy, -z zstd) from a collector line. */
export function parseDumpFilter(collector: string): DumpFilter | undefined {
  const words = collector.split(/\s+/);
  if (!/makedumpfile$/.test(words[0] ?? '')) return undefined;
  let level: number | undefined;
  let compressed = false;
  for (let i = 1; i < words.length; i++) {
    const w = words[i] ?? '';
    if (w === '-d') level = Number(words[i + 1]);
    else if (/^-d\d+$/.test(w)) level = Number(w.slice(2));
    if (/^-[a-zA-Z]*[clpz][a-zA-Z]*$/.test(w) && !w.startsWith('--')) compressed = true;
  }
  return level === undefined || Number.isNaN(level) ? { compressed } : { level, compressed };
}

/** KDUMP_DUMPFORMAT → the makedumpfile flag SUSE's kdump passes (kdump(5)). */
const SUSE_FORMAT_FLAGS: Readonly<Record<string, string>> = { compressed: '-c', lzo: '-l', snappy: '-p', zstd: '-z', ELF: '-E' };

/**
 * SUSE's kdump: /etc/sysconfig/kdump (sysconfig.kdump.in of openSUSE/kdump). Defaults when a
 * variable is unset are the template's: /var/crash, dump level 31, format `compressed`.
 * Undefined when the file holds none of SUSE's variables (RHEL has a different sysconfig/kdump).
 */
export function parseSuseKdump(text: string, file: string): KdumpConfig | undefined {
  const v = parseShellVars(text);
  if (!['KDUMP_SAVEDIR', 'KDUMP_DUMPLEVEL', 'KDUMP_DUMPFORMAT'].some((k) => v.has(k))) return undefined;
  const saveDir = v.get('KDUMP_SAVEDIR') || '/var/crash';
  const local = /^file:\/\//.exec(saveDir) ? saveDir.slice('file://'.length) : saveDir.startsWith('/') ? saveDir : undefined;
  const format = v.get('KDUMP_DUMPFORMAT') || 'compressed';
  const level = v.get('KDUMP_DUMPLEVEL') || '31';
  const flag = SUSE_FORMAT_FLAGS[format];
  const extra = v.get('MAKEDUMPFILE_OPTIONS') ?? '';
  return {
    file,
    enabled: true,
    target: local ?? saveDir,
    remote: local === undefined,
    collector: flag ? `makedumpfile -d ${level} ${flag}${extra ? ` ${extra}` : ''}` : `KDUMP_DUMPFORMAT=${format}`,
  };
}
