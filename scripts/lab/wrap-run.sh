#!/bin/bash
# Two more real crashes of the panic lab's guest, for the printk cases the standard runs lack:
#   SYSRQ-wrap      initcall_debug memblock=debug pci=earlydump dyndbg=+p ignore_loglevel: extra records overflow the 128 KiB
#                   text ring, so the ring has wrapped and the oldest records are gone;
#   SYSRQ-logbuf4M  log_buf_len=4M: the ring is allocated from memblock at boot, so it lives in
#                   the direct map (not the kernel image) and is reached through the page tables;
#   SYSRQ-la57-logbuf4M  the same on a CPU with 5-level paging (QEMU TCG `-cpu qemu64,+la57`,
#                   added by a qemu-system-x86_64 wrapper first in PATH): a 5-level page walk.
# Needs a built lab (../shared/lab/make-lab.sh: kernel, initramfs in $LABWORK). Writes
# $LABWORK/out-vmcore/<run>/ with the QEMU dumps, makedumpfile -d 31 conversions and the
# reference tools' dmesg. Run as root; ~1-2 min per run on 2 cores.
set -euo pipefail
LAB="${LAB:-/work/shared/lab}"
LABWORK="${LABWORK:-/var/tmp/panic-lab}"
KREL="${KREL:-6.1.0-56-cloud-amd64}"
OUT="$LABWORK/out-vmcore/$KREL"
VMLINUZ="$LABWORK/cache/x-$KREL/img/boot/vmlinuz-$KREL"
INITRD="$LABWORK/build/initramfs-$KREL/crash.gz"
BASE="console=ttyS0 oops=panic panic_on_warn=1 softlockup_panic=1 sysctl.kernel.hung_task_panic=1 crashtype=SYSRQ"
[ -e "$VMLINUZ" ] && [ -e "$INITRD" ] || { echo "no built lab under $LABWORK (run make-lab.sh first)" >&2; exit 1; }
run() { # name extra-cmdline [extra qemu args]
	local d="$OUT/$1" path="$PATH"
	rm -rf "$d"; mkdir -p "$d"
	echo "$BASE $2" > "$d/cmdline.txt"
	if [ -n "${3:-}" ]; then # qemu_crash.py runs `qemu-system-x86_64` from PATH: put a wrapper first
		mkdir -p "$d/.qemu-wrapper"
		printf '#!/bin/sh\nexec /usr/bin/qemu-system-x86_64 "$@" %s\n' "$3" > "$d/.qemu-wrapper/qemu-system-x86_64"
		chmod +x "$d/.qemu-wrapper/qemu-system-x86_64"
		path="$d/.qemu-wrapper:$PATH"
	fi
	PATH="$path" /usr/bin/python3 "$LAB/lib/qemu_crash.py" --kernel "$VMLINUZ" --initrd "$INITRD" --append "$BASE $2" \
		--outdir "$d" --mem 128M --timeout 120 --formats elf,kdump-zlib --paging-elf > "$d/.harness.out" 2>&1
	chmod 644 "$d"/vmcore.*
	# makedumpfile 1.7 needs the program headers at 64 (the lab's fix, no memory byte moves)
	/usr/bin/python3 "$LAB/lib/elf_phoff_fix.py" "$d/vmcore.elf" "$d/phoff64.elf"
	makedumpfile -l -d 31 "$d/phoff64.elf" "$d/vmcore.mdf-d31-lzo" > /dev/null 2>&1
	makedumpfile -E -d 31 "$d/phoff64.elf" "$d/vmcore.mdf-d31-elf" > /dev/null 2>&1
	rm -f "$d/phoff64.elf"
	vmcore-dmesg "$d/vmcore.elf-paging" > "$d/truth.vmcore-dmesg.txt"
	makedumpfile --dump-dmesg "$d/vmcore.mdf-d31-lzo" "$d/truth.makedumpfile-dmesg.txt" > /dev/null 2>&1
	echo "$1: $(ls "$d" | tr '\n' ' ')"
}
[ "${ONLY:-}" = la57 ] || run SYSRQ-wrap "initcall_debug ignore_loglevel memblock=debug pci=earlydump dyndbg=+p"
[ "${ONLY:-}" = wrap ] || [ "${ONLY:-}" = la57 ] || run SYSRQ-logbuf4M "log_buf_len=4M"
[ "${ONLY:-}" = wrap ] || run SYSRQ-la57-logbuf4M "log_buf_len=4M" "-cpu qemu64,+la57"
