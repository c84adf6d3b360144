import type { PlaybookStep } from './diagnosis.js';

/**
 * Things that keep the next crash from happening or from being lost, shared by the playbooks
 * (playbooks.ts names them by id). `ktriage doctor` checks most of them on a live host.
 */
export const PREVENTION = {
  kdump: {
    step: 'Capture a vmcore at the next crash: install and enable kdump, reserve crash kernel memory.',
    commands: [
      { purpose: 'install kdump', debian: 'apt install kdump-tools && systemctl enable --now kdump-tools', rhel: 'dnf install kexec-tools && systemctl enable --now kdump' },
      { purpose: 'check that a crash kernel is loaded', any: 'cat /sys/kernel/kexec_crash_loaded /sys/kernel/kexec_crash_size' },
    ],
  },
  panicReboot: {
    step: 'Reboot by itself after a panic (a short delay keeps the console readable): set kernel.panic.',
    commands: [{ purpose: 'reboot 10 s after a panic', any: "echo 'kernel.panic = 10' > /etc/sysctl.d/90-panic.conf && sysctl --system" }],
  },
  fallbackKernel: {
    step: 'Keep the previous, known-good kernel installed and bootable from the boot menu.',
    commands: [
      { purpose: 'list installed kernels', debian: "dpkg -l 'linux-image-*' | grep ^ii", rhel: 'grubby --info=ALL | grep -E "^(kernel|title)"' },
      { purpose: 'keep more kernels', rhel: 'set installonly_limit=3 in /etc/dnf/dnf.conf' },
    ],
  },
  persistentJournal: {
    step: 'Keep the kernel log of the boot that crashed: make the journal persistent.',
    commands: [{ purpose: 'persistent journal', any: 'mkdir -p /var/log/journal && systemd-tmpfiles --create --prefix /var/log/journal && systemctl restart systemd-journald' }],
  },
  pstore: {
    step: 'Keep the last kernel messages in firmware storage (pstore/EFI or ramoops) for crashes kdump cannot catch.',
    commands: [{ purpose: 'see what the last crash left', any: 'ls -l /sys/fs/pstore/ /var/lib/systemd/pstore/' }],
  },
  netconsole: {
    step: 'Send kernel messages to another host with netconsole, so a hang that never reaches the disk is still seen.',
    commands: [{ purpose: 'load netconsole (source port@ip/dev, target port@ip/mac)', any: 'modprobe netconsole netconsole=6665@SRC_IP/eth0,6666@LOGHOST_IP/LOGHOST_MAC' }],
  },
  moduleSigning: {
    step: 'Load only signed modules from known sources (Secure Boot, module.sig_enforce=1), and build DKMS modules for every installed kernel.',
    commands: [
      { purpose: 'Secure Boot state', any: 'mokutil --sb-state' },
      { purpose: 'DKMS modules per kernel', any: 'dkms status' },
    ],
  },
  memtest: {
    step: 'Test the memory: memtest86+ from the boot menu on a drained host, and keep rasdaemon running to count ECC errors.',
    commands: [
      { purpose: 'install memtest86+ and rasdaemon', debian: 'apt install memtest86+ rasdaemon', rhel: 'dnf install memtest86+ rasdaemon && systemctl enable --now rasdaemon' },
      { purpose: 'ECC errors so far', any: 'ras-mc-ctl --summary' },
    ],
  },
  smart: {
    step: 'Watch disk health: smartd alerts on failing disks before they stall the filesystem.',
    commands: [{ purpose: 'install and enable smartd', debian: 'apt install smartmontools && systemctl enable --now smartmontools', rhel: 'dnf install smartmontools && systemctl enable --now smartd' }],
  },
  updateKernel: {
    step: 'Run the newest kernel of your distribution\'s series: stable updates fix many crashes.',
    commands: [{ purpose: 'available kernel updates', debian: "apt update && apt list --upgradable 'linux-image*'", rhel: 'dnf check-update kernel' }],
  },
  memoryLimits: {
    step: 'Give services memory limits so one cannot take the machine, and keep some swap or zram.',
    commands: [{ purpose: 'cap a service', any: 'systemctl set-property SERVICE.service MemoryMax=4G' }],
  },
} as const satisfies Record<string, PlaybookStep>;

export type PreventionId = keyof typeof PREVENTION;
