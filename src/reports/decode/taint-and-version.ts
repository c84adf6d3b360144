import type { KernelBuild, Taint } from '../crash-report.js';
import { parseTaint } from './taint.js';

export interface TaintAndVersion {
  taint?: Taint;
  kernel?: KernelBuild;
}

/** A taint letter group: 1..20 upper-case letters (`G`, `OE`, `B`). */
function isTaintToken(token: string): boolean {
  return token.length > 0 && token.length <= 20 && /^[A-Z]+$/.test(token);
}

function kernelFrom(text: string): KernelBuild | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  const sp = t.indexOf(' ');
  const release = sp < 0 ? t : t.slice(0, sp);
  const build = sp < 0 ? '' : t.slice(sp + 1).replace(/\s+/g, ' ').trim();
  return build === '' ? { release } : { release, build };
}

/**
 * `Not tainted 6.1.0-56-cloud-amd64 #1 Debian 6.1.192-2` or `Tainted: G   W  OE  6.14.0 #0 PREEMPT(full)`:
 * the taint letters run until the first token that is not a group of capitals; the rest is the version.
 */
export function parseTaintAndVersion(text: string): TaintAndVersion {
  const t = text.trimStart();
  if (t.startsWith('Not tainted')) {
    const kernel = kernelFrom(t.slice('Not tainted'.length));
    return kernel ? { taint: parseTaint('Not tainted'), kernel } : { taint: parseTaint('Not tainted') };
  }
  if (!t.startsWith('Tainted:')) return {};
  const body = t.slice('Tainted:'.length).replace(/^ /, '');
  if (body.trimStart().startsWith('[')) return { taint: parseTaint(body) };
  // Walk tokens; stop at the first one that cannot be taint letters.
  let end = 0;
  let pos = 0;
  while (pos < body.length) {
    while (pos < body.length && body[pos] === ' ') pos++;
    let stop = pos;
    while (stop < body.length && body[stop] !== ' ') stop++;
    if (stop === pos || !isTaintToken(body.slice(pos, stop))) break;
    end = stop;
    pos = stop;
  }
  const raw = body.slice(0, end);
  const kernel = kernelFrom(body.slice(end));
  const taint = parseTaint(raw);
  return kernel ? { taint, kernel } : { taint };
}

/** The lockdep/`INFO:` form with the version first: `4.15.0+ #221 Not tainted`. */
export function parseVersionThenTaint(line: string): TaintAndVersion | undefined {
  const t = line.trim();
  const notAt = t.indexOf(' Not tainted');
  const taintedAt = t.indexOf(' Tainted: ');
  const at = notAt >= 0 ? notAt : taintedAt;
  if (at <= 0 || !/^\d+\.\d+\S*( #\S+)?/.test(t)) return undefined;
  const kernel = kernelFrom(t.slice(0, at));
  const taint = notAt >= 0 ? parseTaint('Not tainted') : parseTaint(t.slice(taintedAt + ' Tainted: '.length));
  return kernel ? { taint, kernel } : { taint };
}
