/**
 * Values the kernel writes on purpose so that a later use of them faults recognisably
 * (include/linux/poison.h; POISON_POINTER_DELTA is 0xdead000000000000 on x86-64 and arm64).
 * `match: 'exact'` rows also catch a small field offset added to the value (`dead000000000108`);
 * `match: 'byte'` rows are a byte repeated over the whole pointer.
 */
export interface PoisonRow {
  name: string;
  match: 'exact' | 'byte';
  /** Hex without 0x: the full value for `exact`, one byte for `byte`. */
  value: string;
  /** Pointer width the row applies to. */
  bits: 32 | 64;
  explanation: string;
}

export const POISON_VALUES: readonly PoisonRow[] = [
  { name: 'LIST_POISON1', match: 'exact', value: 'dead000000000100', bits: 64, explanation: 'the ->next of a list entry already removed with list_del() (use after list_del)' },
  { name: 'LIST_POISON2', match: 'exact', value: 'dead000000000122', bits: 64, explanation: 'the ->prev of a list entry already removed with list_del() (use after list_del)' },
  { name: 'TIMER_ENTRY_STATIC', match: 'exact', value: 'dead000000000300', bits: 64, explanation: 'a statically initialised timer that was never set up' },
  { name: 'LIST_POISON1', match: 'exact', value: '00000100', bits: 32, explanation: 'the ->next of a list entry already removed with list_del() (use after list_del)' },
  { name: 'LIST_POISON2', match: 'exact', value: '00000122', bits: 32, explanation: 'the ->prev of a list entry already removed with list_del() (use after list_del)' },
  { name: 'slab free poison 0x6b (POISON_FREE)', match: 'byte', value: '6b', bits: 64, explanation: 'a pointer read from a freed slab object (use after free)' },
  { name: 'slab in-use poison 0x5a (POISON_INUSE)', match: 'byte', value: '5a', bits: 64, explanation: 'a pointer read from a slab object that was allocated but never initialised' },
  { name: 'slab poison end 0xa5 (POISON_END)', match: 'byte', value: 'a5', bits: 64, explanation: 'the last byte of a poisoned slab object: read past a freed or uninitialised object' },
  { name: 'SLUB red zone 0xbb (SLUB_RED_INACTIVE)', match: 'byte', value: 'bb', bits: 64, explanation: 'the red zone around a free slab object: out-of-bounds access' },
  { name: 'SLUB red zone 0xcc (SLUB_RED_ACTIVE)', match: 'byte', value: 'cc', bits: 64, explanation: 'the red zone around an allocated slab object (or freed init memory 0xcc): out-of-bounds access' },
  { name: 'page poison 0xaa (PAGE_POISON)', match: 'byte', value: 'aa', bits: 64, explanation: 'a pointer read from a freed, poisoned page (use after free)' },
  { name: 'slab free poison 0x6b (POISON_FREE)', match: 'byte', value: '6b', bits: 32, explanation: 'a pointer read from a freed slab object (use after free)' },
  { name: 'slab in-use poison 0x5a (POISON_INUSE)', match: 'byte', value: '5a', bits: 32, explanation: 'a pointer read from a slab object that was allocated but never initialised' },
  { name: 'slab poison end 0xa5 (POISON_END)', match: 'byte', value: 'a5', bits: 32, explanation: 'the last byte of a poisoned slab object: read past a freed or uninitialised object' },
];

/** How far past an `exact` poison value a field access may land and still be named after it. */
export const POISON_FIELD_SLACK = 0x100;

/**
 * KASAN_SHADOW_OFFSET per architecture: a KASAN kernel turns `p` into the shadow address
 * `(p >> 3) + offset`, so a fault on a non-canonical shadow address names the real pointer.
 */
export const KASAN_SHADOW_OFFSETS: readonly { arch: string; offset: string }[] = [
  { arch: 'x86_64', offset: 'dffffc0000000000' },
  { arch: 'arm64', offset: 'dfffa00000000000' },
  { arch: 'arm64', offset: 'dfff800000000000' },
  { arch: 'riscv', offset: 'dfffffff00000000' },
];
