# Sourced by the scripts here: where the panic lab (../shared/lab/make-lab.sh) keeps its kernel
# and initramfs images. LABWORK and KREL may be set by the caller.
LABWORK=${LABWORK:-/var/tmp/panic-lab}
KREL=${KREL:-$(ls "$LABWORK/build" | sed -n 's/^initramfs-//p' | head -1)}
VMLINUZ="$LABWORK/cache/x-$KREL/img/boot/vmlinuz-$KREL"
LAB_INITRDS="$LABWORK/build/initramfs-$KREL"   # crash.gz (lkdtm), kdump.gz (busybox and the virtio modules)

# unpack_busybox_root DIR: the lab's busybox initramfs (with the virtio modules) unpacked into DIR;
# prints the first lines of an /init that mounts /proc, /sys, /dev and loads those modules.
unpack_busybox_root() {
	(cd "$1" && zcat "$LAB_INITRDS/kdump.gz" | cpio -id 2>/dev/null)
	local modules
	modules=$(tr '\n' ' ' < "$1/lib/modules/order.capture")
	printf '%s\n' '#!/bin/busybox sh' '/bin/busybox --install -s /bin' \
		'mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev' \
		"for m in $modules; do insmod /lib/modules/\$m.ko; done"
}
