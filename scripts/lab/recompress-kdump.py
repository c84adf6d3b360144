#!/usr/bin/python3
"""Re-encodes a kdump-compressed dump whose pages makedumpfile stored uncompressed (made with
`makedumpfile -d 31 IN OUT`, no -c/-l) with snappy or zstd pages, the way `makedumpfile -p` / `-z`
write them, for makedumpfiles built without those libraries (Debian 12's):

- every dumped page is compressed on its own: snappy.compress (libsnappy, raw format) or
  zstd level 1 with the content size in the frame header (libzstd's ZSTD_compress);
- a page whose compressed form is not smaller than the page is stored raw with flags 0;
- descriptors that share one data offset (makedumpfile's single zero-page descriptor) still do;
- the header's status gets DUMP_DH_COMPRESSED_SNAPPY (0x4) or _ZSTD (0x20).

Header, sub-header, notes, VMCOREINFO and bitmaps are copied byte for byte; only the descriptor
table and the page data are rewritten. Usage: recompress-kdump.py snappy|zstd IN OUT
(needs python3-snappy / python3-zstandard).
"""
import struct
import sys

kind, src, dst = sys.argv[1], sys.argv[2], sys.argv[3]
if kind == "snappy":
    import snappy
    compress, flag = snappy.compress, 0x4
elif kind == "zstd":
    import zstandard
    cctx = zstandard.ZstdCompressor(level=1, write_content_size=True)
    compress, flag = cctx.compress, 0x20
else:
    sys.exit("kind is snappy or zstd")

with open(src, "rb") as f:
    data = f.read()
assert data[:8] == b"KDUMP   ", "not kdump-compressed"
status, block, sub_blocks, bitmap_blocks = struct.unpack_from("<IiiI", data, 424)
assert status & 0x27 == 0, "pages must be stored uncompressed"
bitmap_at = (1 + sub_blocks) * block
half = bitmap_blocks * block // 2
dumped = sum(bin(b).count("1") for b in data[bitmap_at + half: bitmap_at + 2 * half])
descs_at = bitmap_at + 2 * half
data_at = descs_at + dumped * 24

out = bytearray(data[:descs_at])
struct.pack_into("<I", out, 424, status | flag)
table = bytearray()
pages = bytearray()
moved = {}
for i in range(dumped):
    off, size, flags, page_flags = struct.unpack_from("<qIIQ", data, descs_at + 24 * i)
    assert flags == 0 and size == block
    if off not in moved:
        raw = data[off:off + size]
        packed = compress(raw)
        if len(packed) < block:
            moved[off] = (data_at + len(pages), len(packed), flag)
            pages += packed
        else:
            moved[off] = (data_at + len(pages), block, 0)
            pages += raw
    new_off, new_size, new_flags = moved[off]
    table += struct.pack("<qIIQ", new_off, new_size, new_flags, page_flags)
with open(dst, "wb") as f:
    f.write(out + table + pages)
print(f"{dst}: {dumped} pages, {len(moved)} stored, {kind}")
