import type { ReportKind } from '../reports/crash-report.js';
import type { CauseCategory, PlaybookStep } from './diagnosis.js';
import type { PreventionId } from './prevention.js';

/**
 * What to do about an incident, by what happened. Rows are tried in order and the first that
 * matches wins, so specific rows (a panic reason, a kind) come before the fallbacks by cause.
 * In commands, `{release}`, `{module}`, `{device}` and `{comm}` are filled from the incident.
 */
export interface PlaybookRow {
  id: string;
  title: string;
  /**
   * The row matches when any list matches, except `precursors`: when given, the incident must also
   * follow storage events of one of those kinds.
   */
  match: { panicReasons?: readonly string[]; kinds?: readonly ReportKind[]; causes?: readonly CauseCategory[]; precursors?: readonly string[] };
  checks: readonly PlaybookStep[];
  fix: readonly PlaybookStep[];
  prevent: readonly PreventionId[];
}

const SYMBOLIZE: PlaybookStep = {
  step: 'Turn the trace into file:line with the debug symbols of the crashed kernel.',
  commands: [
    { purpose: 'debug symbols', debian: 'apt install linux-image-{release}-dbg', rhel: 'dnf debuginfo-install kernel-{release}' },
    { purpose: 'symbolized report', debian: 'ktriage analyze --vmlinux /usr/lib/debug/boot/vmlinux-{release} LOG', rhel: 'ktriage analyze --vmlinux /usr/lib/debug/lib/modules/{release}/vmlinux LOG' },
  ],
};

const SEARCH_TITLE: PlaybookStep = {
  step: 'Search the report\'s title in the kernel\'s and the distribution\'s bug trackers: a known bug has a fix to pick up.',
  commands: [{ purpose: 'mailing-list archive', any: 'https://lore.kernel.org/all/?q="{title}"' }],
};

