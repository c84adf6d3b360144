/** The small parsers behind the facts, on the real files of the sysroot fixtures. */
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findCrashKernelArg, parseSize } from '../../src/host/parse/crashkernel.js';
import { parseDumpFilter, parseKdumpConf, parseKdumpTools } from '../../src/host/parse/kdump-config.js';
import { journaldStorage } from '../../src/host/parse/journald-conf.js';
import { parseOsRelease } from '../../src/host/parse/os-release.js';
import { parseProcModules } from '../../src/host/parse/proc-modules.js';
import { openHostReader } from '../../src/host/host-reader.js';
import { recordingName } from '../../src/host/recorded-commands.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'host');
const read = (path: string): string => readFileSync(join(FIXTURES, path), 'utf8');
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

describe('crashkernel=', () => {
  it('reads the range syntax of the fixtures\' real command lines', () => {
    const debian = findCrashKernelArg(read('debian-server/proc/cmdline'));
    expect(debian?.raw).toBe('384M-:128M');
    expect(debian?.bytesFor(2 * GiB)).toBe(128 * MiB);
    expect(debian?.bytesFor(256 * MiB)).toBe(0); // below 384M: nothing reserved
    const rhel = findCrashKernelArg(read('rhel-like/proc/cmdline'));
    expect(rhel?.raw).toBe('1G-4G:192M,4G-64G:256M,64G-:512M');
    expect(rhel?.bytesFor(3 * GiB)).toBe(192 * MiB);
    expect(rhel?.bytesFor(8 * GiB)).toBe(256 * MiB);
    expect(rhel?.bytesFor(128 * GiB)).toBe(512 * MiB);
    expect(findCrashKernelArg(read('laptop/proc/cmdline'))).toBeUndefined();
  });

  it('reads plain sizes with an offset or a placement (kernel-parameters.txt)', () => {
    expect(findCrashKernelArg('ro crashkernel=256M@16M quiet')?.bytesFor(GiB)).toBe(256 * MiB);
    expect(findCrashKernelArg('crashkernel=512M,high crashkernel=128M,low')?.raw).toBe('128M,low');
    expect(parseSize('0x8000000')).toBe(128 * MiB);
    expect(parseSize('1048576')).toBe(MiB);
    expect(parseSize('lots')).toBeUndefined();
  });
});

describe('kdump configuration', () => {
  it("Debian's kdump-tools defaults: on, /var/crash, makedumpfile -c -d 31 when MAKEDUMP_ARGS is unset", () => {
    const c = parseKdumpTools(read('debian-server/etc/default/kdump-tools'), '/etc/default/kdump-tools');
    expect(c).toEqual({ file: '/etc/default/kdump-tools', enabled: true, target: '/var/crash', remote: false, collector: 'makedumpfile -c -d 31' });
    expect(parseDumpFilter(c.collector)).toEqual({ level: 31, compressed: true });
  });

  it("kdump-utils' kdump.conf: path and core_collector; the commented-out targets are ignored", () => {
    const c = parseKdumpConf(read('rhel-like/etc/kdump.conf'), '/etc/kdump.conf');
    expect(c).toEqual({ file: '/etc/kdump.conf', enabled: true, target: '/var/crash', remote: false, collector: 'makedumpfile -l --message-level 1 -d 31' });
    expect(parseDumpFilter(c.collector)).toEqual({ level: 31, compressed: true });
    const ssh = parseKdumpConf(`${read('rhel-like/etc/kdump.conf')}\nssh kdump@logs.example\n`, '/etc/kdump.conf');
    expect(ssh.remote).toBe(true);
    expect(ssh.collector).toBe('makedumpfile -l --message-level 1 -d 31');
  });

  it('a collector without -d keeps every page; cp is not makedumpfile', () => {
    expect(parseDumpFilter('makedumpfile -E')).toEqual({ compressed: false });
    expect(parseDumpFilter('makedumpfile -d 1 -c')).toEqual({ level: 1, compressed: true });
    expect(parseDumpFilter('cp')).toBeUndefined();
  });
});

describe('os-release, /proc/modules, journald.conf', () => {
  it('families from ID and ID_LIKE', () => {
    expect(parseOsRelease(read('debian-server/etc/os-release'))).toEqual({ id: 'debian', idLike: [], prettyName: 'Debian GNU/Linux 12 (bookworm)', family: 'debian' });
    expect(parseOsRelease(read('rhel-like/etc/os-release'))).toMatchObject({ id: 'rocky', idLike: ['rhel', 'centos', 'fedora'], family: 'rhel' });
  });

  it('module taint letters from the trailing parentheses', () => {
    const mods = parseProcModules(read('laptop/proc/modules'));
    expect(mods).toHaveLength(10);
    expect(mods.find((m) => m.name === 'lkdtm')?.taints).toEqual(['O', 'E']);
    expect(mods.filter((m) => m.taints.length > 0).map((m) => m.name)).toEqual(['lkdtm']);
  });

  it("systemd's shipped journald.conf sets nothing; a drop-in's Storage= wins", () => {
    const shipped = read('laptop/etc/systemd/journald.conf');
    expect(journaldStorage([shipped])).toBeUndefined();
    expect(journaldStorage([shipped, read('debian-server/etc/systemd/journald.conf.d/persistent.conf')])).toBe('persistent');
    expect(journaldStorage(['[Other]\nStorage=none\n'])).toBeUndefined();
  });
});

