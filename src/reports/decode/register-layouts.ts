import type { Registers } from '../crash-report.js';

/**
 * Register dump layouts per architecture, as `__show_regs()`/`show_regs()` print them.
 * `names` are the register names as printed (case matters: x86 upper, arm lower); `markers` are
 * names only that architecture prints, used to tell which layout a dump follows.
 */
export interface RegisterLayout {
  arch: Registers['arch'];
  names: readonly string[];
  markers: readonly string[];
  /** Register that holds the faulting data address, when the architecture has one. */
  faultAddress?: string;
}

const range = (prefix: string, from: number, to: number, pad = 0): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => `${prefix}${String(from + i).padStart(pad, '0')}`);

export const REGISTER_LAYOUTS: readonly RegisterLayout[] = [
  {
    arch: 'x86_64',
    names: [
      'RIP', 'RSP', 'SS', 'EFLAGS', 'ORIG_RAX', 'RAX', 'RBX', 'RCX', 'RDX', 'RSI', 'RDI', 'RBP',
      ...range('R', 8, 9, 2), ...range('R', 10, 15), 'FS', 'GS', 'knlGS', 'CS', 'DS', 'ES',
      'CR0', 'CR2', 'CR3', 'CR4', ...range('DR', 0, 7), 'PKRU',
    ],
    markers: ['RAX', 'RBX', 'RSP', 'ORIG_RAX', 'R15', 'knlGS'],
    faultAddress: 'CR2',
  },
  {
    arch: 'i386',
    names: [
      'EIP', 'EAX', 'EBX', 'ECX', 'EDX', 'ESI', 'EDI', 'EBP', 'ESP', 'DS', 'ES', 'FS', 'GS', 'SS', 'CS',
      'EFLAGS', 'CR0', 'CR2', 'CR3', 'CR4', ...range('DR', 0, 7), 'PKRU',
    ],
    markers: ['EAX', 'EBX', 'ESP', 'EIP'],
    faultAddress: 'CR2',
  },
  {
    arch: 'arm64',
    names: ['pc', 'lr', 'sp', 'pstate', 'pmr_save', 'pmr', ...range('x', 0, 29)],
    markers: ['pstate', 'x29', 'x0', 'x1'],
  },
  {
    arch: 'arm',
    names: ['pc', 'lr', 'psr', 'sp', 'ip', 'fp', ...range('r', 0, 10), 'Control', 'Table', 'DAC'],
    markers: ['psr', 'r10', 'r0', 'fp'],
  },
  {
    arch: 'riscv',
    names: [
      'epc', 'ra', 'sp', 'gp', 'tp', ...range('t', 0, 6), ...range('s', 0, 11), ...range('a', 0, 7),
      'status', 'badaddr', 'cause', 'ssp', 'orig_a0',
    ],
    markers: ['epc', 'badaddr', 'gp', 'a0'],
    faultAddress: 'badaddr',
  },
  {
    arch: 'powerpc',
    names: ['NIP', 'LR', 'CTR', 'REGS', 'TRAP', 'MSR', 'CR', 'XER', 'CFAR', 'DAR', 'DSISR', 'IRQMASK', 'SOFTE', ...range('GPR', 0, 31, 2)],
    markers: ['NIP', 'MSR', 'GPR00', 'DSISR'],
    faultAddress: 'DAR',
  },
];

export function layoutFor(arch: Registers['arch']): RegisterLayout | undefined {
  return REGISTER_LAYOUTS.find((l) => l.arch === arch);
}
