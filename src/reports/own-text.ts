/**
 * A copy of `text` that owns its characters. Lines are read as slices of a 64 KiB block; a
 * slice kept in a report or an event would keep the whole block alive as long as it lives.
 */
export function ownText(text: string): string {
  return (' ' + text).slice(1);
}
