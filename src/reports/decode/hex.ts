/** Hex text helpers shared by the decoders. Values stay strings in the model; numbers only where safe. */

const HEX_DIGITS = /^[0-9a-fA-F]+$/;

export function isHex(text: string): boolean {
  return text.length > 0 && text.length <= 32 && HEX_DIGITS.test(text);
}

/** `0x1A` → `1a`; leaves plain hex alone. */
export function stripHexPrefix(text: string): string {
  const t = text.startsWith('0x') || text.startsWith('0X') ? text.slice(2) : text;
  return t.toLowerCase();
}

/** Hex (with or without 0x) to a bigint; undefined when it is not hex. */
export function hexToBigInt(text: string): bigint | undefined {
  const t = stripHexPrefix(text);
  return isHex(t) ? BigInt(`0x${t}`) : undefined;
}

/** Hex to a number when it fits exactly in a double (offsets, sizes, error codes). */
export function hexToNumber(text: string): number | undefined {
  const v = hexToBigInt(text);
  return v !== undefined && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : undefined;
}

/** Decimal integer or undefined; never NaN. */
export function toInt(text: string | undefined): number | undefined {
  if (text === undefined || !/^-?\d{1,15}$/.test(text)) return undefined;
  return Number.parseInt(text, 10);
}
