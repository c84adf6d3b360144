import type { HostReader } from './host-reader.js';
import { known, unknown, type Fact } from './fact.js';
import { readFact } from './read-fact.js';
import { parseKdumpConf, parseKdumpTools, parseSuseKdump, type KdumpConfig } from './parse/kdump-config.js';

/** kdump-tools' kdump-config (Debian/Ubuntu); kdumpctl and its unit (RHEL, Fedora kdump-utils); SUSE's kdumptool. */
export const KDUMP_TOOLS = [
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

export async function gatherKdumpConfig(reader: HostReader): Promise<Fact<KdumpConfig>> {
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
export async function gatherUnitState(reader: HostReader, units: readonly string[]): Promise<Fact<string>> {
  let lastProblem: Fact<string> | undefined;
  for (const unit of units) {
    const argv = ['systemctl', 'is-active', unit];
    const r = await reader.run(argv);
    if (r.ok) {
      const state = r.result.stdout.trim().split('\n')[0] ?? '';
      // `inactive` for a unit that does not exist either; only a known state is an answer.
      if (/^(active|activating|failed|reloading|deactivating)$/.test(state)) return known(`${unit}: ${state}`, argv.join(' '));
      // Enabled at boot yet inactive: it failed or was stopped, the case this check exists for.
      if (state === 'inactive' && (await reader.info(wantsLink(unit)))) return known(`${unit}: inactive though enabled`, argv.join(' '));
      if (state === '' || /systemd|bus/i.test(r.result.stderr)) {
        lastProblem = unknown(argv.join(' '), 'error', `${argv.join(' ')}: ${(r.result.stderr.trim().split('\n')[0] ?? '') || `status ${r.result.status}`}`);
      }
      continue;
    }
    lastProblem = unknown(argv.join(' '), r.why, r.detail);
  }
  for (const unit of units) {
    const link = wantsLink(unit);
    if (await reader.info(link)) return known(`${unit}: enabled`, link);
  }
  return lastProblem ?? known('inactive', units.map((u) => `systemctl is-active ${u}`).join(', '));
}

/** Free space where the vmcore would go, from `df` (recorded for a sysroot). */
export async function gatherFreeSpace(reader: HostReader, config: Fact<KdumpConfig>): Promise<Fact<number>> {
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

export async function gatherCrashDir(reader: HostReader, config: Fact<KdumpConfig>): Promise<Fact<CrashDir>> {
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

function wantsLink(unit: string): string {
  return `/etc/systemd/system/multi-user.target.wants/${unit}.service`;
}
