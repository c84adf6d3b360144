/**
 * How a frame's printed name becomes the name a culprit is reported by: compiler clone suffixes
 * and syscall-wrapper decorations go, C++ names are demangled, one family gets one name. Pure and
 * free of file reads, so the dashboard's bundle can use it (rules/ files are read in skip-frames.ts).
 */
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
