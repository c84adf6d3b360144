import type { KtError } from '../errors.js';

/**
 * The one line an error is shown as: `ktriage: <message> [CODE]`. A usage text appended to a
 * usage error is left out (`--help` prints it), and control characters a message quotes from
 * the input (a dump's signature, utsname, VMCOREINFO) are escaped: a newline or an escape
 * sequence from a hostile file never reaches the terminal.
 */
export function errorLine(e: Pick<KtError, 'message' | 'code'>, command: string | undefined): string {
  let message = e.message;
  const usageAt = message.indexOf('\n\n');
  if (usageAt >= 0) {
    message = message.slice(0, usageAt);
    if (e.code === 'KT_E_USAGE') message += `; see 'ktriage ${command !== undefined && !message.startsWith('unknown command') ? `${command} ` : ''}--help'`;
  }
  return `ktriage: ${escapeControls(message)} [${e.code}]`;
}

/** C0 and C1 controls and DEL as `\xNN` (`\n` as `\n`), the rest as it is. */
export function escapeControls(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => (c === '\n' ? '\\n' : c === '\t' ? ' ' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}
