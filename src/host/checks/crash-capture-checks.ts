import { bytes, evidence, GiB, MiB, skipped, verdict, type CheckRow } from '../check-row.js';
import { findCrashKernelArg } from '../parse/crashkernel.js';
import { parseDumpFilter } from '../parse/kdump-config.js';

/** Reservation doctor considers enough: kexec-tools' crashkernel ranges for x86_64 on RHEL 9 (1G-4G:192M,4G-64G:256M,64G-:512M), but 128 MiB below 4 GiB as Debian reserves. */
export function neededCrashKernel(ramBytes: number): number {
  if (ramBytes < 4 * GiB) return 128 * MiB;
  if (ramBytes < 64 * GiB) return 256 * MiB;
  return 512 * MiB;
}

export const CRASH_CAPTURE_CHECKS: readonly CheckRow[] = [
  {
    id: 'kdump-installed',
    area: 'crash capture',
    title: 'kdump tooling installed',
    reads: ['/usr/sbin/kdump-config', '/usr/bin/kdumpctl', '/etc/default/kdump-tools', '/etc/kdump.conf'],
    why: 'Without kdump the only record of a panic is what reached a console or pstore; the vmcore (memory, every task, the full log) is never written.',
    fix: { debian: 'apt install kdump-tools', rhel: 'dnf install kexec-tools   # SUSE: zypper install kdump' },
    verdict: (f) => {
      if (f.kdumpTool.known) return verdict('pass', `${f.kdumpTool.value} present`, evidence(f.kdumpTool), evidence(f.kdumpConfig, (c) => `target ${c.target}`));
      if (f.kdumpTool.why === 'denied') return skipped(f.kdumpTool);
      return verdict('fail', 'no kdump tooling installed', evidence(f.kdumpTool));
    },
  },
  {
    id: 'kdump-service',
    area: 'crash capture',
    title: 'kdump service active',
    reads: ['systemctl is-active kdump-tools|kdump', '/etc/systemd/system/multi-user.target.wants/', 'USE_KDUMP in /etc/default/kdump-tools'],
    why: 'The service loads the crash kernel at boot; installed but stopped is the same as not installed.',
    fix: { debian: "sed -i 's/^USE_KDUMP=.*/USE_KDUMP=1/' /etc/default/kdump-tools && systemctl enable --now kdump-tools", rhel: 'systemctl enable --now kdump' },
    verdict: (f) => {
      const config = f.kdumpConfig.known ? f.kdumpConfig.value : undefined;
      if (config && !config.enabled) return verdict('fail', `USE_KDUMP is off in ${config.file}`, evidence(f.kdumpConfig, () => 'USE_KDUMP not 1'));
      if (!f.kdumpUnit.known) {
        if (!f.kdumpTool.known) return verdict('skip', 'kdump is not installed (see kdump-installed)', evidence(f.kdumpTool));
        return skipped(f.kdumpUnit);
      }
      const state = f.kdumpUnit.value;
      if (/: active$/.test(state)) return verdict('pass', state, evidence(f.kdumpUnit));
      if (/: enabled$/.test(state)) return verdict('pass', `${state} (enabled at boot; a sysroot cannot say whether it runs)`, evidence(f.kdumpUnit));
      return verdict('fail', `kdump service not active (${state})`, evidence(f.kdumpUnit));
    },
  },
  {
    id: 'crashkernel-reserved',
    area: 'crash capture',
    title: 'crash kernel memory reserved',
    reads: ['/proc/cmdline crashkernel=', '/sys/kernel/kexec_crash_size'],
    why: 'The crash kernel runs from memory set aside at boot; with none reserved, kdump cannot start however it is configured.',
    fix: {
      debian: 'apt install kdump-tools (adds crashkernel=384M-:128M via /etc/default/grub.d/kdump-tools.cfg) && update-grub && reboot',
      rhel: 'kdumpctl reset-crashkernel --kernel=ALL && reboot   # older: grubby --update-kernel=ALL --args=crashkernel=auto',
    },
    verdict: (f) => {
      if (!f.cmdline.known) return skipped(f.cmdline);
      const arg = findCrashKernelArg(f.cmdline.value);
      const size = f.crashSize;
      if (size.known && size.value > 0) return verdict('pass', `${bytes(size.value)} reserved`, evidence(size, (n) => `${n} bytes`), `/proc/cmdline: crashkernel=${arg?.raw ?? '(none)'}`);
      if (!arg) return verdict('fail', 'no crashkernel= on the kernel command line', '/proc/cmdline: no crashkernel=');
      if (!size.known) return verdict('warn', `crashkernel=${arg.raw} asked for, but the reservation cannot be read`, evidence(size), `/proc/cmdline: crashkernel=${arg.raw}`);
      return verdict('fail', `crashkernel=${arg.raw} asked for but nothing reserved (too little RAM for the range, or the reservation failed)`, evidence(size), `/proc/cmdline: crashkernel=${arg.raw}`);
    },
  },
  {
    id: 'crashkernel-size',
    area: 'crash capture',
    title: 'reservation big enough for this machine',
    reads: ['/sys/kernel/kexec_crash_size', '/proc/meminfo MemTotal'],
    why: 'A crash kernel with too little memory runs out while loading drivers or makedumpfile and the dump is lost (often silently: the machine just reboots).',
    fix: {
      debian: "edit crashkernel= in /etc/default/grub.d/kdump-tools.cfg (e.g. crashkernel=384M-4G:192M,4G-64G:256M,64G-:512M) && update-grub && reboot",
      rhel: 'kdumpctl reset-crashkernel --kernel=ALL && reboot   # or grubby --update-kernel=ALL --args=crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M',
    },
    verdict: (f) => {
      if (!f.crashSize.known) return skipped(f.crashSize);
      if (!f.memTotalBytes.known) return skipped(f.memTotalBytes);
      const have = f.crashSize.value;
      const ram = f.memTotalBytes.value + have; // MemTotal excludes the reservation
      const need = neededCrashKernel(ram);
      const ev = [evidence(f.crashSize, (n) => bytes(n)), evidence(f.memTotalBytes, (n) => `${bytes(n)} (+ the reservation)`)];
      if (have === 0) return verdict('skip', 'nothing reserved (see crashkernel-reserved)', ...ev);
      if (have >= need) return verdict('pass', `${bytes(have)} reserved for ${bytes(ram)} of RAM (needs about ${bytes(need)})`, ...ev);
      return verdict('warn', `${bytes(have)} reserved for ${bytes(ram)} of RAM; about ${bytes(need)} is safer`, ...ev);
    },
  },
  {
    id: 'crash-kernel-loaded',
    area: 'crash capture',
    title: 'crash kernel loaded now',
    reads: ['/sys/kernel/kexec_crash_loaded'],
    why: 'Reserved memory is not enough: the crash kernel must be loaded into it (kexec -p) by the kdump service. A failed load (wrong initrd, too little memory) leaves the reservation idle.',
    fix: { debian: 'kdump-config load && kdump-config show', rhel: 'kdumpctl restart && kdumpctl status' },
    verdict: (f) => {
      if (!f.crashLoaded.known) return skipped(f.crashLoaded);
      if (f.crashLoaded.value) return verdict('pass', 'a crash kernel is loaded', evidence(f.crashLoaded, () => '1'));
      return verdict('fail', 'no crash kernel loaded: a panic now would not be captured', evidence(f.crashLoaded, () => '0'));
    },
  },
  {
    id: 'dump-target-space',
    area: 'crash capture',
    title: 'free space for a filtered dump',
    reads: ['KDUMP_COREDIR / path in the kdump config', 'df -P -B1 <target>'],
    why: 'makedumpfile writes the filtered dump to the target; when it fills up the dump is truncated or dropped.',
    fix: { debian: 'free space on the filesystem of KDUMP_COREDIR, or point KDUMP_COREDIR (or NFS/SSH) at a bigger one in /etc/default/kdump-tools', rhel: 'free space under "path" in /etc/kdump.conf, or set a bigger target (xfs/nfs/ssh) there, then kdumpctl restart' },
    verdict: (f) => {
      if (!f.dumpFreeBytes.known) return skipped(f.dumpFreeBytes);
      if (!f.memTotalBytes.known) return skipped(f.memTotalBytes);
      // A -d 31 dump keeps kernel pages only: rarely more than a quarter of RAM.
      const need = Math.max(f.memTotalBytes.value / 4, 512 * MiB);
      const ev = [evidence(f.dumpFreeBytes, (n) => `${bytes(n)} free`), evidence(f.memTotalBytes, (n) => bytes(n))];
      if (f.dumpFreeBytes.value >= need) return verdict('pass', `${bytes(f.dumpFreeBytes.value)} free (a filtered dump needs up to ~${bytes(need)})`, ...ev);
      return verdict('fail', `only ${bytes(f.dumpFreeBytes.value)} free; a filtered dump may need ~${bytes(need)}`, ...ev);
    },
  },
  {
    id: 'dump-level',
    area: 'crash capture',
    title: 'makedumpfile filters and compresses',
    reads: ['MAKEDUMP_ARGS in /etc/default/kdump-tools', 'core_collector in /etc/kdump.conf', 'KDUMP_DUMPLEVEL, KDUMP_DUMPFORMAT in /etc/sysconfig/kdump (SUSE)'],
    why: 'An unfiltered dump is as big as RAM and slow to write from a crash kernel; -d 31 keeps the kernel pages analysis needs and drops free, cache, zero and user pages.',
    fix: {
      debian: 'set MAKEDUMP_ARGS="-c -d 31" in /etc/default/kdump-tools',
      rhel: 'set "core_collector makedumpfile -l --message-level 1 -d 31" in /etc/kdump.conf   # SUSE: KDUMP_DUMPLEVEL=31, KDUMP_DUMPFORMAT=compressed in /etc/sysconfig/kdump',
    },
    verdict: (f) => {
      if (!f.kdumpConfig.known) {
        if (f.kdumpConfig.why === 'absent') return verdict('skip', 'no kdump configuration', f.kdumpConfig.detail);
        return skipped(f.kdumpConfig);
      }
      const c = f.kdumpConfig.value;
      const filter = parseDumpFilter(c.collector);
      const ev = `${c.file}: ${c.collector}`;
      if (c.collector === 'KDUMP_DUMPFORMAT=none') return verdict('warn', 'KDUMP_DUMPFORMAT=none: only the kernel log is saved, no vmcore', ev);
      if (!filter) return verdict('warn', `the collector is not makedumpfile: the dump is not filtered`, ev);
      if (filter.level === undefined) return verdict('warn', 'no -d dump level: every page is kept', ev);
      if (filter.level < 31) return verdict('warn', `-d ${filter.level} keeps pages -d 31 would drop (bigger, slower dumps)`, ev);
      if (!filter.compressed) return verdict('warn', '-d 31 but no compression (-c/-l/-z)', ev);
      return verdict('pass', `-d ${filter.level}, compressed`, ev);
    },
  },
  {
    id: 'pstore',
    area: 'crash capture',
    title: 'pstore backend',
    reads: ['/sys/module/pstore/parameters/backend', 'systemd-pstore.service'],
    why: 'pstore (EFI variables, ACPI ERST, ramoops) keeps the last kernel messages across a reset even when kdump fails; systemd-pstore copies them to /var/lib/systemd/pstore at the next boot.',
    fix: { debian: 'modprobe efi_pstore (UEFI machines; add it to /etc/modules-load.d/) and systemctl enable systemd-pstore', rhel: 'modprobe efi_pstore (add it to /etc/modules-load.d/) and systemctl enable systemd-pstore' },
    verdict: (f) => {
      if (!f.pstoreBackend.known) return skipped(f.pstoreBackend);
      const backend = f.pstoreBackend.value;
      const ev = [evidence(f.pstoreBackend), evidence(f.systemdPstore, (b) => (b ? 'installed' : 'not installed'))];
      if (backend === '' || backend === '(null)') return verdict('warn', 'no pstore backend registered', ...ev);
      return verdict('pass', `pstore backend ${backend}`, ...ev);
    },
  },
  {
    id: 'netconsole',
    area: 'crash capture',
    title: 'netconsole',
    reads: ['/proc/cmdline netconsole=', '/proc/modules', '/sys/kernel/config/netconsole', '/etc/sysconfig/netconsole', '/etc/modprobe.d', '/etc/modules-load.d'],
    why: 'netconsole sends kernel messages over UDP as they are printed: the last words of a machine that hangs or whose disk dies reach another host.',
    fix: {
      debian: 'echo "options netconsole netconsole=@/eth0,6666@LOGHOST/" > /etc/modprobe.d/netconsole.conf && echo netconsole > /etc/modules-load.d/netconsole.conf',
      rhel: 'set SYSLOGADDR=LOGHOST in /etc/sysconfig/netconsole && systemctl enable --now netconsole',
    },
    verdict: (f) => {
      if (!f.netconsole.known) return skipped(f.netconsole);
      if (f.netconsole.value.length > 0) return verdict('pass', 'netconsole configured', ...f.netconsole.value);
      return verdict('warn', 'no netconsole: the last messages of a hung machine reach no other host', `${f.netconsole.from}: nothing`);
    },
  },
];
