/** A real oops from the panic lab's lkdtm ACCESS_NULL run, resolved with the lab's own lkdtm.ko. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../src/cli/analyze-command.js';
import { annotateTrace } from '../../src/symbols/annotate-trace.js';
import { FileSymbolSource } from '../../src/symbols/symbol-source.js';
import { fixture, readAddr2LineOutput } from './helpers.js';

const LOG = fixture('lkdtm-access-null-console.log');
/** addr2line -f -i -j .text.unlikely on the two lkdtm addresses of this oops (scripts/make-symbol-fixtures.sh). */
const EXPECTED = [...readAddr2LineOutput('lkdtm-access-null.addr2line.txt').values()].map((b) => b.split('\n'));

let modulesDir: string;
beforeAll(() => {
  // A modules directory laid out like /lib/modules/RELEASE, holding lkdtm.ko.gz.
  modulesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kt-modules-'));
  fs.mkdirSync(path.join(modulesDir, 'kernel/drivers/misc/lkdtm'), { recursive: true });
  fs.copyFileSync(fixture('lkdtm.ko.gz'), path.join(modulesDir, 'kernel/drivers/misc/lkdtm/lkdtm.ko.gz'));
});

describe('analyze --modules on a real lkdtm oops', () => {
  it('resolves the faulting RIP exactly and the module return address at address - 1', async () => {
    const result = await analyze({ inputs: [LOG], inputFormat: 'auto', format: 'json', knownIssues: [], exitCode: false, color: false, modules: modulesDir });
    const oops = result.reports[0];
    expect(oops?.ip?.raw).toBe('lkdtm_ACCESS_NULL+0x14/0x53 [lkdtm]');
    const [ripFn, ripWhere] = EXPECTED[0] as string[];
    expect(oops?.ip?.resolved).toMatchObject({ function: ripFn, file: ripWhere?.split(':')[0], line: Number(ripWhere?.split(':')[1]), inlinedInto: [] });
    const frame = oops?.stacks[0]?.frames[0];
    expect(frame?.function).toBe('direct_entry.cold');
    const [fn, where] = EXPECTED[1] as string[];
    expect(frame?.resolved).toMatchObject({ function: fn, file: where?.split(':')[0], line: Number(where?.split(':')[1]) });
    expect(frame?.resolved?.mismatch).toBeUndefined();
    // vmlinux frames stay as they were: no vmlinux was given.
    expect(oops?.stacks[0]?.frames[1]?.function).toBe('full_proxy_write');
    expect(oops?.stacks[0]?.frames[1]?.resolved).toBeUndefined();
    // The diagnosis names where the culprit is: the faulting line in the module's source.
    expect(result.incidents[0]?.diagnosis?.culprit).toEqual({ function: 'lkdtm_ACCESS_NULL', module: 'lkdtm', file: ripWhere?.split(':')[0], line: Number(ripWhere?.split(':')[1]) });
  });

  it('symbolize annotates the report in place', () => {
    const lines = fs.readFileSync(LOG, 'utf8').split('\n');
    const out = annotateTrace(lines, new FileSymbolSource({ modules: modulesDir })).map((l) => l.replace(/\r$/, ''));
    expect(out.find((l) => l.includes('RIP: 0010:lkdtm_ACCESS_NULL'))).toMatch(/lkdtm_ACCESS_NULL\+0x14\/0x53 \[lkdtm\] \/usr\/src\/linux-headers-6\.1\.0-56-cloud-amd64\/drivers\/misc\/lkdtm\/perms\.c:265$/);
    expect(out.find((l) => l.includes('direct_entry.cold'))).toMatch(/core\.c:329$/);
    expect(out.find((l) => l.includes('full_proxy_write'))).toMatch(/full_proxy_write\+0x53\/0x80$/);
    expect(out.length).toBe(lines.length);
  });

  it('a size that disagrees with the module is reported as a mismatch', () => {
    const text = '[    4.579151]  direct_entry.cold+0x18/0x30 [lkdtm]';
    const [line] = annotateTrace([text], new FileSymbolSource({ modules: modulesDir }));
    expect(line).toContain('warning: direct_entry.cold is 0x24 bytes');
  });
});

describe('module files', () => {
  it('reads .ko.xz once decompressed ahead (prefetchModules)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kt-modules-xz-'));
    fs.copyFileSync(fixture('lkdtm.ko.xz'), path.join(dir, 'lkdtm.ko.xz'));
    const before = new FileSymbolSource({ modules: dir });
    expect(before.module('lkdtm')).toBeUndefined();
    expect(before.notes.join()).toContain('must be decompressed');
    const source = new FileSymbolSource({ modules: dir });
    await source.prefetchModules(['lkdtm']);
    expect(source.module('lkdtm')?.lookup(0x1a00n).frames.map((f) => f.function)).toEqual(['copy_from_user', 'do_usercopy_stack']);
  });

  it('reads .ko.zst like .ko.gz', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kt-modules-zst-'));
    const ko = gunzipSync(fs.readFileSync(fixture('lkdtm.ko.gz')));
    const zst = path.join(dir, 'lkdtm.ko.zst');
    fs.writeFileSync(path.join(dir, 'lkdtm.ko'), ko);
    const r = compressZstd(path.join(dir, 'lkdtm.ko'), zst);
    if (!r) return; // no zstd binary on this machine: the decompressor is covered by the ELF zstd fixture
    fs.unlinkSync(path.join(dir, 'lkdtm.ko'));
    const source = new FileSymbolSource({ modules: dir });
    expect(source.module('lkdtm')?.lookup(0x1a00n).frames[0]?.function).toBe('copy_from_user');
  });
});

function compressZstd(from: string, to: string): boolean {
  return spawnSync('zstd', ['-q', '-o', to, from]).status === 0;
}
