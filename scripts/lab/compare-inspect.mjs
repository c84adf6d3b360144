#!/usr/bin/env node
// Compares ktriage's inspection answers on every dump of panic-lab runs with drgn's
// (truth.drgn-inspect.*.json from inspect-truth.sh; any format of the same run: same memory).
// Usage: node scripts/lab/compare-inspect.mjs RUN_DIR...   (npm run build first)
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openVmcore } from '../../dist/vmcore/open-vmcore.js';
import { KernelView } from '../../dist/kernel/kernel-view.js';
import { inspectAll } from './inspect-all.mjs';
import { drgnFunctions, ourFunctions } from '../../test/vmcore/inspect-compare.mjs';

let failures = 0;
for (const dir of process.argv.slice(2)) {
  const files = readdirSync(dir);
  const truthFile = files.find((f) => /^truth\.drgn-inspect\..*\.json$/.test(f) && readFileSync(join(dir, f), 'utf8').startsWith('{'));
  if (!truthFile) {
    console.log(`${dir}: no drgn truth`);
    continue;
  }
  const truth = JSON.parse(readFileSync(join(dir, truthFile), 'utf8'));
  const wantTasks = truth.tasks.map((t) => `${t.pid}:${t.comm}`).sort().join(',');
  const wantMods = truth.modules.map((m) => `${m.name}:${m.base}:${m.size}:${m.taints}`).join(',');
  const wantBt = drgnFunctions(truth.crashed.frames ?? []).join(' ');
  for (const f of files.filter((x) => x.startsWith('vmcore.')).sort()) {
    const t0 = performance.now();
    let row;
    try {
      const core = openVmcore(join(dir, f));
      const view = new KernelView(core);
      const a = inspectAll(view);
      core.close();
      const gotTasks = a.taskList.filter((t) => t.pid !== 0).map((t) => `${t.pid}:${t.comm}`).sort().join(',');
      const gotMods = a.moduleList.map((m) => `${m.name}:0x${m.base.toString(16)}:${m.size}:${Number(BigInt(m.taints.split('').reduce((n, l) => n | (1n << BigInt({ P: 0, F: 1, C: 10, O: 12, E: 13, K: 15, X: 16, N: 18 }[l])), 0n)))}`).join(',');
      const gotBt = ourFunctions(a.panic.frames).join(' ');
      // drgn 0.0.22 stops where it cannot unwind (the IRQ stack switch): its trace must then be a prefix of ours.
      const drgnStopped = (truth.crashed.frames ?? []).some((x) => x.unknown);
      const ok = { tasks: gotTasks === wantTasks, modules: gotMods === wantMods, bt: drgnStopped ? gotBt.startsWith(`${wantBt} `) : gotBt === wantBt };
      const blockedWant = (truth.blocked ?? []).map((b) => `${b.pid}:${drgnFunctions(b.frames ?? []).join(' ')}`).join('|');
      const blockedGot = a.blocked.map((b) => `${b.task.pid}:${ourFunctions(b.frames).join(' ')}`).join('|');
      ok.blocked = blockedWant === blockedGot;
      if (drgnStopped && ok.bt) row = `(drgn stops after ${wantBt.split(' ').length} frames; ours goes on to ${a.panic.frames.length}) `;
      row = `${row ?? ''}${Object.entries(ok).map(([k, v]) => `${k} ${v ? 'ok' : 'DIFF'}`).join('  ')}  tasks ${a.tasks} modules ${a.modules} frames ${a.panic.frames.length}`;
      if (!ok.bt) row += `\n    drgn: ${wantBt}\n    ours: ${gotBt}`;
      if (!ok.blocked) row += `\n    drgn blocked: ${blockedWant}\n    ours blocked: ${blockedGot}`;
      if (!ok.tasks) row += `\n    drgn tasks: ${wantTasks}\n    ours tasks: ${gotTasks}`;
      if (!ok.modules) row += `\n    drgn mods: ${wantMods}\n    ours mods: ${gotMods}`;
      if (Object.values(ok).includes(false)) failures++;
    } catch (e) {
      row = `ERROR ${e.message}`;
      failures++;
    }
    console.log(`${dir.split('/').slice(-1)[0].padEnd(20)} ${f.padEnd(34)} ${(performance.now() - t0).toFixed(0).padStart(5)} ms  ${row}`);
  }
}
process.exitCode = failures ? 1 : 0;
