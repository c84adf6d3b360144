// vmcore inspection: `ktriage vmcore bt` and `vmcore ps` against drgn and crash (both with the
// -dbg vmlinux they need; ktriage reads the dump alone), whole commands, in the same run,
// interleaved. Called by vmcore.bench.mjs (`npm run bench:vmcore -- --inspect-only` for just this).
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { measure, table } from './common.mjs';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmtS = (ms) => `${(ms / 1000).toFixed(2)} s`;

export async function runInspectBench({ lab, run, runs, snap, out }) {
  const dir = path.join(lab, run);
  const krel = path.basename(lab);
  const cache = path.join(path.dirname(path.dirname(lab)), 'cache', `x-${krel}`);
  const vmlinux = path.join(cache, 'dbg', 'usr', 'lib', 'debug', 'boot', `vmlinux-${krel}`);
  const dumps = ['vmcore.elf-paging', 'vmcore.mdf-d31-zlib'].map((f) => path.join(dir, f)).filter((f) => fs.existsSync(f));
  if (dumps.length === 0) {
    console.log(`\nvmcore inspection: skipped, no dumps in ${dir}`);
    return;
  }
  const haveDbg = fs.existsSync(vmlinux);
  const haveDrgn = haveDbg && spawnSync('drgn', ['--version']).status === 0;
  const haveCrash = haveDbg && spawnSync('crash', ['--version']).status === 0;
  const drgnBt = path.join(out, 'drgn-bt.py');
  fs.writeFileSync(drgnBt, 'print(prog.crashed_thread().stack_trace())\n');
  const drgnPs = path.join(out, 'drgn-ps.py');
  fs.writeFileSync(drgnPs, [
    'from drgn.helpers.linux.pid import for_each_task',
    'from drgn.helpers.linux.sched import task_state_to_char, task_cpu',
    'for t in for_each_task(prog):',
    '    print(t.pid.value_(), t.real_parent.pid.value_(), task_cpu(t), hex(t.value_()), task_state_to_char(t), t.comm.string_().decode())',
    '',
  ].join('\n'));
  const crashCmds = (cmd) => {
    const f = path.join(out, `crash-${cmd}.cmds`);
    fs.writeFileSync(f, `${cmd}\nquit\n`);
    return f;
  };
  const tools = {
    'ktriage bt': (d) => ['node', snap.bin, 'vmcore', 'bt', d],
    'ktriage ps': (d) => ['node', snap.bin, 'vmcore', 'ps', d],
    ...(haveDrgn ? { 'drgn bt': (d) => ['drgn', '-q', '-c', d, '-s', vmlinux, drgnBt], 'drgn ps': (d) => ['drgn', '-q', '-c', d, '-s', vmlinux, drgnPs] } : {}),
    ...(haveCrash ? { 'crash bt': (d) => ['crash', '-s', vmlinux, d, '-i', crashCmds('bt')], 'crash ps': (d) => ['crash', '-s', vmlinux, d, '-i', crashCmds('ps')] } : {}),
  };
  const results = new Map();
  for (let i = 0; i < runs; i++) {
    for (const d of dumps) {
      for (const [name, argv] of Object.entries(tools)) {
        if (name.startsWith('crash') && i >= Math.min(runs, 3)) continue; // ~8 s a run
        const stdoutPath = path.join(out, 'vmcore-inspect.out');
        const m = await measure(argv(d), { stdoutPath });
        const r = results.get(`${name}|${d}`) ?? { wall: [], cpu: [], rss: [], ok: true };
        r.wall.push(m.wallMs);
        r.cpu.push((m.userS + m.sysS) * 1000);
        r.rss.push(m.maxRssKiB / 1024);
        r.ok &&= m.status === 0 && fs.statSync(stdoutPath).size > 0;
        results.set(`${name}|${d}`, r);
      }
    }
  }
  const cell = (name, d) => {
    const r = results.get(`${name}|${d}`);
    if (!r) return '-';
    return r.ok ? `${fmtS(median(r.wall))} (cpu ${fmtS(median(r.cpu))}) / ${Math.max(...r.rss).toFixed(0)} MiB` : 'fails';
  };
  const ratio = (a, b, d) => {
    const x = results.get(`${a}|${d}`);
    const y = results.get(`${b}|${d}`);
    return x?.ok && y?.ok ? `${(median(x.wall) / median(y.wall)).toFixed(3)}×` : '-';
  };
  const names = Object.keys(tools);
  const rows = [['dump', ...names, 'bt ÷ drgn', 'bt ÷ crash', 'ps ÷ drgn', 'ps ÷ crash']];
  for (const d of dumps) {
    rows.push([path.basename(d), ...names.map((n) => cell(n, d)), ratio('ktriage bt', 'drgn bt', d), ratio('ktriage bt', 'crash bt', d), ratio('ktriage ps', 'drgn ps', d), ratio('ktriage ps', 'crash ps', d)]);
  }
  console.log(`\nvmcore inspection, whole command, median wall (cpu = user+sys, steadier on a busy machine) / peak RSS (${runs} runs; crash at most 3); drgn and crash read ${haveDbg ? vmlinux : 'no vmlinux (not run)'}`);
  console.log(table(rows));
}
