import { parseArgs } from 'node:util';
import { EXIT, KtError } from '../errors.js';
import { blockedBacktraces, cpuBacktraces, panicBacktrace, pidBacktrace } from '../kernel/commands/bt.js';
import { filesCommand } from '../kernel/commands/files.js';
import { kmemInfo } from '../kernel/commands/kmem.js';
import { psCommand } from '../kernel/commands/ps.js';
import { structCommand } from '../kernel/commands/struct.js';
import { sysCommand } from '../kernel/commands/sys.js';
import { KernelView } from '../kernel/kernel-view.js';
import { loadedModules } from '../kernel/loaded.js';
import { inspectJson, renderBacktraces, renderFiles, renderKmem, renderModules, renderPs, renderStruct, renderSys } from '../render/inspect-text.js';
import { readKernelLog } from '../vmcore/kernel-log.js';
import { openVmcore } from '../vmcore/open-vmcore.js';
import { vmcoreFacts } from '../vmcore/vmcore-info.js';
import { INSPECT_USAGE } from './vmcore-inspect-usage.js';

type Inspect = (view: KernelView, args: string[], values: Record<string, unknown>) => { text: string; json: unknown };

const INSPECT_COMMANDS: Record<string, { options: Record<string, { type: 'boolean' | 'string'; short?: string }>; args: [number, number]; run: Inspect }> = {
  bt: {
    options: { all: { type: 'boolean', short: 'a' } },
    args: [0, 64],
    run: (view, pids, v) => {
      const traces = v['all'] ? cpuBacktraces(view) : pids.length > 0 ? pids.map((p) => pidBacktrace(view, pidArg(p))) : [panicBacktrace(view)];
      return { text: renderBacktraces(traces), json: traces };
    },
  },
  foreach: {
    options: {},
    args: [0, 0],
    run: (view) => {
      const traces = blockedBacktraces(view);
      return { text: traces.length ? renderBacktraces(traces) : 'no task in D state\n', json: traces };
    },
  },
  ps: {
    options: { state: { type: 'string' } },
    args: [0, 0],
    run: (view, _a, v) => {
      const rows = psCommand(view, typeof v['state'] === 'string' ? { state: v['state'] } : {});
      return { text: renderPs(rows), json: rows };
    },
  },
  mod: {
    options: {},
    args: [0, 0],
    run: (view) => {
      const mods = loadedModules(view);
      return { text: renderModules(mods), json: mods };
    },
  },
  kmem: {
    options: { info: { type: 'boolean', short: 'i' } },
    args: [0, 0],
    run: (view) => {
      const k = kmemInfo(view);
      return { text: renderKmem(k), json: k };
    },
  },
  files: {
    options: {},
    args: [1, 1],
    run: (view, [pid]) => {
      const f = filesCommand(view, pidArg(pid as string));
      return { text: renderFiles(f), json: f };
    },
  },
  struct: {
    options: {},
    args: [2, 2],
    run: (view, [type, address]) => {
      if (!/^(0x)?[0-9a-f]{1,16}$/i.test(address as string)) throw new KtError('KT_E_USAGE', `'${address}' is not a hexadecimal address`);
      const s = structCommand(view, type as string, BigInt(`0x${(address as string).replace(/^0x/i, '')}`));
      return { text: renderStruct(s), json: s };
    },
  },
  sys: {
    options: {},
    args: [0, 0],
    run: (view) => {
      const sys = sysCommand(view, panicMessage(view));
      return { text: renderSys(sys), json: sys };
    },
  },
};

export function isInspectCommand(sub: string | undefined): boolean {
  return sub !== undefined && Object.hasOwn(INSPECT_COMMANDS, sub);
}

export function runInspect(sub: string, argv: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream, indexCacheDir: string | undefined): number {
  const command = INSPECT_COMMANDS[sub] as (typeof INSPECT_COMMANDS)[string];
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { ...command.options, json: { type: 'boolean' } } });
  } catch (e) {
    throw new KtError('KT_E_USAGE', `${(e as Error).message}\n\n${INSPECT_USAGE}`);
  }
  const [path, ...args] = parsed.positionals;
  if (path === undefined || args.length < command.args[0] || args.length > command.args[1]) throw new KtError('KT_E_USAGE', `vmcore ${sub}: wrong arguments\n\n${INSPECT_USAGE}`);
  const core = openVmcore(path, indexCacheDir ? { indexCacheDir } : {});
  try {
    const view = new KernelView(core);
    const answer = command.run(view, args, parsed.values);
    const partial = [...new Set([...core.damaged, ...view.unknowns])];
    if (parsed.values['json']) out.write(inspectJson(partial.length ? { result: answer.json, partial } : { result: answer.json }));
    else out.write(answer.text);
    if (partial.length) err.write(`ktriage: warning: ${path}: partial answer: ${partial.slice(0, 5).join('; ')}${partial.length > 5 ? ` (+${partial.length - 5} more)` : ''}\n`);
  } finally {
    core.close();
  }
  return EXIT.noCrash;
}

function pidArg(s: string): number {
  if (!/^\d{1,9}$/.test(s)) throw new KtError('KT_E_USAGE', `'${s}' is not a PID`);
  return Number(s);
}

/** The panic line of the dump's log, as `vmcore info` finds it (absent when the log cannot be read). */
function panicMessage(view: KernelView): string | undefined {
  try {
    return vmcoreFacts(view.core, readKernelLog(view.core)).panicMessage;
  } catch {
    return undefined;
  }
}
