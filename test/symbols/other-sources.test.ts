/** Symbol files found by build id (debug directory, debuginfod over HTTP) and System.map answers. */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ElfFile } from '../../src/symbols/elf-file.js';
import { FileSymbolSource } from '../../src/symbols/symbol-source.js';
import { resolve } from '../../src/symbols/symbolize-reports.js';
import { SystemMap } from '../../src/symbols/system-map.js';
import { fetchDebuginfo } from '../../src/symbols/debuginfod-client.js';
import { fixture } from './helpers.js';

const DEMO = fixture('inline-demo-dwarf4');
const DEMO_ID = ElfFile.open(DEMO).buildId() as string;

describe('build id look-ups', () => {
  it('finds DIR/.build-id/xx/rest.debug', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kt-debug-'));
    fs.mkdirSync(path.join(dir, '.build-id', DEMO_ID.slice(0, 2)), { recursive: true });
    fs.copyFileSync(DEMO, path.join(dir, '.build-id', DEMO_ID.slice(0, 2), `${DEMO_ID.slice(2)}.debug`));
    const source = new FileSymbolSource({ debugDirs: [dir] });
    expect(source.byBuildId(DEMO_ID)?.elf.buildId()).toBe(DEMO_ID);
    expect(source.byBuildId('00'.repeat(20))).toBeUndefined();
  });

  describe('debuginfod (a loopback server speaking the protocol)', () => {
    let server: http.Server;
    let url = '';
    const requests: string[] = [];
    beforeAll(async () => {
      server = http.createServer((req, res) => {
        requests.push(req.url ?? '');
        if (req.url === `/buildid/${DEMO_ID}/debuginfo`) {
          res.writeHead(200, { 'content-type': 'application/octet-stream' });
          fs.createReadStream(DEMO).pipe(res);
        } else {
          res.writeHead(404);
          res.end('not found');
        }
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it('downloads /buildid/ID/debuginfo once into the cache, and the file resolves addresses', async () => {
      const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'kt-debuginfod-'));
      const notes: string[] = [];
      const file = await fetchDebuginfo(DEMO_ID, [`${url}/`], cache, notes);
      expect(file).toBe(path.join(cache, DEMO_ID, 'debuginfo'));
      expect(fs.readFileSync(file as string).equals(fs.readFileSync(DEMO))).toBe(true);
      await fetchDebuginfo(DEMO_ID, [url], cache, notes);
      expect(requests.filter((r) => r.includes(DEMO_ID))).toHaveLength(1);
      expect(notes).toEqual([]);

      const source = new FileSymbolSource({ debugDirs: [] });
      await source.prefetch([DEMO_ID], [url], cache);
      const demo = source.byBuildId(DEMO_ID);
      const main = demo?.functionSymbol('main');
      expect(main).toBeDefined();
      expect(demo?.lookup(main?.address ?? 0n).frames[0]?.function).toBe('main');
    });

    it('a build id no server has: undefined, with the HTTP status in the notes', async () => {
      const notes: string[] = [];
      expect(await fetchDebuginfo('ab'.repeat(20), [url], fs.mkdtempSync(path.join(os.tmpdir(), 'kt-debuginfod-')), notes)).toBeUndefined();
      expect(notes.join()).toContain('HTTP 404');
    });
  });
});

describe('System.map (here: nm -n of the fixture binary, the same format)', () => {
  const map = SystemMap.read(fixture('inline-demo-dwarf4.nm-n.txt'));
  const text = fs.readFileSync(fixture('inline-demo-dwarf4.nm-n.txt'), 'utf8');
  const mainAt = BigInt(`0x${/^([0-9a-f]+) T main$/m.exec(text)?.[1]}`);

  it('finds functions by name and by address', () => {
    expect(map.symbol('main')?.address).toBe(mainAt);
    expect(map.at(mainAt + 5n)).toEqual({ name: 'main', offset: 5 });
  });

  it('answers func+off/size without a vmlinux, and flags a size that does not match', () => {
    const source = { vmlinux: () => undefined, module: () => undefined, systemMap: () => map, notes: [] };
    const size = map.symbol('main')?.size ?? 0;
    const ok = resolve({ function: 'main', offset: '4', size: size.toString(16) }, true, source);
    expect(ok).toMatchObject({ function: 'main', address: (mainAt + 4n).toString(16), inlinedInto: [] });
    expect(ok?.mismatch).toBeUndefined();
    const bad = resolve({ function: 'main', offset: '4', size: (size + 16).toString(16) }, true, source);
    expect(bad?.mismatch).toContain('not the kernel build that crashed');
  });

  it('a file without symbols is KT_E_BAD_FORMAT', () => {
    expect(() => SystemMap.read(fixture('lkdtm-access-null-console.log'))).toThrow(/no text symbols/);
  });
});
