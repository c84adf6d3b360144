import { evidence, skipped, verdict, type CheckRow } from '../check-row.js';

export const BOOT_CHECKS: readonly CheckRow[] = [
  {
    id: 'fallback-kernel',
    area: 'boot path',
    title: 'more than one kernel installed',
    reads: ['/boot/vmlinuz-*'],
    why: 'When a new kernel panics at boot, the previous one in the boot menu is the way back in; with a single kernel there is nothing to fall back to.',
    fix: { debian: 'keep the previous kernel: apt-mark manual linux-image-$(uname -r)', rhel: 'keep at least 2 kernels: installonly_limit=3 in /etc/dnf/dnf.conf' },
    verdict: (f) => {
      if (!f.bootImages.known) return skipped(f.bootImages);
      const kernels = f.bootImages.value.filter((k) => k.kernelLooksValid);
      const ev = evidence(f.bootImages, (ks) => ks.map((k) => k.release).join(', ') || 'no kernel');
      if (kernels.length >= 2) return verdict('pass', `${kernels.length} kernels: ${kernels.map((k) => k.release).join(', ')}`, ev);
      if (kernels.length === 1) return verdict('warn', `only ${kernels[0]?.release ?? ''}: no fallback kernel`, ev);
      if (f.live) return verdict('skip', 'no kernel in /boot (booted some other way: a VM given its kernel directly, or a container)', ev);
      return verdict('fail', 'no kernel in /boot', ev);
    },
  },
  {
    id: 'initramfs-per-kernel',
    area: 'boot path',
    title: 'an initramfs for every kernel',
    reads: ['/boot/initrd.img-*', '/boot/initramfs-*.img', 'their first bytes'],
    why: 'A kernel without its initramfs (or with an empty one from a failed update) cannot mount the root filesystem: the fallback is no fallback.',
    fix: { debian: 'update-initramfs -c -k all', rhel: 'dracut --regenerate-all --force' },
    verdict: (f) => {
      if (!f.bootImages.known) return skipped(f.bootImages);
      const images = f.bootImages.value;
      if (images.length === 0) return verdict('skip', 'no kernel in /boot', `${f.bootImages.from}: no vmlinuz-*`);
      const ev = images.map((k) => `${k.kernel}: initramfs ${k.initramfs ?? 'missing'}${k.initramfsLooksValid === false ? ' (not an initramfs: empty or damaged)' : ''}`);
      const bad = images.filter((k) => !k.initramfs || k.initramfsLooksValid === false);
      if (bad.length === 0) return verdict('pass', `${images.length} of ${images.length} kernels have an initramfs`, ...ev);
      return verdict('fail', `no usable initramfs for ${bad.map((k) => k.release).join(', ')}`, ...ev);
    },
  },
  {
    id: 'running-kernel-modules',
    area: 'boot path',
    title: "running kernel's modules present",
    reads: ['/proc/sys/kernel/osrelease', '/lib/modules/<release>/modules.dep'],
    why: 'If the running kernel\'s modules were removed (an upgrade purged them), nothing can be modprobed: not a driver for a new disk, not netconsole, not the modules kdump needs.',
    fix: { debian: 'apt install --reinstall linux-image-$(uname -r)', rhel: 'dnf reinstall kernel-core-$(uname -r)' },
    verdict: (f) => {
      if (f.modules.known === false && f.modules.why === 'absent') return verdict('skip', 'this kernel has no loadable module support (/proc/modules absent)', f.modules.detail);
      if (f.modulesDir.known) return verdict('pass', `${f.modulesDir.value} present`, evidence(f.modulesDir, () => 'present'));
      if (f.modulesDir.why !== 'absent') return skipped(f.modulesDir);
      return verdict('fail', 'the running kernel has no modules directory', f.modulesDir.detail);
    },
  },
  {
    id: 'dkms-built',
    area: 'boot path',
    title: 'DKMS modules built for every kernel',
    reads: ['/var/lib/dkms/<module>/<version>/<kernel>/', '/boot/vmlinuz-*'],
    why: 'An out-of-tree driver (storage, network, GPU) not built for the fallback kernel makes the fallback unbootable or unreachable.',
    fix: { debian: 'dkms autoinstall -k <release> for each kernel listed (needs linux-headers-<release>)', rhel: 'dkms autoinstall -k <release> for each kernel listed (needs kernel-devel-<release>)' },
    verdict: (f) => {
      if (!f.dkms.known) return skipped(f.dkms);
      const builds = f.dkms.value;
      if (builds.length === 0) return verdict('pass', 'no DKMS modules', evidence(f.dkms, () => 'none'));
      if (!f.bootImages.known) return skipped(f.bootImages);
      const kernels = f.bootImages.value.map((k) => k.release);
      // The running kernel counts too when it loads modules (it may have been booted from elsewhere).
      const running = f.sysctl['kernel/osrelease'];
      if (running.known && f.modules.known && !kernels.includes(String(running.value))) kernels.push(String(running.value));
      if (kernels.length === 0) return verdict('skip', `${builds.length} DKMS module(s), but no kernel here loads modules`, evidence(f.bootImages, () => 'no kernel'));
      const missing = builds.flatMap((b) => kernels.filter((k) => !b.kernels.includes(k)).map((k) => `${b.module}/${b.version} for ${k}`));
      const ev = builds.map((b) => `/var/lib/dkms/${b.module}/${b.version}: ${b.kernels.join(', ') || 'built for no kernel'}`);
      if (missing.length === 0) return verdict('pass', `${builds.length} DKMS module(s) built for every kernel`, ...ev);
      return verdict('fail', `not built: ${missing.join('; ')}`, ...ev);
    },
  },
  {
    id: 'secure-boot',
    area: 'boot path',
    title: 'Secure Boot and unsigned modules',
    reads: ['/sys/firmware/efi/efivars/SecureBoot-*', 'mokutil --sb-state', '/proc/modules (E flag)'],
    why: 'With Secure Boot on, unsigned modules are refused (a DKMS driver not enrolled with MOK will not load) and the crash kernel must be signed; with it off, unsigned code in the kernel goes unnoticed.',
    fix: { debian: 'sign DKMS modules with the MOK key (mokutil --import /var/lib/dkms/mok.pub) or remove unsigned modules', rhel: 'sign out-of-tree modules and enroll the key (mokutil --import), or remove them' },
    verdict: (f) => {
      const unsigned = f.modules.known ? f.modules.value.filter((m) => m.taints.includes('E')).map((m) => m.name) : [];
      const ev = [evidence(f.secureBoot), ...(unsigned.length > 0 ? [`/proc/modules: unsigned ${unsigned.join(', ')}`] : [])];
      if (!f.secureBoot.known) return skipped(f.secureBoot);
      if (f.secureBoot.value === 'not-efi') return verdict('skip', 'not booted through UEFI: no Secure Boot', ...ev);
      if (unsigned.length > 0) return verdict('warn', `Secure Boot ${f.secureBoot.value}; unsigned modules loaded: ${unsigned.join(', ')}`, ...ev);
      return verdict('pass', `Secure Boot ${f.secureBoot.value}; no unsigned module loaded`, ...ev);
    },
  },
];
