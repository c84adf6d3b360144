import { getuid } from 'node:process';
import type { HostReader } from './host-reader.js';
import { known, unknown, type Fact } from './fact.js';
import { parseOsRelease, type OsRelease } from './parse/os-release.js';
import { parseProcModules, type LoadedModule } from './parse/proc-modules.js';
import type { KdumpConfig } from './parse/kdump-config.js';
import { readFact, firstPresent, presence, presentFiles } from './read-fact.js';
import { gatherKdumpConfig, gatherUnitState, gatherFreeSpace, gatherCrashDir, KDUMP_TOOLS, type CrashDir } from './gather-kdump.js';
import { gatherJournalStorage, gatherJournalBoots, gatherLogBuf } from './gather-journal.js';
import { gatherBootImages, gatherDkms, type BootImage, type DkmsBuild } from './gather-boot.js';
import { gatherKernelLogs, type KernelLogs } from './gather-logs.js';
import { gatherSmart, type SmartHealth } from './gather-smart.js';

/** The sysctls doctor judges, by their /proc/sys path. */
export const SYSCTLS = [
  'kernel/panic',
  'kernel/panic_on_oops',
  'kernel/panic_on_warn',
  'kernel/softlockup_panic',
  'kernel/hardlockup_panic',
  'kernel/hung_task_panic',
  'kernel/hung_task_timeout_secs',
  'kernel/unknown_nmi_panic',
  'vm/panic_on_oom',
  'kernel/dmesg_restrict',
  'kernel/kptr_restrict',
  'kernel/tainted',
  'kernel/osrelease',
] as const;
export type Sysctl = (typeof SYSCTLS)[number];

/** Everything the checks judge, read once. The verdicts are pure functions of this. */
export interface HostFacts {
  root: string;
  live: boolean;
  /** Running as root (always true for a sysroot: nothing is hidden from us there but what is absent). */
  privileged: boolean;
  os: Fact<OsRelease>;
  cmdline: Fact<string>;
  memTotalBytes: Fact<number>;
  sysctl: Record<Sysctl, Fact<number | string>>;
  crashSize: Fact<number>;
  crashLoaded: Fact<boolean>;
  kdumpTool: Fact<string>;
  kdumpConfig: Fact<KdumpConfig>;
  /** `systemctl is-active` of the kdump unit, or `enabled` from the unit's wants/ link. */
  kdumpUnit: Fact<string>;
  dumpFreeBytes: Fact<number>;
  pstoreBackend: Fact<string>;
  systemdPstore: Fact<boolean>;
  netconsole: Fact<string[]>;
  journalStorage: Fact<string>;
  journalDir: Fact<boolean>;
  syslogFiles: string[];
  journalBoots: Fact<number>;
  logBufBytes: Fact<number>;
  bootImages: Fact<BootImage[]>;
  modulesDir: Fact<string>;
  dkms: Fact<DkmsBuild[]>;
  secureBoot: Fact<'enabled' | 'disabled' | 'not-efi'>;
  modules: Fact<LoadedModule[]>;
  edac: Fact<{ controllers: number; corrected: number; uncorrected: number }>;
  smart: Fact<SmartHealth[]>;
  logs: KernelLogs;
  crashDir: Fact<CrashDir>;
}

export type { CrashDir } from './gather-kdump.js';

export async function gatherHostFacts(reader: HostReader): Promise<HostFacts> {
  const os = await readFact(reader, '/etc/os-release', parseOsRelease, '/usr/lib/os-release');
  const cmdline = await readFact(reader, '/proc/cmdline', (t) => t.trim());
  const sysctl = {} as Record<Sysctl, Fact<number | string>>;
  for (const name of SYSCTLS) {
    sysctl[name] = await readFact(reader, `/proc/sys/${name}`, (t) => (/^-?\d+$/.test(t.trim()) ? Number(t.trim()) : t.trim()));
  }
  const release = sysctl['kernel/osrelease'];
  const modules = await readFact(reader, '/proc/modules', parseProcModules);
  const kdumpConfig = await gatherKdumpConfig(reader);
  const cmd = cmdline.known ? cmdline.value : '';
  return {
    root: reader.root,
    live: reader.live,
    privileged: !reader.live || getuid?.() === 0,
    os,
    cmdline,
    memTotalBytes: await readFact(reader, '/proc/meminfo', (t) => {
      const kb = /^MemTotal:\s+(\d+) kB/m.exec(t)?.[1];
      if (kb === undefined) throw new Error('no MemTotal line');
      return Number(kb) * 1024;
    }),
    sysctl,
    crashSize: await readFact(reader, '/sys/kernel/kexec_crash_size', (t) => Number(t.trim())),
    crashLoaded: await readFact(reader, '/sys/kernel/kexec_crash_loaded', (t) => t.trim() === '1'),
    kdumpTool: await firstPresent(reader, KDUMP_TOOLS),
    kdumpConfig,
    kdumpUnit: await gatherUnitState(reader, ['kdump-tools', 'kdump']),
    dumpFreeBytes: await gatherFreeSpace(reader, kdumpConfig),
    pstoreBackend: await readFact(reader, '/sys/module/pstore/parameters/backend', (t) => t.trim()),
    systemdPstore: await presence(reader, ['/lib/systemd/system/systemd-pstore.service', '/usr/lib/systemd/system/systemd-pstore.service']),
    netconsole: await gatherNetconsole(reader, cmd, modules),
    journalStorage: await gatherJournalStorage(reader),
    journalDir: await presence(reader, ['/var/log/journal']),
    syslogFiles: await presentFiles(reader, ['/var/log/kern.log', '/var/log/messages', '/var/log/syslog']),
    journalBoots: await gatherJournalBoots(reader),
    logBufBytes: await gatherLogBuf(reader, cmd, release),
    bootImages: await gatherBootImages(reader),
    modulesDir: await gatherModulesDir(reader, release),
    dkms: await gatherDkms(reader),
    secureBoot: await gatherSecureBoot(reader),
    modules,
    edac: await gatherEdac(reader),
    smart: await gatherSmart(reader),
    logs: await gatherKernelLogs(reader),
    crashDir: await gatherCrashDir(reader, kdumpConfig),
  };
}

