/** `ktriage vmcore bt|ps|mod|sys|kmem|files|struct|foreach` as a user runs them (the built CLI). */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dumpPath } from '../vmcore/fixtures.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'ktriage.js');
const OOM = () => dumpPath('oom.elf-paging.inspect');
const HUNG = () => dumpPath('hung-task.mdf-d31-lzo.inspect');

function run(args: string[]) {
  const r = spawnSync('node', [BIN, 'vmcore', ...args], { env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 1 << 26 });
  return { status: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

describe('ktriage vmcore inspection commands', () => {
  it("bt prints crash's layout: task header, numbered frames with stack addresses, the exception block, module names", () => {
    const r = run(['bt', OOM()]);
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^PID: 112      TASK: ffff[0-9a-f]{12}  CPU: 0    COMMAND: "dd"$/);
    expect(lines[1]).toMatch(/^ #0 \[ffff[0-9a-f]{12}\] pvpanic_panic_notify\+0x60 at ffffffffc[0-9a-f]{7} \[pvpanic\]$/);
    expect(r.stdout).toMatch(/\n#12 \[[0-9a-f]{16}\] asm_exc_page_fault\+0x22 at [0-9a-f]{16}\n {4}\[exception RIP: clear_user_rep_good\+0xe\]\n {4}RIP: [0-9a-f]{16} {2}RSP: [0-9a-f]{16} {2}RFLAGS: 00010206|00000206/);
    expect(r.stdout).toContain('    ORIG_RAX: 0000000000000000   CS: 0033   SS: 002b\n');
  });

  it('ps marks the active task, shows kernel threads in brackets; --state D filters; --json has the same rows', () => {
    const r = run(['ps', OOM()]);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('      PID    PPID  CPU       TASK        ST  %MEM      VSZ      RSS  COMM');
    expect(lines).toHaveLength(48);
    expect(lines[3]).toMatch(/^ {8}2 {7}0 {3}0 {2}ffff[0-9a-f]{12} {2}IN {3}0\.0 {8}0 {8}0 {2}\[kthreadd\]$/);
    expect(lines.filter((l) => l.startsWith('>'))).toHaveLength(1);
    expect(lines.find((l) => l.startsWith('>'))).toMatch(/^> {5}112 {7}1 {3}0 {2}ffff[0-9a-f]{12} {2}RU {2}\d+\.\d +\d+ +\d+ {2}dd$/);
    const d = run(['ps', '--state', 'D', HUNG()]);
    expect(d.stdout.split('\n')[1]).toMatch(/^ {6}112 {7}1 {3}0 {2}ffff[0-9a-f]{12} {2}UN /);
    const json = JSON.parse(run(['ps', '--json', OOM()]).stdout);
    expect(json.result).toHaveLength(47);
    expect(json.result.at(-1)).toMatchObject({ pid: 112, comm: 'dd', state: 'RU', active: true });
    expect(json.result.at(-1).address).toMatch(/^0xffff[0-9a-f]{12}$/);
  });

  it('mod, sys, kmem -i, files, struct, foreach', () => {
    const mod = run(['mod', OOM()]).stdout.split('\n');
    expect(mod[1]).toMatch(/^ffffffffc[0-9a-f]{7}  lkdtm  +ffffffffc[0-9a-f]{7} +\d+  \(not loaded\)  \[CONFIG_KALLSYMS\]  OE \(out-of-tree, unsigned\)$/);
    const sys = run(['sys', OOM()]).stdout;
    expect(sys).toContain('     RELEASE: 6.1.0-57-cloud-amd64\n');
    expect(sys).toContain('       PANIC: "Kernel panic - not syncing: Out of memory: system-wide panic_on_oom is enabled"\n');
    expect(run(['kmem', '-i', OOM()]).stdout).toContain('         FREE      364       1.4 MB    1% of TOTAL MEM\n');
    expect(run(['files', OOM(), '112']).stdout).toMatch(/\n {6}0 [0-9a-f]{16} [0-9a-f]{16} [0-9a-f]{16} CHR  \/dev\/zero\n/);
    const task = JSON.parse(run(['ps', '--json', OOM()]).stdout).result.at(-1).address as string;
    expect(run(['struct', OOM(), 'task_struct', task]).stdout).toContain('  comm = "dd",\n');
    expect(run(['foreach', HUNG()]).stdout).toMatch(/^PID: 112 .*\n #0 \[[0-9a-f]+\] __schedule\+0x[0-9a-f]+ at/);
  });

  it.each([
    [['ps'], /KT_E_USAGE/],
    [['bt', 'x', 'y'], /KT_E_NO_SUCH_FILE/],
    [['files', '/nonexistent'], /KT_E_USAGE/],
    [['struct', '/dev/null', 'task_struct', 'zz'], /KT_E_USAGE|KT_E_DUMP_UNSUPPORTED/],
  ])('bad usage %j: one line, exit 2', (args, code) => {
    const r = run(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(code);
    expect(r.stderr.trim().split('\n')[0]).toMatch(/^ktriage: /);
  });

  it('a dump without the pages kallsyms needs (cut for its log only) gets a one-line error, not a crash', () => {
    const r = run(['ps', dumpPath('bug.elf')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^ktriage: .*kallsyms.* \[KT_E_BAD_DUMP\]\n$/);
  });
});

it('vmcore --help lists the inspection commands', () => {
  const r = spawnSync('node', [BIN, 'vmcore', '--help']);
  expect(r.stdout.toString()).toContain('       ktriage vmcore bt [-a] DUMP [PID...]   backtrace of the panic task');
});
