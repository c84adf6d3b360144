#!/bin/bash
# Real boot-path panics from a real kernel: boots the panic lab's Debian kernel under QEMU in two
# broken ways and keeps the serial console.
#   no-root:     no initramfs and root=/dev/vda1 on a machine without that disk, so the kernel
#                panics with `VFS: Unable to mount root fs on unknown-block(0,0)`;
#   init-exits:  the lab's busybox initramfs with rdinit=/bin/busybox false, so PID 1 exits with
#                status 1 and the kernel panics with `Attempted to kill init! exitcode=0x00000100`.
#   LABWORK=/var/tmp/panic-lab scripts/lab/boot-failures.sh OUTDIR   (after ../shared/lab/make-lab.sh)
set -euo pipefail
. "$(dirname "$0")/lab-env.sh"
OUT=$(realpath -m "${1:?usage: boot-failures.sh OUTDIR}")
INITRD="$LAB_INITRDS/crash.gz"
mkdir -p "$OUT"

boot() { # NAME APPEND [extra qemu args...]
	local name=$1 append=$2; shift 2
	rm -f "$OUT/$name.log"
	timeout 300 qemu-system-x86_64 -machine pc -accel tcg -m 256M -display none -vga none -nic none -no-reboot \
		-kernel "$VMLINUZ" -append "console=ttyS0 panic=-1 $append" -serial "file:$OUT/$name.log" "$@" >/dev/null 2>&1 || true
	grep -a -q 'Kernel panic' "$OUT/$name.log" || { echo "no panic in $OUT/$name.log" >&2; exit 1; }
}

boot no-root 'root=/dev/vda1'
boot init-exits 'rdinit=/bin/busybox false' -initrd "$INITRD"
grep -a -h 'Kernel panic' "$OUT"/*.log