export const PLAYBOOKS: readonly PlaybookRow[] = [
  {
    id: 'root-fs-not-mounted',
    title: 'The kernel could not mount the root filesystem',
    match: { panicReasons: ['vfs-no-root'] },
    checks: [
      { step: 'Read the block numbers in the panic: `unknown-block(0,0)` means no device was found at all (no initramfs, or its storage driver is missing); another number means the disk was found but the filesystem on it could not be mounted.' },
      {
        step: 'From a rescue system or the previous kernel, compare the root device the boot entry asks for with the real one.',
        commands: [
          { purpose: 'real UUIDs', any: 'blkid' },
          { purpose: 'what the boot entry asks for', debian: 'grep -n "root=" /boot/grub/grub.cfg', rhel: 'grubby --info=ALL | grep -E "^(kernel|args)"' },
          { purpose: 'what is mounted at boot', any: 'cat /etc/fstab' },
        ],
      },
      {
        step: 'Check that an initramfs exists for the crashed kernel and holds the storage and filesystem drivers.',
        commands: [
          { purpose: 'initramfs present', debian: 'ls -l /boot/initrd.img-{release}', rhel: 'ls -l /boot/initramfs-{release}.img' },
          { purpose: 'drivers inside', debian: 'lsinitramfs /boot/initrd.img-{release} | grep -E "nvme|virtio|ahci|sd_mod|ext4|xfs|btrfs"', rhel: 'lsinitrd /boot/initramfs-{release}.img | grep -E "nvme|virtio|ahci|sd_mod|ext4|xfs|btrfs"' },
        ],
      },
    ],
    fix: [
      { step: 'Boot the previous kernel from the boot menu (Advanced options) to get the host back meanwhile.' },
      {
        step: 'Rebuild the initramfs for the crashed kernel and regenerate the boot configuration.',
        commands: [
          { purpose: 'rebuild initramfs', debian: 'update-initramfs -u -k {release}', rhel: 'dracut -f /boot/initramfs-{release}.img {release}' },
          { purpose: 'regenerate GRUB config', debian: 'update-grub', rhel: 'grub2-mkconfig -o /boot/grub2/grub.cfg' },
        ],
      },
      { step: 'If root= names a device path (/dev/sda1) that moved, use root=UUID=… from blkid instead.' },
    ],
    prevent: ['fallbackKernel', 'persistentJournal'],
  },
  {
    id: 'init-failed',
    title: 'The init process died or could not start',
    match: { panicReasons: ['init-killed', 'no-init'] },
    checks: [
      { step: 'Read the last lines init printed before the panic: they usually name what failed (a mount, a missing library, a script). The exit code is decoded in the evidence: a status means init gave up, a signal means it crashed.' },
      {
        step: 'Boot into a shell before init and look at it.',
        commands: [
          { purpose: 'stop in the initramfs', debian: 'add break=premount to the kernel command line', rhel: 'add rd.break to the kernel command line' },
          { purpose: 'or run a shell as init', any: 'add init=/bin/sh to the kernel command line' },
          { purpose: 'check init and its libraries', any: 'ls -l /sbin/init && ldd /sbin/init' },
        ],
      },
      { step: 'SIGILL in init usually means userspace built for a newer CPU level (x86-64-v2/v3) than this CPU or virtual CPU model offers.' },
    ],
    fix: [
      { step: 'Repair or reinstall init and the C library from a rescue system; for SIGILL, give the VM a newer CPU model (e.g. -cpu host) or install userspace built for this CPU.' },
      { step: 'Boot the previous kernel if the failure started with a kernel or initramfs update.' },
    ],
    prevent: ['fallbackKernel', 'persistentJournal'],
  },
  {
    id: 'deliberate-crash',
    title: 'The crash was triggered on purpose',
    match: { causes: ['deliberate'] },
    checks: [
      { step: 'Find who triggered it: a kdump test, a fault-injection harness, an operator on a hung machine.', commands: [{ purpose: 'sysrq use in the log', any: 'journalctl -b -1 | grep -i sysrq' }] },
      { step: 'If it was a kdump test, check that the dump was saved.', commands: [{ purpose: 'saved dumps', any: 'ls -l /var/crash/' }] },
    ],
    fix: [{ step: 'Nothing to fix in the kernel. Remove crash-test modules (lkdtm) from production hosts; writes to /proc/sysrq-trigger need root whatever kernel.sysrq says.' }],
    prevent: ['kdump'],
  },
  {
    id: 'hardware-error',
    title: 'The CPU or memory reported a hardware error',
    match: { kinds: ['machine-check', 'edac'], panicReasons: ['machine-check', 'hardware-error'] },
    checks: [
      {
        step: 'Read the decoded error: corrected or not, the bank and error class (memory controller, cache, bus), the physical address; rasdaemon keeps them across reboots.',
        commands: [
          { purpose: 'errors recorded by rasdaemon', any: 'ras-mc-ctl --summary; ras-mc-ctl --errors' },
          { purpose: 'the kernel\'s hardware messages', any: 'journalctl -k -b -1 | grep -i -E "hardware error|mce|edac"' },
          { purpose: 'the BMC\'s event log', any: 'ipmitool sel elist' },
        ],
      },
      { step: 'Map memory errors to a DIMM (EDAC names the channel and slot; dmidecode the labels) and see whether the count grows.', commands: [{ purpose: 'DIMM labels', any: 'dmidecode -t memory | grep -E "Locator|Serial|Part"' }, { purpose: 'EDAC counters', any: 'grep -H . /sys/devices/system/edac/mc/mc*/*_count' }] },
    ],
    fix: [
      { step: 'Update BIOS/firmware and CPU microcode: some machine checks are fixed by microcode.', commands: [{ purpose: 'microcode', debian: 'apt install intel-microcode amd64-microcode', rhel: 'dnf install microcode_ctl linux-firmware' }] },
      { step: 'Drain the host and run the vendor\'s diagnostics or memtest86+; replace the DIMM or CPU the errors name. Uncorrected errors mean the part must go; a growing corrected count means soon.' },
    ],
    prevent: ['memtest', 'kdump'],
  },
  {
    id: 'failing-storage',
    title: 'The storage under the system reported errors',
    match: { causes: ['hardware'], precursors: ['ata-link-reset', 'ata-error', 'block-io-error', 'buffer-io-error', 'scsi-error', 'nvme-error', 'md-raid-degraded', 'journal-abort'] },
    checks: [
      { step: 'Find the device that failed in the storage events before the crash and read its own health.', commands: [{ purpose: 'SMART', any: 'smartctl -x /dev/{device}' }, { purpose: 'NVMe', any: 'nvme smart-log /dev/{device}' }] },
      { step: 'Check the path to it: controller, cable, SAN/multipath, and whether the errors repeat on one device.', commands: [{ purpose: 'errors per device', any: 'journalctl -k -b -1 | grep -E "I/O error|resetting link|nvme|blk_update_request"' }] },
      { step: 'Check the filesystem offline once the device is healthy.', commands: [{ purpose: 'read-only check', any: 'fsck -fn /dev/{device}   (xfs: xfs_repair -n)' }] },
    ],
    fix: [{ step: 'Replace the failing disk or the path to it, then repair the filesystem; restore from backup what the errors damaged.' }],
    prevent: ['smart', 'persistentJournal'],
  },
  {
    id: 'unexpected-reboot',
    title: 'The machine restarted without a panic',
    match: { kinds: ['unexpected-reboot'] },
    checks: [
      {
        step: 'Find who reset the machine: the power, a hardware or hypervisor watchdog, the hypervisor itself, or a CPU triple fault (which leaves no message).',
        commands: [
          { purpose: 'the BMC\'s event log', any: 'ipmitool sel elist' },
          { purpose: 'how the previous boot ended', any: 'journalctl -b -1 -n 50 --no-pager' },
          { purpose: 'reboot and shutdown records', any: 'last -x reboot shutdown | head' },
        ],
      },
      { step: 'Look for what pstore kept of the last moments (EFI variables or ramoops).', commands: [{ purpose: 'pstore records', any: 'ls -l /sys/fs/pstore/ /var/lib/systemd/pstore/' }] },
    ],
    fix: [{ step: 'If a watchdog fired, the machine hung first: enable kdump and netconsole so the next hang leaves a trace; if the power failed, check the PSU and the rack\'s power.' }],
    prevent: ['kdump', 'netconsole', 'pstore', 'persistentJournal'],
  },
  {
    id: 'out-of-memory',
    title: 'The machine ran out of memory',
    match: { kinds: ['oom-kill'], panicReasons: ['oom'] },
    checks: [
      { step: 'Read the victim and the memory summary in the report: large anon RSS is a process, large slab or shmem is the kernel or tmpfs.' },
      {
        step: 'See which service and cgroup grew.',
        commands: [
          { purpose: 'OOM events this boot and last', any: 'journalctl -k -b -1 | grep -E "Out of memory|oom-kill|invoked oom-killer"' },
          { purpose: 'per-cgroup memory now', any: 'systemd-cgtop -m' },
          { purpose: 'kernel slab usage', any: 'slabtop -o | head -20' },
        ],
      },
    ],
    fix: [
      { step: 'Cap the service that grew (MemoryMax=) or give the host more memory; fix the leak if one process grows without bound.' },
      { step: 'If vm.panic_on_oom is set, decide whether a reboot is better than losing one process.', commands: [{ purpose: 'current setting', any: 'sysctl vm.panic_on_oom vm.overcommit_memory' }] },
    ],
    prevent: ['memoryLimits', 'persistentJournal'],
  },
  {
    id: 'driver-module',
    title: 'A driver or module crashed',
    match: { causes: ['driver', 'third-party-driver'] },
    checks: [
      {
        step: 'Identify the module, its version and where it came from.',
        commands: [
          { purpose: 'version, signer, source', any: 'modinfo {module}' },
          { purpose: 'DKMS builds', any: 'dkms status' },
          { purpose: 'package that ships it', debian: 'dpkg -S {module}.ko', rhel: 'rpm -qf $(modinfo -n {module})' },
        ],
      },
      { step: 'Check whether the module was built for exactly this kernel ({release}) and whether its vendor has a newer release.' },
    ],
    fix: [
      { step: 'Update the module (or the package that ships it) to a release that supports this kernel, or go back to the kernel it supports.' },
      { step: 'To confirm, keep the module from loading and watch whether the crash stops.', commands: [{ purpose: 'blacklist', any: 'echo "blacklist {module}" > /etc/modprobe.d/ktriage-{module}.conf' }] },
      { step: 'Report to the module\'s vendor with this report; upstream developers need a reproduction without out-of-tree modules.' },
    ],
    prevent: ['moduleSigning', 'fallbackKernel', 'kdump'],
  },
  {
    id: 'hung-task',
    title: 'Tasks were blocked for minutes',
    match: { kinds: ['hung-task'] },
    checks: [
      { step: 'Look at where the blocked task waits: I/O waits (io_schedule, jbd2, xfs, nfs) point at storage or the network filesystem; a mutex points at another task holding it.' },
      {
        step: 'Check the storage under it at the time.',
        commands: [
          { purpose: 'disk and link errors', any: 'journalctl -k -b -1 | grep -i -E "I/O error|resetting link|timeout|nvme|blk_update_request"' },
          { purpose: 'latency now', any: 'iostat -x 5 3' },
          { purpose: 'NFS mounts and their servers', any: 'findmnt -t nfs,nfs4 && nfsstat -c' },
        ],
      },
      { step: 'When it happens again, dump every blocked task before rebooting.', commands: [{ purpose: 'blocked tasks to the kernel log', any: 'echo w > /proc/sysrq-trigger' }] },
    ],
    fix: [
      { step: 'Replace or repair the slow device or path; for NFS, restore the server or use timeouts that suit the workload.' },
      { step: 'kernel.hung_task_panic=1 turns this warning into a reboot: keep it only where a vmcore is wanted.', commands: [{ purpose: 'current settings', any: 'sysctl kernel.hung_task_panic kernel.hung_task_timeout_secs' }] },
    ],
    prevent: ['smart', 'persistentJournal'],
  },
  {
    id: 'cpu-stall',
    title: 'A CPU stopped making progress',
    match: { kinds: ['soft-lockup', 'hard-lockup', 'rcu-stall', 'spinlock-lockup'] },
    checks: [
      { step: 'Read the stuck CPU\'s trace: a spin lock (queued_spin_lock_slowpath) means another CPU holds the lock; a loop in a driver points at that driver.' },
      { step: 'On a VM, check CPU steal time and the host\'s load: a vCPU that is not scheduled looks like a stall.', commands: [{ purpose: 'steal time (st column)', any: 'vmstat 1 5' }] },
      { step: 'Look for other CPUs\' traces and NMI backtraces printed with the stall: the lock holder is often among them.' },
    ],
    fix: [
      { step: 'Update to the newest stable kernel of the series; if the stuck code is in a module, update or remove the module.' },
      { step: 'kernel.softlockup_panic / kernel.hardlockup_panic / kernel.panic_on_rcu_stall turn this into a reboot: enable them where a vmcore is wanted.' },
    ],
    prevent: ['updateKernel', 'kdump', 'netconsole'],
  },
  {
    id: 'memory-corruption-hardware',
    title: 'Memory corruption that looks like hardware',
    match: { causes: ['hardware', 'firmware'] },
    checks: [
      { step: 'Look for the same kind of corruption at other addresses or on other hosts: random, varying crashes on one host point at its RAM.' },
      { step: 'Read ECC and machine-check counters.', commands: [{ purpose: 'ECC errors', any: 'ras-mc-ctl --summary' }, { purpose: 'firmware version', any: 'dmidecode -s bios-version' }] },
    ],
    fix: [{ step: 'Drain the host, run memtest86+ and the vendor\'s diagnostics, update BIOS and microcode, replace the failing part.' }],
    prevent: ['memtest', 'kdump'],
  },
  {
    id: 'resource-exhaustion',
    title: 'The kernel ran out of a resource',
    match: { causes: ['resource-exhaustion'] },
    checks: [{ step: 'Find the resource that ran out (memory, CPU time, I/O bandwidth) in the report and in the host\'s metrics at that time.' }],
    fix: [{ step: 'Limit the workload that took it, or give the host more of it.' }],
    prevent: ['memoryLimits', 'persistentJournal'],
  },
  {
    id: 'kernel-bug',
    title: 'A bug in the kernel',
    match: {},
    checks: [SEARCH_TITLE, SYMBOLIZE, { step: 'Note the exact kernel build ({release}) and what the machine was doing (the comm and syscall in the trace).' }],
    fix: [
      { step: 'Update to the newest stable kernel of the series; if the crash began with a kernel update, boot the previous kernel meanwhile.' },
      { step: 'If it still happens on the newest kernel, report it upstream (scripts/get_maintainer.pl on the culprit\'s file) or to the distribution, with the full report and the vmcore\'s log.' },
    ],
    prevent: ['updateKernel', 'kdump', 'fallbackKernel'],
  },
];