async function gatherNetconsole(reader: HostReader, cmdline: string, modules: Fact<LoadedModule[]>): Promise<Fact<string[]>> {
  const where: string[] = [];
  if (/(^|\s)netconsole=/.test(cmdline)) where.push('/proc/cmdline netconsole=');
  if (modules.known && modules.value.some((m) => m.name === 'netconsole')) where.push('/proc/modules netconsole');
  const targets = (await reader.list('/sys/kernel/config/netconsole')) ?? [];
  if (targets.length > 0) where.push(`/sys/kernel/config/netconsole/{${targets.join(',')}}`);
  // RHEL's netconsole service (initscripts) sends to SYSLOGADDR.
  const sysconfig = await reader.readText('/etc/sysconfig/netconsole', 65536);
  if (sysconfig.ok && /^\s*SYSLOGADDR=\S/m.test(sysconfig.text)) where.push('/etc/sysconfig/netconsole SYSLOGADDR');
  for (const dir of ['/etc/modprobe.d', '/etc/modules-load.d']) {
    for (const name of (await reader.list(dir)) ?? []) {
      const r = await reader.readText(`${dir}/${name}`, 65536);
      if (r.ok && /^\s*(options\s+)?netconsole\b/m.test(r.text)) where.push(`${dir}/${name}`);
    }
  }
  return known(where, '/proc/cmdline, /proc/modules, /sys/kernel/config/netconsole, /etc/sysconfig/netconsole, /etc/modprobe.d, /etc/modules-load.d');
}

async function gatherModulesDir(reader: HostReader, release: Fact<number | string>): Promise<Fact<string>> {
  if (!release.known) return unknown('/lib/modules/<release>', release.why, release.detail);
  for (const base of ['/lib/modules', '/usr/lib/modules']) {
    const path = `${base}/${release.value}/modules.dep`;
    if (await reader.info(path)) return known(path, path);
  }
  return unknown(`/lib/modules/${release.value}/modules.dep`, 'absent', `/lib/modules/${release.value}/modules.dep: not present`);
}

/** EFI SecureBoot variable: 4 attribute bytes, then one byte 1 (on) or 0 (off). Readable without root. */
async function gatherSecureBoot(reader: HostReader): Promise<Fact<'enabled' | 'disabled' | 'not-efi'>> {
  if (!(await reader.info('/sys/firmware/efi'))) {
    const argv = ['mokutil', '--sb-state'];
    const r = await reader.run(argv);
    if (r.ok && /not supported|not booted in EFI|EFI variables are not supported/i.test(r.result.stdout + r.result.stderr)) {
      return known('not-efi', argv.join(' '));
    }
    return known('not-efi', '/sys/firmware/efi (absent)');
  }
  const path = '/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-e0ec2a5e4dfb';
  const head = await reader.readHead(path, 5);
  if (head?.length === 5) return known(head[4] === 1 ? 'enabled' : 'disabled', path);
  const argv = ['mokutil', '--sb-state'];
  const r = await reader.run(argv);
  if (!r.ok) return unknown(path, r.why, `${path} unreadable and ${r.detail}`);
  const text = r.result.stdout + r.result.stderr;
  if (/SecureBoot enabled/i.test(text)) return known('enabled', argv.join(' '));
  if (/SecureBoot disabled/i.test(text)) return known('disabled', argv.join(' '));
  return unknown(argv.join(' '), 'error', `mokutil: ${text.trim().split('\n')[0] ?? ''}`);
}

async function gatherEdac(reader: HostReader): Promise<HostFacts['edac']> {
  const dir = '/sys/devices/system/edac/mc';
  const mcs = ((await reader.list(dir)) ?? []).filter((n) => /^mc\d+$/.test(n));
  if (mcs.length === 0) return unknown(dir, 'absent', 'no EDAC memory controller (no ECC memory, or no EDAC driver for it)');
  let corrected = 0;
  let uncorrected = 0;
  for (const mc of mcs) {
    for (const [file, add] of [
      ['ce_count', (n: number) => (corrected += n)],
      ['ue_count', (n: number) => (uncorrected += n)],
    ] as const) {
      const r = await reader.readText(`${dir}/${mc}/${file}`);
      if (r.ok) add(Number(r.text.trim()) || 0);
    }
  }
  return known({ controllers: mcs.length, corrected, uncorrected }, `${dir}/mc*/{ce,ue}_count`);
}

