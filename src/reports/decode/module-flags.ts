/**
 * The letters the kernel prints after a module's name in `Modules linked in:` (kernel/module:
 * `module_flags()`), what each means, and whether it marks code that is not the kernel's own.
 * Read by the culprit choice, the cause rules and the renderers.
 */
export const MODULE_FLAGS: Readonly<Record<string, { meaning: string; foreign: boolean }>> = {
  P: { meaning: 'proprietary', foreign: true },
  O: { meaning: 'out-of-tree', foreign: true },
  E: { meaning: 'unsigned', foreign: true },
  F: { meaning: 'force-loaded', foreign: true },
  C: { meaning: 'staging (lower quality)', foreign: true },
  '+': { meaning: 'being loaded', foreign: false },
  '-': { meaning: 'being unloaded', foreign: false },
};

/** The module is out-of-tree, proprietary, unsigned, force-loaded or from staging. */
export function isForeignModule(flags: readonly string[]): boolean {
  return flags.some((f) => MODULE_FLAGS[f]?.foreign === true);
}

/** `out-of-tree, unsigned` for `['O', 'E']`. */
export function describeModuleFlags(flags: readonly string[]): string {
  return flags.map((f) => MODULE_FLAGS[f]?.meaning ?? f).join(', ');
}
