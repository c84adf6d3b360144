export interface LoadedModule {
  name: string;
  /** Taint letters in the trailing parentheses: O out-of-tree, P proprietary, E unsigned, C staging, F forced. */
  taints: string[];
}

/** /proc/modules: `name size refcount deps state address [(flags)]`, one module a line. */
export function parseProcModules(text: string): LoadedModule[] {
  const out: LoadedModule[] = [];
  for (const line of text.split('\n')) {
    const name = /^(\S+)\s+\d+\s/.exec(line)?.[1];
    if (!name) continue;
    const flags = /\(([A-Z+-]+)\)\s*$/.exec(line)?.[1] ?? '';
    out.push({ name, taints: [...flags].filter((c) => /[A-Z]/.test(c)) });
  }
  if (out.length === 0 && text.trim() !== '') throw new Error('not in /proc/modules format (no module line)');
  return out;
}
