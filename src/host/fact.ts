import type { Absence } from './host-reader.js';

/** One thing learned about the host, with where it was read; or why it could not be. */
export type Fact<T> = { known: true; value: T; from: string } | { known: false; from: string; why: Absence; detail: string };

export function known<T>(value: T, from: string): Fact<T> {
  return { known: true, value, from };
}

export function unknown<T>(from: string, why: Absence, detail: string): Fact<T> {
  return { known: false, from, why, detail };
}

/** The value, or undefined when unknown. */
export function valueOf<T>(fact: Fact<T>): T | undefined {
  return fact.known ? fact.value : undefined;
}
