import type { FrameContext } from '../crash-report.js';

/**
 * Context markers the x86 unwinder prints around frames (arch/x86/kernel/dumpstack.c
 * `stack_type_name()`): `<IRQ>` … `</IRQ>`, `<NMI>`, `<SOFTIRQ>`, `<TASK>`, exception stacks
 * `<#DF>`/`<#MC>`/`<#DB>`/`<#VC>`, and the pre-4.x `<EOI>` that ends an IRQ stack.
 */
export interface StackMarkerRow {
  name: string;
  context: FrameContext;
}

export const STACK_MARKERS: readonly StackMarkerRow[] = [
  { name: 'IRQ', context: 'irq' },
  { name: 'SOFTIRQ', context: 'softirq' },
  { name: 'NMI', context: 'nmi' },
  { name: 'TASK', context: 'task' },
  { name: 'ENTRY_TRAMPOLINE', context: 'task' },
  { name: 'SYSENTER', context: 'task' },
  { name: 'DF', context: 'exception' },
  { name: 'MC', context: 'exception' },
  { name: 'DB', context: 'exception' },
  { name: 'VC', context: 'exception' },
  { name: 'VC2', context: 'exception' },
];

/** `<EOI>` closes an `<IRQ>` in pre-4.x kernels without a `</IRQ>`. */
export const END_OF_IRQ_MARKER = 'EOI';

export function markerContext(name: string): FrameContext | undefined {
  const bare = name.startsWith('#') ? name.slice(1) : name;
  return STACK_MARKERS.find((r) => r.name === bare)?.context;
}
