// How a backtrace is compared with drgn's (lab script and tests share it). drgn names frames
// from DWARF: the function around a kallsyms label (entry_SYSCALL_64_after_hwframe is inside
// entry_SYSCALL_64), the parent of a .cold/.constprop/.isra/.part clone, plus inlined frames,
// which kallsyms and ORC cannot see and are left out.
const LABEL_OF = { entry_SYSCALL_64_after_hwframe: 'entry_SYSCALL_64' };

export function baseName(name) {
  const plain = name.replace(/(\.(cold|constprop|isra|part|llvm)(\.\d+)?)+$/, '');
  return LABEL_OF[plain] ?? plain;
}

export function drgnFunctions(frames) {
  return frames.filter((f) => !f.inline && f.name).map((f) => baseName(f.name));
}

export function ourFunctions(frames) {
  return frames.map((f) => (f.symbol ? baseName(f.symbol) : `0x${f.ip.toString(16)}`));
}
