/**
 * Kernel releases (`uname -r`) in version order, as distributions number them:
 * Debian `6.1.0-26-cloud-amd64`, Ubuntu `5.15.0-101-generic`, RHEL `5.14.0-362.8.1.el9_3.x86_64`,
 * upstream `6.8.0-rc3`. The numbers before the flavour compare as numbers (101 > 91), a
 * missing number counts as 0, and `-rcN` sorts before the release it leads to.
 */
const RC_MARK = -1;

/** The release's numbers: `5.14.0-362.8.1.el9_3.x86_64` → [5, 14, 0, 362, 8, 1, 9, 3]. */
export function releaseNumbers(release: string): number[] {
  const out: number[] = [];
  // Up to the flavour or architecture word (amd64, generic, x86_64, cloud…); `el9_3` and `rc3` are part of the version.
  for (const m of release.matchAll(/(\d+)|(rc)(?=\d)|(el)(?=\d)|([a-z]+)/gi)) {
    if (m[1] !== undefined) out.push(Number(m[1]));
    else if (m[2] !== undefined) out.push(RC_MARK);
    else if (m[3] !== undefined) continue;
    else break;
  }
  return out;
}

/** Negative when a is older than b, positive when newer, 0 when the same version (the flavour breaks ties). */
export function compareReleases(a: string, b: string): number {
  const x = releaseNumbers(a);
  const y = releaseNumbers(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

export function newestRelease(releases: Iterable<string>): string | undefined {
  let best: string | undefined;
  for (const r of releases) if (best === undefined || compareReleases(r, best) > 0) best = r;
  return best;
}
