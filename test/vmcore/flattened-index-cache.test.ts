/**
 * A flattened dump's record index is kept on disk between runs: the next open reads no record
 * header, and a damaged cache file or a changed dump is indexed again, never trusted.
 */
import { mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDmesg } from '../../src/vmcore/dmesg-text.js';
import { readKernelLog } from '../../src/vmcore/kernel-log.js';
import { openVmcore } from '../../src/vmcore/open-vmcore.js';
import { damageableDump, dumpPath, truth } from './fixtures.js';

/** Opens the dump with the cache in `dir`: its log, how many reads the opening took, the flattened record count. */
function openWithCache(path: string, dir: string) {
  let reads = 0;
  const core = openVmcore(path, {
    indexCacheDir: dir,
    onFile: (file) => (file.onRead = () => void reads++),
  });
  try {
    const readsToOpen = reads;
    const log = formatDmesg(readKernelLog(core).records, 'vmcore-dmesg');
    return { log, readsToOpen, damaged: core.damaged };
  } finally {
    core.close();
  }
}

const cacheFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.bin'));

describe('flattened dump index cache', () => {
  it('is written on the first open and spares the next one its 2,684 header reads; the log is the same', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ktriage-index-'));
    const path = dumpPath('bug.kdump-zlib');
    const first = openWithCache(path, dir);
    expect(first.log.equals(truth('bug', 'vmcore-dmesg'))).toBe(true);
    expect(first.readsToOpen).toBeGreaterThan(2684);
    expect(cacheFiles(dir)).toHaveLength(1);
    const second = openWithCache(path, dir);
    expect(second.readsToOpen).toBeLessThan(20);
    expect(second.log.equals(first.log)).toBe(true);
  });

  it('indexes again when the cache file is damaged or foreign, and rewrites it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ktriage-index-'));
    const path = dumpPath('bug.mdf-F-lzo');
    openWithCache(path, dir);
    const [name] = cacheFiles(dir);
    const file = join(dir, name as string);
    const good = readFileSync(file);
    const damages: Buffer[] = [
      Buffer.from('not an index at all'),
      good.subarray(0, good.length - 7), // cut short
      Buffer.concat([good.subarray(0, 12), Buffer.from([0xff, 0xff, 0xff, 0x7f]), good.subarray(16)]), // record count
    ];
    // A record moved: the index no longer follows the file (the first record's data offset, in
    // the third column after the 56-byte header and the note padded to 8 bytes).
    const moved = Buffer.from(good);
    const count = moved.readUInt32LE(12);
    const firstAt = 56 + ((moved.readUInt32LE(48) + 7) & ~7) + 2 * count * 8;
    moved.writeDoubleLE(moved.readDoubleLE(firstAt) + 8, firstAt);
    damages.push(moved);
    for (const damaged of damages) {
      writeFileSync(file, damaged);
      const again = openWithCache(path, dir);
      expect(again.readsToOpen).toBeGreaterThan(100);
      expect(again.log.equals(truth('bug', 'vmcore-dmesg'))).toBe(true);
      expect(readFileSync(file).equals(good)).toBe(true);
    }
  });

  it('keys the index by the file: a dump rewritten (another mtime) is indexed anew', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ktriage-index-'));
    const path = damageableDump('sysrq-wrap.kdump-zlib');
    openWithCache(path, dir);
    utimesSync(path, new Date(), new Date(Date.now() + 5000));
    const after = openWithCache(path, dir);
    expect(after.readsToOpen).toBeGreaterThan(100);
    expect(cacheFiles(dir)).toHaveLength(2);
    expect(after.log.equals(truth('sysrq-wrap', 'vmcore-dmesg'))).toBe(true);
  });

  it('still reads the dump when the cache cannot be written', () => {
    const blocker = join(mkdtempSync(join(tmpdir(), 'ktriage-index-')), 'not-a-dir');
    writeFileSync(blocker, 'a file where the cache folder would go');
    const r = openWithCache(dumpPath('bug.kdump-zlib'), join(blocker, 'dump-index'));
    expect(r.log.equals(truth('bug', 'vmcore-dmesg'))).toBe(true);
  });
});
