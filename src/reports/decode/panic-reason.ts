import type { PanicInfo } from '../crash-report.js';
import { PANIC_REASONS } from './panic-reasons.js';

const PREFIX = 'Kernel panic - not syncing: ';

/** `Kernel panic - not syncing: <message>` → message and normalised reason (`other` when unknown). */
export function parsePanicReason(line: string): PanicInfo | undefined {
  const at = line.indexOf(PREFIX);
  if (at < 0) return undefined;
  // The closing `---[ end Kernel panic - not syncing: … ]---` repeats the message.
  const message = line.slice(at + PREFIX.length).replace(/ \]---\s*$/, '').trim();
  return { message, reason: panicReasonOf(message) };
}

export function panicReasonOf(message: string): string {
  return PANIC_REASONS.find((r) => r.re.test(message))?.reason ?? 'other';
}