describe('the sysroot reader', () => {
  it('resolves absolute symlinks inside the sysroot, never on the host', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ktriage-sysroot-'));
    mkdirSync(join(root, 'usr', 'lib'), { recursive: true });
    mkdirSync(join(root, 'etc'));
    writeFileSync(join(root, 'usr', 'lib', 'os-release'), read('rhel-like/etc/os-release'));
    symlinkSync('/usr/lib/os-release', join(root, 'etc', 'os-release'));
    symlinkSync('../../../../../../../etc/hostname-of-host', join(root, 'etc', 'escape'));
    symlinkSync('loop-b', join(root, 'etc', 'loop-a'));
    symlinkSync('loop-a', join(root, 'etc', 'loop-b'));
    const reader = openHostReader(root);
    const osr = await reader.readText('/etc/os-release');
    expect(osr.ok && parseOsRelease(osr.text).id).toBe('rocky');
    expect(await reader.readText('/etc/escape')).toMatchObject({ ok: false, why: 'absent' });
    expect(await reader.readText('/etc/loop-a')).toMatchObject({ ok: false, why: 'error' });
    expect(await reader.run(['dmesg'])).toMatchObject({ ok: false, why: 'not-recorded' });
  });

  it('names recordings after the command line', () => {
    expect(recordingName(['df', '-P', '-B1', '/var/crash'])).toBe('df_-P_-B1__var_crash');
    expect(recordingName(['journalctl', '--list-boots', '--no-pager', '-q'])).toBe('journalctl_--list-boots_--no-pager_-q');
  });
});

describe('a hostile sysroot', () => {
  it('a FIFO, a directory and an oversized file where files should be: doctor finishes, those facts are unknown', async () => {
    const { execFileSync } = await import('node:child_process');
    const { runDoctor } = await import('../../src/host/run-doctor.js');
    const root = mkdtempSync(join(tmpdir(), 'ktriage-hostile-'));
    mkdirSync(join(root, 'etc'));
    mkdirSync(join(root, 'proc', 'sys', 'kernel'), { recursive: true });
    execFileSync('mkfifo', [join(root, 'etc', 'os-release')]);
    mkdirSync(join(root, 'proc', 'cmdline'));
    writeFileSync(join(root, 'proc', 'modules'), Buffer.alloc(6 << 20, 0x41)); // one 6 MiB "line"
    mkdirSync(join(root, '.recorded'));
    execFileSync('mkfifo', [join(root, '.recorded', 'dmesg.out')]);
    const report = await runDoctor(openHostReader(root));
    expect(report.os).toBeNull();
    const get = (id: string) => report.checks.find((c) => c.id === id);
    expect(get('crashkernel-reserved')).toMatchObject({ status: 'skip', summary: 'not checked: /proc/cmdline: not a regular file' });
    expect(get('foreign-modules')?.summary).toBe('not checked: /proc/modules: not in /proc/modules format (no module line)');
    expect(get('recent-crash-reports')?.status).toBe('skip');
  }, 20_000);
});

describe("SUSE's /etc/sysconfig/kdump", () => {
  it("the template's defaults: /var/crash, -d 31, compressed; URLs and formats as kdump(5) has them", async () => {
    const { parseSuseKdump } = await import('../../src/host/parse/kdump-config.js');
    const template = read('files/suse-sysconfig.kdump.in.head');
    const c = parseSuseKdump(template, '/etc/sysconfig/kdump');
    expect(c).toEqual({ file: '/etc/sysconfig/kdump', enabled: true, target: '/var/crash', remote: false, collector: 'makedumpfile -d 31 -c' });
    expect(parseDumpFilter(c?.collector ?? '')).toEqual({ level: 31, compressed: true });
    const nfs = parseSuseKdump(template.replace('KDUMP_SAVEDIR="/var/crash"', 'KDUMP_SAVEDIR="nfs://server/export/var/crash"'), 'f');
    expect(nfs).toMatchObject({ target: 'nfs://server/export/var/crash', remote: true });
    const file = parseSuseKdump(template.replace('KDUMP_SAVEDIR="/var/crash"', 'KDUMP_SAVEDIR="file:///srv/crash"'), 'f');
    expect(file).toMatchObject({ target: '/srv/crash', remote: false });
    expect(parseSuseKdump(template.replace('KDUMP_DUMPFORMAT="compressed"', 'KDUMP_DUMPFORMAT="none"'), 'f')?.collector).toBe('KDUMP_DUMPFORMAT=none');
    // RHEL's /etc/sysconfig/kdump has none of SUSE's variables
    expect(parseSuseKdump(read('rhel-like/etc/sysconfig/kdump'), 'f')).toBeUndefined();
  });
});
