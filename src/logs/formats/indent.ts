/** s[start, end) begins with `width` spaces and has more after them (journalctl/dmesg continuation lines). */
export function isIndented(s: string, start: number, end: number, width: number): boolean {
  if (width === 0 || end - start <= width) return false;
  for (let i = start; i < start + width; i++) if (s.charCodeAt(i) !== 32) return false;
  return true;
}
