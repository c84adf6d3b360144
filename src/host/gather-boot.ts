import type { HostReader } from './host-reader.js';
import { known, unknown, type Fact } from './fact.js';

export interface BootImage {
  release: string;
  kernel: string;
  /** Bytes; the head is checked, so a zero or truncated-at-0 image shows. */
  kernelLooksValid: boolean;
  initramfs?: string;
  initramfsLooksValid?: boolean;
}

/** Names each family gives the initramfs of kernel `v`: Debian/Ubuntu, RHEL/Fedora, SUSE. */
const INITRAMFS_NAMES = (v: string): string[] => [`initrd.img-${v}`, `initramfs-${v}.img`, `initrd-${v}`];

/** First bytes of an initramfs: a cpio archive or one of the compressors the kernel unpacks. */
const INITRAMFS_MAGIC: readonly Buffer[] = [
  Buffer.from('070701'), // newc cpio (also an uncompressed early-microcode prefix)
  Buffer.from('070702'),
  Buffer.from([0x1f, 0x8b]), // gzip
  Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), // zstd
  Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a]), // xz
  Buffer.from([0x02, 0x21, 0x4c, 0x18]), // lz4 legacy
  Buffer.from([0x5d, 0x00, 0x00]), // lzma
  Buffer.from('BZh'),
];

/** Installed kernels in /boot and the initramfs each would boot with. */
export async function gatherBootImages(reader: HostReader): Promise<Fact<BootImage[]>> {
  const names = await reader.list('/boot');
  if (names === undefined) return unknown('/boot', 'absent', '/boot: not present');
  const images: BootImage[] = [];
  for (const kernel of names.filter((n) => /^vmlinu[xz]-./.test(n))) {
    const release = kernel.replace(/^vmlinu[xz]-/, '');
    const head = await reader.readHead(`/boot/${kernel}`, 0x206);
    const image: BootImage = { release, kernel: `/boot/${kernel}`, kernelLooksValid: looksLikeKernel(head) };
    const initramfs = INITRAMFS_NAMES(release).find((n) => names.includes(n));
    if (initramfs) {
      image.initramfs = `/boot/${initramfs}`;
      image.initramfsLooksValid = looksLikeInitramfs(await reader.readHead(`/boot/${initramfs}`, 8));
    }
    images.push(image);
  }
  return known(images, '/boot');
}

/** x86 bzImage (`HdrS` at 0x202), an EFI stub (`MZ`) or an ELF vmlinux; anything non-empty elsewhere. */
function looksLikeKernel(head: Buffer | undefined): boolean {
  if (!head || head.length === 0) return false;
  if (head.subarray(0x202, 0x206).toString('latin1') === 'HdrS') return true;
  const start = head.subarray(0, 4).toString('latin1');
  return start.startsWith('MZ') || start === '\x7fELF' || !head.every((b) => b === 0);
}

function looksLikeInitramfs(head: Buffer | undefined): boolean {
  if (!head || head.length === 0) return false;
  return INITRAMFS_MAGIC.some((m) => head.subarray(0, m.length).equals(m));
}

export interface DkmsBuild {
  module: string;
  version: string;
  /** Kernel releases it is built for. */
  kernels: string[];
}

/** /var/lib/dkms/<module>/<version>/<kernel>/<arch>/: one directory per kernel a module was built for. */
export async function gatherDkms(reader: HostReader): Promise<Fact<DkmsBuild[]>> {
  const root = '/var/lib/dkms';
  const modules = await reader.list(root);
  if (modules === undefined) return known([], `${root} (absent: no DKMS modules)`);
  const builds: DkmsBuild[] = [];
  for (const module of modules) {
    const entries = await reader.list(`${root}/${module}`);
    if (entries === undefined) continue;
    for (const version of entries.filter((v) => !v.startsWith('kernel-') && v !== 'original_module')) {
      const kernels = ((await reader.list(`${root}/${module}/${version}`)) ?? []).filter((k) => k !== 'source' && k !== 'build');
      builds.push({ module, version, kernels });
    }
  }
  return known(builds, root);
}
