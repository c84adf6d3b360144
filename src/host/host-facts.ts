import { getuid } from 'node:process';
import { gunzipSync } from 'node:zlib';
import type { HostReader } from './host-reader.js';
import { known, unknown, type Fact } from './fact.js';
import { parseOsRelease, type OsRelease } from './parse/os-release.js';
import { parseProcModules, type LoadedModule } from './parse/proc-modules.js';
import { journaldStorage } from './parse/journald-conf.js';
import { parseSize } from './parse/crashkernel.js';
import { parseKdumpConf, parseKdumpTools, parseSuseKdump, type KdumpConfig } from './parse/kdump-config.js';
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

/** kdump-tools' kdump-config (Debian/Ubuntu); kdumpctl and its unit (RHEL, Fedora, SUSE kdump-utils). */
const KDUMP_TOOLS = [
  '/usr/sbin/kdump-config',
  '/sbin/kdump-config',
  '/usr/bin/kdumpctl',
  '/usr/sbin/kdumpctl',
  '/usr/sbin/kdumptool',
  '/usr/lib/systemd/system/kdump.service',
  '/lib/systemd/system/kdump-tools.service',
];

export interface CrashDir {
  path: string;
  mode: number;
  /** Dump files and directories inside, with their modes. */
  entries: { name: string; mode: number }[];
}

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

/** Reads and parses one file; a parse error is an `error` fact, never a thrown exception. */
export async function readFact<T>(reader: HostReader, path: string, parse: (text: string) => T, fallback?: string): Promise<Fact<T>> {
  const r = await reader.readText(path);
  if (!r.ok) {
    if (fallback !== undefined && r.why === 'absent') return readFact(reader, fallback, parse);
    return unknown(path, r.why, r.detail);
  }
  try {
    return known(parse(r.text), path);
  } catch (e) {
    return unknown(path, 'error', `${path}: ${(e as Error).message}`);
  }
}

async function firstPresent(reader: HostReader, paths: readonly string[]): Promise<Fact<string>> {
  for (const p of paths) if (await reader.info(p)) return known(p, p);
  return unknown(paths.join(', '), 'absent', `none of ${paths.join(', ')} is installed`);
}

async function presence(reader: HostReader, paths: readonly string[]): Promise<Fact<boolean>> {
  for (const p of paths) if (await reader.info(p)) return known(true, p);
  return known(false, paths.join(', '));
}

async function presentFiles(reader: HostReader, paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) if ((await reader.info(p))?.isDirectory === false) out.push(p);
  return out;
}

async function gatherKdumpConfig(reader: HostReader): Promise<Fact<KdumpConfig>> {
  const debian = await readFact(reader, '/etc/default/kdump-tools', (t) => parseKdumpTools(t, '/etc/default/kdump-tools'));
  if (debian.known || debian.why !== 'absent') return debian;
  const rhel = await readFact(reader, '/etc/kdump.conf', (t) => parseKdumpConf(t, '/etc/kdump.conf'));
  if (rhel.known || rhel.why !== 'absent') return rhel;
  const suse = await reader.readText('/etc/sysconfig/kdump');
  const suseConfig = suse.ok ? parseSuseKdump(suse.text, '/etc/sysconfig/kdump') : undefined;
  if (suseConfig) return known(suseConfig, '/etc/sysconfig/kdump');
  const files = '/etc/default/kdump-tools, /etc/kdump.conf, /etc/sysconfig/kdump';
  return unknown(files, 'absent', `no kdump configuration (${files})`);
}

