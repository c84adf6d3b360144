// Runs every inspection command once over a view (what a fixture must hold, what the lab compares).
import { blockedBacktraces, cpuBacktraces, panicBacktrace } from '../../dist/kernel/commands/bt.js';
import { filesCommand } from '../../dist/kernel/commands/files.js';
import { kmemInfo } from '../../dist/kernel/commands/kmem.js';
import { psCommand } from '../../dist/kernel/commands/ps.js';
import { sysCommand } from '../../dist/kernel/commands/sys.js';
import { loadedModules } from '../../dist/kernel/loaded.js';

export function inspectAll(view) {
  const modules = loadedModules(view);
  const tasks = psCommand(view);
  const panic = panicBacktrace(view);
  const cpus = cpuBacktraces(view);
  const blocked = blockedBacktraces(view);
  const sys = sysCommand(view);
  const kmem = kmemInfo(view);
  const files = filesCommand(view, panic.task.pid);
  return { modules: modules.length, tasks: tasks.length, moduleList: modules, taskList: tasks, panic, cpus, blocked, sys, kmem, files };
}
