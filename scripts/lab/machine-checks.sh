#!/bin/bash
# Real machine-check reports from a real kernel: boots Debian's generic 6.1 kernel (the lab's cloud
# kernel is built without CONFIG_X86_MCE) under QEMU with the lab's busybox, and injects machine checks through QEMU's monitor (`mce CPU BANK STATUS MCG_STATUS ADDR MISC`,
# the same #MC a failing CPU or DIMM raises):
#   mce-corrected:  a corrected memory error (UC=0) the kernel finds on its 1 s poll;
#   mce-fatal:      an uncorrected, processor-context-corrupt error (UC=1, PCC=1) that panics.
#   LABWORK=/var/tmp/panic-lab scripts/lab/machine-checks.sh OUTDIR   (after ../shared/lab/make-lab.sh)
set -euo pipefail
. "$(dirname "$0")/lab-env.sh"
OUT=$(realpath -m "${1:?usage: machine-checks.sh OUTDIR}")
GENERIC=${GENERIC:-${KREL%-cloud-amd64}-amd64}
KCACHE="$LABWORK/cache/generic-$GENERIC"
VMLINUZ="$KCACHE/boot/vmlinuz-$GENERIC"
if [ ! -f "$VMLINUZ" ]; then
	mkdir -p "$KCACHE" && (cd "$KCACHE" && apt-get download "linux-image-$GENERIC-unsigned" && dpkg-deb --fsys-tarfile linux-image-*.deb | tar -x ./boot/)
fi
BUSYBOX_INITRD="$LAB_INITRDS/kdump.gz"
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
mkdir -p "$OUT" "$W/root"
(cd "$W/root" && zcat "$BUSYBOX_INITRD" | cpio -id 2>/dev/null)
cat > "$W/root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev
echo 1 > /sys/devices/system/machinecheck/machinecheck0/check_interval
echo "ktriage-lab: ready for machine checks" > /dev/kmsg
while true; do sleep 1; done
INIT
chmod +x "$W/root/init"
(cd "$W/root" && find . | cpio -o -H newc 2>/dev/null | gzip > ../mce.gz)

# monitor SOCKET COMMAND: one HMP command through QEMU's monitor socket.
monitor() { python3 -c 'import socket,sys,time
s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); time.sleep(0.3); s.recv(65536)
s.sendall((sys.argv[2]+"\n").encode()); time.sleep(0.5); print(s.recv(65536).decode(errors="replace"))' "$1" "$2"; }

inject() { # NAME STATUS MCG_STATUS SECONDS_AFTER
	local name=$1 status=$2 mcg=$3 after=$4 log="$OUT/$1.log" sock="$W/$1.sock"
	rm -f "$log"
	qemu-system-x86_64 -machine pc -accel tcg -cpu qemu64,+mce,+mca -m 256M -display none -vga none -nic none -no-reboot \
		-kernel "$VMLINUZ" -initrd "$W/mce.gz" -append "console=ttyS0 panic=-1" -serial "file:$log" \
		-monitor "unix:$sock,server,nowait" >/dev/null 2>&1 &
	local qemu=$!
	for _ in $(seq 1 120); do grep -a -q 'ready for machine checks' "$log" 2>/dev/null && break; sleep 1; done
	# DRAM read error at a physical address (MCA code 0x009f: memory controller, generic read)
	monitor "$sock" "mce 0 4 $status $mcg 0x1234000 0x86" >/dev/null
	sleep "$after"
	kill "$qemu" 2>/dev/null || true; wait "$qemu" 2>/dev/null || true
}

inject mce-corrected 0x9c0000000000009f 0x0 8
inject mce-fatal 0xb20000000000009f 0x4 8
grep -a -h -E 'Hardware Error|Machine check|Kernel panic' "$OUT"/*.log | head -20
