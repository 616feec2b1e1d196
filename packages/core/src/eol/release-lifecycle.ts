/** From an os-release ID and VERSION_ID to the lifecycle of that release, if Patchwise knows it. */
import { bundledEolData } from './eol-data.js';
import type { EolData } from './eol-data.js';
import type { ReleaseLifecycle } from './types.js';

/** Spellings scanners use for the same distribution (as in inventory's distro table). */
const ALIASES: Readonly<Record<string, string>> = { alma: 'almalinux', redhat: 'rhel' };

/**
 * The lifecycle of a release: `releaseLifecycle('debian', '10')`, `('ubuntu', '18.04')`,
 * `('almalinux', '8.10')`, `('alpine', '3.18.4')`. Point releases map to their release
 * (Debian 12.5 → 12, RHEL 9.4 → 9, Ubuntu 22.04.3 → 22.04, Alpine 3.18.4 → v3.18).
 * Undefined for a distribution or release the bundled data does not cover, or a version of the
 * wrong shape: not knowing is an answer, never a guess at a neighbouring release.
 */
export function releaseLifecycle(osId: string, versionId: string, data: EolData = bundledEolData()): ReleaseLifecycle | undefined {
  const raw = osId.trim().toLowerCase();
  const id = ALIASES[raw] ?? raw;
  const v = versionId.trim();
  for (const key of candidateVersions(id, v)) {
    const found = data.releases.get(`${id}:${key}`);
    if (found) return found;
  }
  return undefined;
}

/** The spellings a VERSION_ID may have in the data, most specific first. */
function candidateVersions(id: string, v: string): string[] {
  switch (id) {
    case 'ubuntu': {
      const m = /^(\d{1,2})\.(\d{2})(?:\.\d+)?$/.exec(v);
      return m ? [`${m[1]}.${m[2]}`] : [];
    }
    case 'alpine': {
      const m = /^v?(\d+)\.(\d+)(?:\.\d+)?(?:_\w+)?$/.exec(v);
      return m ? [`v${m[1]}.${m[2]}`] : [];
    }
    case 'debian': {
      // Old releases are "6.0", "5.0"; current ones a bare major ("12"), which point releases share.
      const m = /^(\d+)(?:\.(\d+))?(?:\.\d+)*$/.exec(v);
      return m ? [v, ...(m[2] !== undefined ? [`${m[1]}.${m[2]}`] : []), m[1] as string, `${m[1]}.0`] : [];
    }
    default: {
      const m = /^(\d+)(?:\.\d+)*$/.exec(v);
      return m ? [m[1] as string] : [];
    }
  }
}
