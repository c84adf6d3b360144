import { patternsOf, readBundledPatternList, type PatternGroup } from './pattern-list.js';

/**
 * Frames no crash is blamed on, read from rules/skip-frames.txt: one pattern a line, in groups
 * named for where that code lives in the kernel and why it is never the culprit. `every` groups
 * apply to every culprit search; `fallback` groups only to the search over a whole trace for
 * kinds without a recipe (recipes read waits, dispatchers and syscalls on purpose).
 */
export type SkipGroup = PatternGroup<'every' | 'fallback'>;
export const SKIP_GROUPS: readonly SkipGroup[] = readBundledPatternList('skip-frames.txt', ['every', 'fallback']);
const EVERY = patternsOf(SKIP_GROUPS, 'every');
const FALLBACK = patternsOf(SKIP_GROUPS, 'fallback');

/**
 * Whether a frame is skipped in every culprit search. Answers are kept (bounded): a log's reports
 * name the same functions again and again, and the test runs one regex of ~300 patterns.
 */
export function isSharedFrame(name: string): boolean {
  let skipped = sharedAnswers.get(name);
  if (skipped === undefined) {
    skipped = EVERY.test(stripCompilerSuffix(name));
    if (sharedAnswers.size >= MAX_REMEMBERED_NAMES) sharedAnswers.clear();
    sharedAnswers.set(name, skipped);
  }
  return skipped;
}

const sharedAnswers = new Map<string, boolean>();
const MAX_REMEMBERED_NAMES = 4_000;

/**
 * The decorations the syscall-wrapper macros put around a syscall's name: the architecture's
 * entry prefix (arch/ARCH/include/asm/syscall_wrapper.h: `__x64_`, `__ia32_`, `__arm64_`,
 * `__riscv_`, `__s390x_`), SYSCALL_DEFINE's own layers (include/linux/syscalls.h: `__se_sys_`,
 * `__do_sys_`, and `SyS_`/`SYSC_` before 4.17), the `__sys_`/`ksys_` helpers the entry points
 * share with in-kernel callers, and the plain `sys_` of old kernels and 32-bit compat entries.
 * As in syzbot's titles, one prefix is removed: the one that leaves the shortest name
 * (`__do_sys_mremap` is `mremap`, `compat_SyS_mount` is `mount`, `__x64_sys_read` is `sys_read`).
 */
const SYSCALL_PREFIXES: readonly string[] = [
  'SYSC_', 'SyS_', 'sys_', '____sys_', '___sys_', '__sys_', '__se_sys_', '__do_sys_', 'compat_SYSC_', 'compat_SyS_',
  '__x64_', '__ia32_', '__arm64_', '__riscv_', '__s390x_', '__s390_', '__se_', 'ksys_',
];

/** Compiler clones: `.isra.0`, `.constprop.3`, `.part.0`, `.cold`, `.llvm.123…`. */
const COMPILER_SUFFIX = /(?:\.(?:isra|constprop|part|cold|llvm|lto_priv|localalias|clone)(?:\.\d+)?)+$/;

const PPC64_DOT_SYMBOL = /^\.(?=[A-Za-z_])/;

export function stripCompilerSuffix(name: string): string {
  // 64-bit powerpc before ELFv2 names a function's code `.func` (the plain name is its descriptor).
  return name.replace(COMPILER_SUFFIX, '').replace(PPC64_DOT_SYMBOL, '');
}

/**
 * Whether the search over a whole trace passes over a frame: both scopes of the skip list. A
 * function the header itself names (`data-race in find_next_bit / …`) is what the detector
 * caught in the act: only the whole-name fallback groups apply to it.
 */
export function isSkippedFrame(name: string, namedByHeader = false): boolean {
  const bare = stripCompilerSuffix(name);
  return bare.startsWith('0x') || FALLBACK.test(bare) || (!namedByHeader && isSharedFrame(bare));
}

/**
 * Functions that stand for a family when blamed, so one cause gets one title: every RCU
 * grace-period wait is `synchronize_rcu`, every cross-CPU call `smp_call_function`.
 */
const CANONICAL_FUNCTIONS: readonly [RegExp, string][] = [
  [/^(?:__)?synchronize_(?:rcu|sched|srcu|net)(?:_\w+)?$/, 'synchronize_rcu'],
  [/^smp_call_function(?:_\w+)?$|^on_each_cpu(?:_\w+)?$/, 'smp_call_function'],
];

export function canonicalFunction(name: string): string {
  return CANONICAL_FUNCTIONS.find(([re]) => re.test(name))?.[1] ?? name;
}

/** C++ names as the linker sees them: `_Z8fakeNameiii` is `fakeName`. */
const MANGLED = /^_Z(\d+)(\w+)$/;

export function demangle(name: string): string {
  const m = MANGLED.exec(name);
  const length = Number(m?.[1]);
  return m?.[2] && m[2].length >= length ? m[2].slice(0, length) : name;
}

/** `__x64_sys_ioctl` → `sys_ioctl`, `__do_sys_openat2` → `openat2`: the name syzbot-style titles use. */
export function stripWrapperPrefix(name: string): string {
  let shortest = name;
  for (const prefix of SYSCALL_PREFIXES) {
    if (name.startsWith(prefix) && name.length - prefix.length < shortest.length && name.length > prefix.length) shortest = name.slice(prefix.length);
  }
  return shortest;
}
