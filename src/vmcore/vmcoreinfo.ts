import { KtError } from '../errors.js';

/**
 * The kernel's VMCOREINFO note: `KEY=value` lines (SYMBOL(x)=hex, SIZE(s)=dec,
 * OFFSET(s.m)=dec, LENGTH(x)=dec, NUMBER(x)=dec, OSRELEASE=, BUILD-ID=, PAGESIZE=,
 * KERNELOFFSET=hex, CRASHTIME=dec; the last line may lack its newline). Everything the reader
 * knows of the kernel's layout comes from here: no vmlinux is needed.
 */
export class VmcoreInfo {
  private readonly fields = new Map<string, string>();

  constructor(readonly text: string, private readonly source: string) {
    for (const line of text.split('\n')) {
      const eq = line.indexOf('=');
      if (eq > 0) this.fields.set(line.slice(0, eq), line.slice(eq + 1).replace(/\0.*$/s, '').trim());
    }
  }

  get(key: string): string | undefined {
    return this.fields.get(key);
  }

  has(key: string): boolean {
    return this.fields.has(key);
  }

  /** SYMBOL(name) as a 64-bit address. */
  symbol(name: string): bigint {
    return this.hex(`SYMBOL(${name})`);
  }

  size(name: string): number {
    return this.decimal(`SIZE(${name})`);
  }

  offset(member: string): number {
    return this.decimal(`OFFSET(${member})`);
  }

  /** NUMBER(name): printed with %ld, so negative values are two's complement 64-bit. */
  number(name: string): bigint {
    const v = this.required(`NUMBER(${name})`);
    if (!/^-?\d+$/.test(v)) throw this.bad(`NUMBER(${name})`, v);
    return BigInt.asUintN(64, BigInt(v));
  }

  hex(key: string): bigint {
    const v = this.required(key);
    if (!/^(?:0x)?[0-9a-fA-F]{1,16}$/.test(v)) throw this.bad(key, v);
    return BigInt(`0x${v.replace(/^0x/, '')}`);
  }

  decimal(key: string): number {
    const v = this.required(key);
    if (!/^\d{1,15}$/.test(v)) throw this.bad(key, v);
    return Number(v);
  }

  private required(key: string): string {
    const v = this.fields.get(key);
    if (v === undefined) throw new KtError('KT_E_DUMP_UNSUPPORTED', `${this.source}: VMCOREINFO has no ${key}`);
    return v;
  }

  private bad(key: string, v: string): KtError {
    return new KtError('KT_E_BAD_DUMP', `${this.source}: VMCOREINFO ${key}='${v.slice(0, 40)}' is not a valid value`);
  }
}
