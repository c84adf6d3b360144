#!/bin/bash
# Records drgn's answers for the inspection commands (scripts/lab/drgn-inspect-truth.py) next
# to every dump of a panic-lab run: truth.drgn-inspect.<dump>.json. Needs the lab's -dbg vmlinux.
#   scripts/lab/inspect-truth.sh /var/tmp/panic-lab/out/6.1.0-57-cloud-amd64/PANIC ...
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
for d in "$@"; do
	krel=$(basename "$(dirname "$d")"); lab=$(dirname "$(dirname "$(dirname "$d")")")
	vmlinux="$lab/cache/x-$krel/dbg/usr/lib/debug/boot/vmlinux-$krel"
	syms=(-s "$vmlinux")
	for ko in "$lab/build/lkdtm-$krel/lkdtm.ko" $(find "$lab/cache/x-$krel/dbg/usr/lib/debug/lib/modules" -name '*.ko' 2>/dev/null); do
		[ -e "$ko" ] && syms+=(-s "$ko")
	done
	for f in "$d"/vmcore.*; do
		dn=$(basename "$f"); dn="${dn#vmcore.}"
		drgn -q -c "$f" "${syms[@]}" "$HERE/drgn-inspect-truth.py" > "$d/truth.drgn-inspect.$dn.json" 2> "$d/truth.drgn-inspect.$dn.stderr" || echo "drgn failed on $f" >&2
	done
done
