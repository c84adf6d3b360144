import { parseShellVars } from './shell-vars.js';

/** Distribution families doctor prints fixes for; SUSE shares the RHEL/Fedora column (kdump, dracut, rpm). */
export type DistroFamily = 'debian' | 'rhel' | 'unknown';

export interface OsRelease {
  id: string;
  idLike: string[];
  prettyName: string;
  family: DistroFamily;
}

const DEBIAN_IDS = new Set(['debian', 'ubuntu']);
const RHEL_IDS = new Set(['rhel', 'fedora', 'centos', 'suse', 'opensuse', 'sles', 'sled']);

/** os-release(5): shell-style KEY=value lines; ID and ID_LIKE decide the family. */
export function parseOsRelease(text: string): OsRelease {
  const vars = parseShellVars(text);
  const id = (vars.get('ID') ?? '').toLowerCase();
  const idLike = (vars.get('ID_LIKE') ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  const names = [id, ...idLike];
  const family: DistroFamily = names.some((n) => DEBIAN_IDS.has(n))
    ? 'debian'
    : names.some((n) => RHEL_IDS.has(n) || n.startsWith('opensuse'))
      ? 'rhel'
      : 'unknown';
  return { id, idLike, prettyName: vars.get('PRETTY_NAME') ?? vars.get('NAME') ?? id, family };
}
