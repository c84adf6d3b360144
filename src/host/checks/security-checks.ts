import { evidence, skipped, verdict, type CheckRow } from '../check-row.js';

const octal = (mode: number): string => `0${mode.toString(8).padStart(3, '0')}`;

export const SECURITY_CHECKS: readonly CheckRow[] = [
  {
    id: 'dmesg-restrict',
    area: 'crash data security',
    title: 'kernel.dmesg_restrict',
    reads: ['/proc/sys/kernel/dmesg_restrict'],
    why: 'The kernel log holds addresses, oops register dumps and device details; with 0 any local user reads them.',
    fix: { debian: "echo 'kernel.dmesg_restrict = 1' > /etc/sysctl.d/90-ktriage-dmesg.conf && sysctl -p /etc/sysctl.d/90-ktriage-dmesg.conf", rhel: "echo 'kernel.dmesg_restrict = 1' > /etc/sysctl.d/90-ktriage-dmesg.conf && sysctl -p /etc/sysctl.d/90-ktriage-dmesg.conf" },
    verdict: (f) => {
      const d = f.sysctl['kernel/dmesg_restrict'];
      if (!d.known) return skipped(d);
      if (Number(d.value) > 0) return verdict('pass', 'only privileged users read the kernel log', evidence(d));
      return verdict('warn', 'any user can read the kernel log', evidence(d));
    },
  },
  {
    id: 'kptr-restrict',
    area: 'crash data security',
    title: 'kernel.kptr_restrict',
    reads: ['/proc/sys/kernel/kptr_restrict'],
    why: 'With 0, kernel pointers printed with %pK (in /proc/kallsyms, /proc/modules) are shown to everyone, defeating KASLR; 1 shows them only to root, who still gets them for analysis.',
    fix: { debian: "echo 'kernel.kptr_restrict = 1' > /etc/sysctl.d/90-ktriage-kptr.conf && sysctl -p /etc/sysctl.d/90-ktriage-kptr.conf", rhel: "echo 'kernel.kptr_restrict = 1' > /etc/sysctl.d/90-ktriage-kptr.conf && sysctl -p /etc/sysctl.d/90-ktriage-kptr.conf" },
    verdict: (f) => {
      const k = f.sysctl['kernel/kptr_restrict'];
      if (!k.known) return skipped(k);
      if (Number(k.value) > 0) return verdict('pass', `kernel pointers hidden from unprivileged users (${k.value})`, evidence(k));
      return verdict('warn', 'kernel pointers visible to every user', evidence(k));
    },
  },
  {
    id: 'crash-dir-permissions',
    area: 'crash data security',
    title: 'permissions of the dump directory',
    reads: ['KDUMP_COREDIR / path (default /var/crash) and the dumps in it'],
    why: 'A vmcore is a copy of memory: keys, passwords, other users\' data. Dumps readable by others leak all of it.',
    fix: { debian: 'chmod 0700 /var/crash && chmod -R go-rwx /var/crash/*', rhel: 'chmod 0700 /var/crash && chmod -R go-rwx /var/crash/*' },
    verdict: (f) => {
      if (!f.crashDir.known) {
        if (f.crashDir.why === 'absent') return verdict('skip', `${f.crashDir.from} does not exist yet`, f.crashDir.detail);
        return skipped(f.crashDir);
      }
      const { path, mode, entries } = f.crashDir.value;
      const open = entries.filter((e) => (e.mode & 0o004) !== 0);
      const ev = [`${path}: mode ${octal(mode)}`, ...entries.map((e) => `${path}/${e.name}: mode ${octal(e.mode)}`)];
      const dirOpen = (mode & 0o005) !== 0;
      if (dirOpen && open.length > 0) return verdict('fail', `dumps readable by every user: ${open.map((e) => e.name).join(', ')}`, ...ev);
      if ((mode & 0o002) !== 0 && (mode & 0o1000) === 0) return verdict('fail', `${path} is world-writable`, ...ev);
      if (dirOpen) return verdict('warn', `${path} can be listed by every user (${octal(mode)}); dumps inside are not readable by others`, ...ev);
      return verdict('pass', `${path} closed to other users (${octal(mode)})`, ...ev);
    },
  },
];
