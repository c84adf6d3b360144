# Sourced by the scripts here: where the panic lab (../shared/lab/make-lab.sh) keeps its kernel
# and initramfs images. LABWORK and KREL may be set by the caller.
LABWORK=${LABWORK:-/var/tmp/panic-lab}
KREL=${KREL:-$(ls "$LABWORK/build" | sed -n 's/^initramfs-//p' | head -1)}
VMLINUZ="$LABWORK/cache/x-$KREL/img/boot/vmlinuz-$KREL"
LAB_INITRDS="$LABWORK/build/initramfs-$KREL"   # crash.gz (lkdtm), kdump.gz (busybox and the virtio modules)
