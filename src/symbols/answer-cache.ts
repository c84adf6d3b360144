import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from './symbol-file.js';
import { makeDirs } from '../cache-dir.js';

/** A function symbol as the symbolizer needs it. */
export interface FunctionSymbol {
  /** Address in the symbol file (for a .ko: in the binutils section layout). */
  address: bigint;
  size: number;
  /** Distance to the next symbol: the size kallsyms prints. */
  kallsymsSize?: number;
}

interface CacheFile {
  format: 1;
  buildId: string;
  /** The symbol file's size and mtime: a file rewritten in place (damaged, rebuilt) keeps its build id but not its answers. */
  stamp?: string;
  symbols: Record<string, [string, number, number | null] | null>;
  answers: Record<string, AddressInfo>;
}

/** Entries kept per file: a full day of triage, not an unbounded copy of the DWARF. */
const MAX_ANSWERS = 200_000;

/**
 * What was already resolved for one build of a kernel or module, on disk and keyed by its GNU
 * build id, so that symbolizing the same trace again reads no DWARF at all. A damaged or foreign
 * cache file is ignored (and rewritten), never trusted.
 */
export class AnswerCache {
  private data: CacheFile;
  private dirty = false;
  private readonly file: string;

  constructor(dir: string, readonly buildId: string, variant = '', readonly stamp = '') {
    this.file = path.join(dir, `${buildId}${variant ? `-${variant}` : ''}.json`);
    this.data = { format: 1, buildId, stamp, symbols: {}, answers: {} };
    try {
      const parsed = JSON.parse(fs.readFileSync(this.file, 'utf8')) as Partial<CacheFile>;
      if (parsed.format === 1 && parsed.buildId === buildId && (parsed.stamp ?? '') === stamp && parsed.symbols && parsed.answers) this.data = parsed as CacheFile;
    } catch {
      // No cache yet, or an unreadable one: start afresh.
    }
  }

  symbol(name: string): FunctionSymbol | null | undefined {
    if (!Object.hasOwn(this.data.symbols, name)) return undefined;
    const s = this.data.symbols[name];
    if (!s) return null;
    const out: FunctionSymbol = { address: BigInt(`0x${s[0]}`), size: s[1] };
    if (s[2] !== null) out.kallsymsSize = s[2];
    return out;
  }

  setSymbol(name: string, sym: FunctionSymbol | null): void {
    this.data.symbols[name] = sym ? [sym.address.toString(16), sym.size, sym.kallsymsSize ?? null] : null;
    this.dirty = true;
  }

  answer(key: string): AddressInfo | undefined {
    return Object.hasOwn(this.data.answers, key) ? this.data.answers[key] : undefined;
  }

  setAnswer(key: string, info: AddressInfo): void {
    if (Object.keys(this.data.answers).length >= MAX_ANSWERS) return;
    this.data.answers[key] = info;
    this.dirty = true;
  }

  /** A side file of this build's cache (`BUILDID-NAME.json`), e.g. the unit index; undefined when absent or unreadable. */
  loadExtra(name: string): unknown {
    try {
      const parsed = JSON.parse(fs.readFileSync(this.extraPath(name), 'utf8')) as { buildId?: string; stamp?: string; data?: unknown };
      return parsed.buildId === this.buildId && (parsed.stamp ?? '') === this.stamp ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  saveExtra(name: string, data: unknown): void {
    try {
      makeDirs(path.dirname(this.file));
      const target = this.extraPath(name);
      const tmp = `${target}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify({ buildId: this.buildId, stamp: this.stamp, data }));
      fs.renameSync(tmp, target);
    } catch {
      // Only costs speed next time.
    }
  }

  private extraPath(name: string): string {
    return path.join(path.dirname(this.file), `${this.buildId}-${name}.json`);
  }

  /** Writes the file if anything was added (atomically: a reader never sees half a file). */
  save(): void {
    if (!this.dirty) return;
    try {
      makeDirs(path.dirname(this.file));
      const tmp = `${this.file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(this.data));
      fs.renameSync(tmp, this.file);
      this.dirty = false;
    } catch {
      // A cache that cannot be written only costs speed next time.
    }
  }
}
