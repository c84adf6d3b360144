// Compares every page of two kdump-compressed dumps of the same memory (e.g. -d 31 stored raw vs
// lzo/zlib/snappy/zstd), as read by ktriage: checks the page decoders on every page, not only the
// log pages. Usage: node scripts/lab/compare-pages.mjs A B  (npm run build first)
import { FileSource } from '../../dist/vmcore/byte-source.js';
import { KdumpCompressed } from '../../dist/vmcore/kdump-compressed.js';
const [a, b] = process.argv.slice(2).map((p) => new KdumpCompressed(FileSource.open(p), 'kdump-compressed'));
let same = 0, diff = 0;
const t = performance.now();
const pages = Math.min(a.facts["max pfn"], b.facts["max pfn"]);
for (let pfn = 0; pfn < pages; pfn++) {
  const x = a.read(pfn * 4096, 4096), y = b.read(pfn * 4096, 4096);
  if (x.equals(y)) same++; else diff++;
}
console.log(`${same} pages equal, ${diff} differ, ${(performance.now() - t).toFixed(0)} ms`);
