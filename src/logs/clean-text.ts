/**
 * Removes what a terminal would interpret instead of print: ANSI/VT escape sequences (CSI, OSC,
 * charset and other two-byte escapes), NULs and the other C0 controls except TAB, and DEL.
 * Serial captures are full of them (colour codes, cursor moves, line noise); the kernel's own
 * text never contains them (it escapes them as \xNN in /dev/kmsg).
 */
const GARBAGE =
  /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[ -/]*[0-~]?|[\x00-\x08\x0a-\x1f\x7f]/g;

/** True when `s` holds something `cleanText` would remove (TAB, LF and CR excluded). */
export const HAS_GARBAGE = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;

export function cleanText(s: string): string {
  return s.replace(GARBAGE, '');
}