/** Live: systemctl is-active; a sysroot without a recording: the unit's enablement link. */
async function gatherUnitState(reader: HostReader, units: readonly string[]): Promise<Fact<string>> {
  let lastProblem: Fact<string> | undefined;
  for (const unit of units) {
    const argv = ['systemctl', 'is-active', unit];
    const r = await reader.run(argv);
    if (r.ok) {
      const state = r.result.stdout.trim().split('\n')[0] ?? '';
      // `inactive` for a unit that does not exist either; only a known state is an answer.
      if (/^(active|activating|failed|reloading|deactivating)$/.test(state)) return known(`${unit}: ${state}`, argv.join(' '));
      if (state === '' || /systemd|bus/i.test(r.result.stderr)) {
        lastProblem = unknown(argv.join(' '), 'error', `${argv.join(' ')}: ${(r.result.stderr.trim().split('\n')[0] ?? '') || `status ${r.result.status}`}`);
      }
      continue;
    }
    lastProblem = unknown(argv.join(' '), r.why, r.detail);
  }
  for (const unit of units) {
    const link = `/etc/systemd/system/multi-user.target.wants/${unit}.service`;
    if (await reader.info(link)) return known(`${unit}: enabled`, link);
  }
  return lastProblem ?? known('inactive', units.map((u) => `systemctl is-active ${u}`).join(', '));
}

/** Free space where the vmcore would go, from `df` (recorded for a sysroot). */
async function gatherFreeSpace(reader: HostReader, config: Fact<KdumpConfig>): Promise<Fact<number>> {
  if (config.known && config.value.remote) return unknown(config.value.target, 'error', `dump goes to ${config.value.target}: free space not checked remotely`);
  const dir = config.known ? config.value.target : '/var/crash';
  // The directory may not exist before the first dump: ask about its closest existing parent.
  let probe = dir;
  while (probe !== '/' && !(await reader.info(probe))) probe = probe.replace(/\/[^/]+\/?$/, '') || '/';
  const argv = ['df', '-P', '-B1', probe];
  const r = await reader.run(argv);
  if (!r.ok) return unknown(argv.join(' '), r.why, r.detail);
  const fields = r.result.stdout.trim().split('\n').at(-1)?.split(/\s+/) ?? [];
  const avail = Number(fields[3]);
  if (r.result.status !== 0 || !Number.isFinite(avail)) return unknown(argv.join(' '), 'error', `${argv.join(' ')}: ${r.result.stderr.trim() || 'unexpected output'}`);
  return known(avail, `${argv.join(' ')} (${fields[5] ?? probe})`);
}

async function gatherNetconsole(reader: HostReader, cmdline: string, modules: Fact<LoadedModule[]>): Promise<Fact<string[]>> {
  const where: string[] = [];
  if (/(^|\s)netconsole=/.test(cmdline)) where.push('/proc/cmdline netconsole=');
  if (modules.known && modules.value.some((m) => m.name === 'netconsole')) where.push('/proc/modules netconsole');
  const targets = (await reader.list('/sys/kernel/config/netconsole')) ?? [];
  if (targets.length > 0) where.push(`/sys/kernel/config/netconsole/{${targets.join(',')}}`);
  for (const dir of ['/etc/modprobe.d', '/etc/modules-load.d']) {
    for (const name of (await reader.list(dir)) ?? []) {
      const r = await reader.readText(`${dir}/${name}`, 65536);
      if (r.ok && /^\s*(options\s+)?netconsole\b/m.test(r.text)) where.push(`${dir}/${name}`);
    }
  }
  return known(where, '/proc/cmdline, /proc/modules, /sys/kernel/config/netconsole, /etc/modprobe.d, /etc/modules-load.d');
}

