#!/bin/bash
# Real storage distress from a real kernel: boots the panic lab's Debian kernel under QEMU with an
# ext4 disk behind QEMU's blkdebug driver, which fails reads of chosen blocks with EIO; the guest
# mounts the disk and reads a file and two directories. The serial console shows the kernel's own
# `I/O error, dev vda`, `EXT4-fs error` and `Remounting filesystem read-only` lines.
#   LABWORK=/var/tmp/panic-lab scripts/lab/storage-errors.sh OUT.log   (after ../shared/lab/make-lab.sh)
set -euo pipefail
. "$(dirname "$0")/lab-env.sh"
OUT=$(realpath -m "${1:?usage: storage-errors.sh OUT.log}")
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
cd "$W"

mkdir -p src/dir1 src/dir2 root
head -c 1048576 /dev/urandom > src/data
for i in $(seq 1 50); do echo "file $i" > src/dir1/f$i; done
for i in $(seq 1 40); do echo "g $i" > src/dir2/g$i; done
mke2fs -q -t ext4 -b 4096 -d src disk.img 64M
block() { debugfs -R "$1" disk.img 2>/dev/null; }
DATA=$(block "bmap data 0"); DIR1=$(block "bmap dir1 0")
INODE=$(block "ls -l dir2" | awk '/g40/{print $1}')
ITABLE=$(block "imap <$INODE>" | awk '/located at block/{print $4}' | tr -d ,)
for sector in $((DATA * 8 + 64)) $((DIR1 * 8)) $((ITABLE * 8)); do
	printf '[inject-error]\nevent = "read_aio"\nerrno = "5"\nsector = "%s"\n\n' "$sector"
done > blkdebug.conf

INIT_HEAD=$(unpack_busybox_root root)
cat > root/init <<INIT
$INIT_HEAD
sleep 1
echo "ktriage-lab: mounting /dev/vda" > /dev/kmsg
mount -t ext4 -o errors=remount-ro /dev/vda /mnt
cat /mnt/data > /dev/null; ls /mnt/dir1 > /dev/null; ls -l /mnt/dir2 > /dev/null
echo new > /mnt/newfile; sync
echo "ktriage-lab: done, powering off" > /dev/kmsg
sleep 1; poweroff -f
INIT
chmod +x root/init
(cd root && find . | cpio -o -H newc 2>/dev/null | gzip > ../io.gz)
timeout 300 qemu-system-x86_64 -machine pc -accel tcg -m 256M -display none -vga none -nic none -no-reboot \
	-kernel "$VMLINUZ" -initrd io.gz -append console=ttyS0 \
	-drive file=blkdebug:blkdebug.conf:disk.img,format=raw,if=virtio -serial "file:$OUT" >/dev/null 2>&1 || true
grep -a -E 'I/O error|EXT4-fs' "$OUT" || { echo "no storage errors in $OUT" >&2; exit 1; }
