import { bytes, evidence, skipped, verdict, type CheckRow } from '../check-row.js';

/** Below this the ring buffer can wrap during a long boot or a flood, losing the lines before a crash. */
const RING_BUFFER_ENOUGH = 1024 * 1024;

export const LOG_CHECKS: readonly CheckRow[] = [
  {
    id: 'journal-persistent',
    area: 'logs',
    title: 'journal kept across reboots',
    reads: ['Storage= in /etc/systemd/journald.conf and journald.conf.d/*.conf', '/var/log/journal', '/var/log/kern.log, /var/log/messages'],
    why: 'With a volatile journal (Storage=auto without /var/log/journal, or volatile/none) every kernel message of the boot that crashed is gone after the reboot.',
    fix: {
      debian: "mkdir -p /etc/systemd/journald.conf.d && printf '[Journal]\\nStorage=persistent\\n' > /etc/systemd/journald.conf.d/persistent.conf && systemctl restart systemd-journald",
      rhel: "mkdir -p /etc/systemd/journald.conf.d && printf '[Journal]\\nStorage=persistent\\n' > /etc/systemd/journald.conf.d/persistent.conf && systemctl restart systemd-journald",
    },
    verdict: (f) => {
      const syslog = f.syslogFiles.length > 0 ? [`syslog files: ${f.syslogFiles.join(', ')}`] : [];
      if (!f.journalStorage.known) {
        if (f.syslogFiles.length > 0) return verdict('pass', 'no journald; the kernel log goes to syslog files', evidence(f.journalStorage), ...syslog);
        if (f.journalStorage.why === 'denied') return skipped(f.journalStorage);
        return verdict('fail', 'no journald and no syslog file: kernel messages do not survive a reboot', evidence(f.journalStorage));
      }
      const storage = f.journalStorage.value;
      const dir = f.journalDir.known && f.journalDir.value;
      const ev = [evidence(f.journalStorage, (s) => `Storage=${s}`), `/var/log/journal: ${dir ? 'present' : 'absent'}`, ...syslog];
      if (storage === 'persistent' || (storage === 'auto' && dir)) return verdict('pass', `journal is persistent (Storage=${storage})`, ...ev);
      if (f.syslogFiles.length > 0) return verdict('warn', `journal is volatile (Storage=${storage}${dir ? '' : ', no /var/log/journal'}); only syslog files keep kernel lines`, ...ev);
      return verdict('fail', `journal is volatile (Storage=${storage}${storage === 'auto' ? ' and no /var/log/journal' : ''}): the log of a crashed boot is lost`, ...ev);
    },
  },
  {
    id: 'previous-boot-journal',
    area: 'logs',
    title: "previous boot's journal readable",
    reads: ['journalctl --list-boots'],
    why: 'After an unexplained reboot, `journalctl -k -b -1` (and `ktriage analyze --boot -1`) is the first place to look; it needs the earlier boot in the journal.',
    fix: { debian: 'make the journal persistent (see journal-persistent); boots from then on are kept', rhel: 'make the journal persistent (see journal-persistent); boots from then on are kept' },
    verdict: (f) => {
      if (!f.journalBoots.known) return skipped(f.journalBoots);
      const n = f.journalBoots.value;
      if (n >= 2) return verdict('pass', `${n} boots in the journal`, evidence(f.journalBoots, () => `${n} boots`));
      return verdict('warn', `${n} boot${n === 1 ? '' : 's'} in the journal: no earlier boot to look back at`, evidence(f.journalBoots, () => `${n} boots`));
    },
  },
  {
    id: 'ring-buffer-size',
    area: 'logs',
    title: 'kernel ring buffer size',
    reads: ['/proc/cmdline log_buf_len=', '/boot/config-<release> CONFIG_LOG_BUF_SHIFT'],
    why: 'vmcore-dmesg, pstore and a late dmesg read the ring buffer; when it wraps, the boot messages and the lines that led to a crash are overwritten.',
    fix: { debian: 'add log_buf_len=1M to GRUB_CMDLINE_LINUX in /etc/default/grub && update-grub', rhel: 'grubby --update-kernel=ALL --args=log_buf_len=1M' },
    verdict: (f) => {
      if (!f.logBufBytes.known) return skipped(f.logBufBytes);
      const n = f.logBufBytes.value;
      const ev = evidence(f.logBufBytes, (b) => bytes(b));
      if (n >= RING_BUFFER_ENOUGH) return verdict('pass', `${bytes(n)}`, ev);
      return verdict('warn', `${bytes(n)} (the kernel may grow it per CPU); 1 MiB or more keeps a long boot`, ev);
    },
  },
];