async function gatherJournalStorage(reader: HostReader): Promise<Fact<string>> {
  const main = await reader.readText('/etc/systemd/journald.conf');
  const texts: string[] = [];
  const from: string[] = [];
  if (main.ok) {
    texts.push(main.text);
    from.push('/etc/systemd/journald.conf');
  }
  for (const dir of ['/usr/lib/systemd/journald.conf.d', '/etc/systemd/journald.conf.d', '/run/systemd/journald.conf.d']) {
    for (const name of ((await reader.list(dir)) ?? []).filter((n) => n.endsWith('.conf'))) {
      const r = await reader.readText(`${dir}/${name}`);
      if (r.ok) {
        texts.push(r.text);
        from.push(`${dir}/${name}`);
      }
    }
  }
  if (texts.length === 0) {
    if (!(await reader.info('/lib/systemd/systemd-journald')) && !(await reader.info('/usr/lib/systemd/systemd-journald'))) {
      return unknown('/etc/systemd/journald.conf', 'absent', 'systemd-journald is not installed');
    }
    return known('auto', 'built-in default');
  }
  return known(journaldStorage(texts) ?? 'auto', from.join(', '));
}

async function gatherJournalBoots(reader: HostReader): Promise<Fact<number>> {
  const argv = ['journalctl', '--list-boots', '--no-pager', '-q'];
  const r = await reader.run(argv);
  if (!r.ok) return unknown(argv.join(' '), r.why, r.detail);
  const boots = r.result.stdout.split('\n').filter((l) => /^\s*-?\d+\s+[0-9a-f]{32}\b/.test(l)).length;
  if (boots === 0) {
    const why = (r.result.stderr.trim() || r.result.stdout.trim()).split('\n')[0] ?? '';
    if (r.result.status === 0) return known(0, why ? `${argv.join(' ')} (${why})` : argv.join(' '));
    return unknown(argv.join(' '), 'error', `journalctl: ${why || `status ${r.result.status}`}`);
  }
  return known(boots, argv.join(' '));
}

/** `log_buf_len=` on the command line wins; else the kernel's CONFIG_LOG_BUF_SHIFT. */
async function gatherLogBuf(reader: HostReader, cmdline: string, release: Fact<number | string>): Promise<Fact<number>> {
  const arg = /(?:^|\s)log_buf_len=(\S+)/.exec(cmdline)?.[1];
  if (arg !== undefined) {
    const size = parseSize(arg);
    if (size !== undefined) return known(size, `/proc/cmdline log_buf_len=${arg}`);
  }
  const fromConfig = (t: string): number => {
    const shift = /^CONFIG_LOG_BUF_SHIFT=(\d+)/m.exec(t)?.[1];
    if (shift === undefined) throw new Error('no CONFIG_LOG_BUF_SHIFT');
    return 2 ** Number(shift);
  };
  if (release.known) {
    const fact = await readFact(reader, `/boot/config-${release.value}`, fromConfig);
    if (fact.known || fact.why !== 'absent') return fact;
  }
  // Kernels built with CONFIG_IKCONFIG_PROC carry their own config.
  const gz = await reader.readBytes('/proc/config.gz', 1 << 20);
  if (!gz.ok) return unknown(release.known ? `/boot/config-${release.value}` : '/proc/config.gz', 'absent', `no /boot/config-${release.known ? release.value : '<release>'} and no /proc/config.gz`);
  try {
    return known(fromConfig(gunzipSync(gz.bytes, { maxOutputLength: 16 << 20 }).toString('utf8')), '/proc/config.gz');
  } catch (e) {
    return unknown('/proc/config.gz', 'error', `/proc/config.gz: ${(e as Error).message}`);
  }
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

async function gatherCrashDir(reader: HostReader, config: Fact<KdumpConfig>): Promise<Fact<CrashDir>> {
  const path = config.known && !config.value.remote ? config.value.target : '/var/crash';
  const info = await reader.info(path);
  if (!info) return unknown(path, 'absent', `${path}: not present (no dump kept yet)`);
  const entries: CrashDir['entries'] = [];
  const names = await reader.list(path);
  if (names === undefined) return unknown(path, 'denied', `${path}: cannot list (permission denied)`);
  for (const name of names) {
    const i = await reader.info(`${path}/${name}`);
    if (i) entries.push({ name, mode: i.mode });
  }
  return known({ path, mode: info.mode, entries }, path);
}
