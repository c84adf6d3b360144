#!/bin/bash
# A real hang behind failing, slow storage: boots the panic lab's Debian kernel under QEMU with an
# ext4 disk behind QEMU's blkdebug driver (chosen reads fail with EIO) and I/O throttled to a
# trickle; hung_task_timeout_secs is 10. The guest reads the bad blocks (the kernel's own
# `I/O error` and `EXT4-fs error` lines), then writes and syncs 8 MiB, and the hung-task detector
# reports the tasks waiting for that I/O.
#   LABWORK=/var/tmp/panic-lab scripts/lab/storage-hang.sh OUT.log   (after ../shared/lab/make-lab.sh)
set -euo pipefail
. "$(dirname "$0")/lab-env.sh"
OUT=$(realpath -m "${1:?usage: storage-hang.sh OUT.log}")
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
cd "$W"

mkdir -p src root
head -c 1048576 /dev/urandom > src/data
mke2fs -q -t ext4 -b 4096 -d src disk.img 64M
DATA=$(debugfs -R "bmap data 0" disk.img 2>/dev/null)
printf '[inject-error]\nevent = "read_aio"\nerrno = "5"\nsector = "%s"\n\n' $((DATA * 8 + 64)) > blkdebug.conf

INIT_HEAD=$(unpack_busybox_root root)
cat > root/init <<INIT
$INIT_HEAD
echo 10 > /proc/sys/kernel/hung_task_timeout_secs
sleep 1
mount -t ext4 /dev/vda /mnt
cat /mnt/data > /dev/null
echo "ktriage-lab: writing through throttled storage" > /dev/kmsg
dd if=/dev/zero of=/mnt/big bs=1M count=8 2>/dev/null &
sleep 2; sync &
sleep 45
echo "ktriage-lab: done, powering off" > /dev/kmsg
poweroff -f
INIT
chmod +x root/init
(cd root && find . | cpio -o -H newc 2>/dev/null | gzip > ../io.gz)
timeout 300 qemu-system-x86_64 -machine pc -accel tcg -m 256M -display none -vga none -nic none -no-reboot \
	-kernel "$VMLINUZ" -initrd io.gz -append console=ttyS0 \
	-drive file=blkdebug:blkdebug.conf:disk.img,format=raw,if=virtio,throttling.bps-total=4096,throttling.iops-total=2 \
	-serial "file:$OUT" >/dev/null 2>&1 || true
grep -a -E 'I/O error|blocked for more than' "$OUT" || { echo "no storage errors or hang in $OUT" >&2; exit 1; }
