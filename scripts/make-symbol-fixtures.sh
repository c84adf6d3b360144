#!/bin/sh
# Regenerates test/fixtures/symbols/: small real ELF files with DWARF 4 and 5 (plain and
# zlib/zstd-compressed debug sections), the lab's lkdtm.ko, and what GNU addr2line says about
# every code address in them (the expected answers of test/symbols/).
#   sh scripts/make-symbol-fixtures.sh [LKDTM_KO]
set -eu
dir=test/fixtures/symbols
lkdtm=${1:-/var/tmp/panic-lab/build/lkdtm-6.1.0-56-cloud-amd64/lkdtm.ko}
cd "$(dirname "$0")/.."

gcc -O2 -g -gdwarf-4 -o $dir/inline-demo-dwarf4 $dir/inline-demo.c
gcc -O2 -g -gdwarf-5 -o $dir/inline-demo-dwarf5 $dir/inline-demo.c
gcc -O2 -g -gdwarf-5 -gz=zlib -o $dir/inline-demo-dwarf5-zlib $dir/inline-demo.c
objcopy --compress-debug-sections=zstd $dir/inline-demo-dwarf5 $dir/inline-demo-dwarf5-zstd

# Every byte of .text, as addr2line -f -i -a prints it.
for f in inline-demo-dwarf4 inline-demo-dwarf5 inline-demo-dwarf5-zlib inline-demo-dwarf5-zstd; do
  set -- $(readelf -SW $dir/$f | sed 's/\[ */[/' | awk '$2==".text" {print $4, $6}')
  start=$((0x$1)); size=$((0x$2))
  i=0; : > /tmp/addrs.$$
  while [ $i -lt $size ]; do printf '0x%x\n' $((start + i)) >> /tmp/addrs.$$; i=$((i + 1)); done
  addr2line -f -i -a -e $dir/$f < /tmp/addrs.$$ > $dir/$f.addr2line.txt
done

# lkdtm.ko: addresses from 0x44 (past the two note sections, so .text is the first section
# holding them) to the end of .text, every 3rd byte.
cp "$lkdtm" /tmp/lkdtm.$$.ko
gzip -9 -n -c /tmp/lkdtm.$$.ko > $dir/lkdtm.ko.gz
xz -9 -c /tmp/lkdtm.$$.ko > $dir/lkdtm.ko.xz
set -- $(readelf -SW /tmp/lkdtm.$$.ko | sed 's/\[ */[/' | awk '$2==".text" {print $6}')
size=$((0x$1)); i=$((0x44)); : > /tmp/addrs.$$
while [ $i -lt $size ]; do printf '0x%x\n' $i >> /tmp/addrs.$$; i=$((i + 3)); done
addr2line -f -i -a -e /tmp/lkdtm.$$.ko < /tmp/addrs.$$ > $dir/lkdtm.ko.addr2line.txt
# The two lkdtm frames of the ACCESS_NULL oops, in .text.unlikely: -j makes the address
# section-relative (addr2line cannot reach .text.unlikely otherwise).
nm /tmp/lkdtm.$$.ko | awk '$3=="lkdtm_ACCESS_NULL" || $3=="direct_entry.cold"' > $dir/lkdtm.ko.nm.txt
null=$(awk '$3=="lkdtm_ACCESS_NULL" {print $1}' $dir/lkdtm.ko.nm.txt)
cold=$(awk '$3=="direct_entry.cold" {print $1}' $dir/lkdtm.ko.nm.txt)
{ echo "# addr2line -f -i -j .text.unlikely: RIP lkdtm_ACCESS_NULL+0x14, return address direct_entry.cold+0x18 - 1"
  addr2line -f -i -a -j .text.unlikely -e /tmp/lkdtm.$$.ko $(printf '0x%x 0x%x' $((0x$null + 0x14)) $((0x$cold + 0x18 - 1)))
} > $dir/lkdtm-access-null.addr2line.txt
cp /var/tmp/panic-lab/out/6.1.0-56-cloud-amd64/ACCESS_NULL/console.log $dir/lkdtm-access-null-console.log
rm -f /tmp/addrs.$$ /tmp/lkdtm.$$.ko
ls -la $dir
