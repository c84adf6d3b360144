import type { CodeBytes } from '../crash-report.js';

/**
 * `Code: 48 89 e5 <0f> 0b …` (x86 bytes, faulting one in `<>`), `Code: d503201f (d4210000) …`
 * (arm64/arm instruction words, faulting one in `()`), or the kernel saying it could not read them
 * (`Code: Unable to access opcode bytes at RIP 0x…`, `Code: Bad RIP value.`).
 */
export function parseCodeLine(line: string): CodeBytes | undefined {
  const t = line.trim();
  if (!t.startsWith('Code: ')) return undefined;
  const body = t.slice('Code: '.length);
  if (/^(Unable to access opcode bytes|Bad RIP value|Bad EIP value)/.test(body)) {
    return { raw: t, bytes: [], unavailable: true };
  }
  const bytes: string[] = [];
  let faultIndex: number | undefined;
  let width = 0;
  for (const token of body.split(/\s+/)) {
    if (token === '') continue;
    const marked = /^[<(]([0-9a-fA-F]{2,16})[>)]$/.exec(token);
    const value = marked ? (marked[1] ?? '') : token;
    if (!/^[0-9a-fA-F]{2,16}$/.test(value)) break;
    // All tokens share one width; a shorter last one is a line cut mid-way.
    if (width === 0) width = value.length;
    if (value.length !== width) break;
    if (marked && faultIndex === undefined) faultIndex = bytes.length;
    bytes.push(value.toLowerCase());
  }
  const out: CodeBytes = { raw: t, bytes };
  if (faultIndex !== undefined) out.faultIndex = faultIndex;
  return out;
}
