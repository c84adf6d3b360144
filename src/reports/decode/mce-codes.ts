/**
 * x86 machine-check MCi_STATUS bits and MCA error-code classes (Intel SDM vol. 3 ch. 16;
 * AMD uses the same top bits).
 */
export interface McaStatusBit {
  bit: number;
  name: string;
  meaning: string;
}

export const MCA_STATUS_BITS: readonly McaStatusBit[] = [
  { bit: 63, name: 'VAL', meaning: 'the bank holds a valid error' },
  { bit: 62, name: 'OVER', meaning: 'an earlier error was overwritten' },
  { bit: 61, name: 'UC', meaning: 'uncorrected error' },
  { bit: 60, name: 'EN', meaning: 'error reporting enabled' },
  { bit: 59, name: 'MISCV', meaning: 'MCi_MISC holds more information' },
  { bit: 58, name: 'ADDRV', meaning: 'MCi_ADDR holds the address' },
  { bit: 57, name: 'PCC', meaning: 'processor context corrupt: execution cannot continue' },
  { bit: 56, name: 'S', meaning: 'signalled as a machine check (software recoverable action)' },
  { bit: 55, name: 'AR', meaning: 'action required' },
];

/** Low 16 bits of MCi_STATUS; `mask`/`value` select the class as the SDM's bit patterns do. */
export interface McaErrorClass {
  mask: number;
  value: number;
  name: string;
}

export const MCA_ERROR_CLASSES: readonly McaErrorClass[] = [
  { mask: 0xffff, value: 0x0000, name: 'no error' },
  { mask: 0xffff, value: 0x0001, name: 'unclassified error' },
  { mask: 0xffff, value: 0x0002, name: 'microcode ROM parity error' },
  { mask: 0xffff, value: 0x0003, name: 'external error (BINIT# from another processor)' },
  { mask: 0xffff, value: 0x0004, name: 'FRC error' },
  { mask: 0xffff, value: 0x0005, name: 'internal parity error' },
  { mask: 0xffff, value: 0x0006, name: 'SMM handler code access violation' },
  { mask: 0xfc00, value: 0x0400, name: 'internal timer / internal unclassified error' },
  { mask: 0xeff0, value: 0x0010, name: 'TLB error' },
  { mask: 0xef80, value: 0x0080, name: 'memory controller error' },
  { mask: 0xef00, value: 0x0100, name: 'cache hierarchy error' },
  { mask: 0xe800, value: 0x0800, name: 'bus / interconnect error' },
];

export function mcaErrorClass(code: number): string | undefined {
  return MCA_ERROR_CLASSES.find((c) => (code & c.mask) === c.value)?.name;
}
