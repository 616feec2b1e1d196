import type { InstalledPackage } from '../inventory/index.js';
import type { PatchTarget } from '../patchsets/index.js';
import { ecosystemInfo } from '../versions/index.js';
import type { SchemeId } from '../versions/index.js';
import type { PackageManagerKind, PackageVersion } from './job-manifest.js';

/**
 * The package manager that installs a host's distribution packages, from the OSV ecosystem its
 * inventory is matched in; null when Patchwise has no driver for it (the host is skipped, with
 * the reason, rather than guessed at).
 */
export function managerForEcosystem(ecosystem: string | null): PackageManagerKind | null {
  if (ecosystem === null) return null;
  const [family = '', release = ''] = ecosystem.split(':');
  switch (family) {
    case 'Debian':
    case 'Ubuntu':
      return 'apt';
    case 'AlmaLinux':
    case 'Rocky Linux':
      return 'dnf';
    case 'Red Hat': {
      // `Red Hat:enterprise_linux:7`: yum before RHEL 8.
      const major = Number(ecosystem.split(':')[2] ?? release);
      return major > 0 && major < 8 ? 'yum' : 'dnf';
    }
    case 'openSUSE':
    case 'SUSE':
      return 'zypper';
    case 'Alpine':
    case 'Wolfi':
    case 'Chainguard':
      return 'apk';
    default:
      return null;
  }
}

/**
 * What a patch set changes on one host: each installed package that a target names, in the
 * host's ecosystem, installed below the target version, at the version that fixes it. Packages
 * the host does not have are not installed by a patch. Compared in the ecosystem's own scheme.
 *
 * Where the ecosystem's advisories name source packages (Debian, Ubuntu, Alpine, Rocky Linux), a
 * target names a source first: a binary built from it is below the target when its source version
 * is (the finding's own comparison), and gets the binary version the target's upload builds, which
 * is not always the source's (binaryVersionFor). Otherwise, or for a binary whose source no target
 * names, a target names the binary itself, compared and installed at its own version.
 */
export function jobTargets(targets: readonly PatchTarget[], ecosystem: string | null, installed: readonly InstalledPackage[]): PackageVersion[] {
  if (ecosystem === null) return [];
  const byName = new Map<string, PatchTarget>();
  for (const t of targets) if (t.ecosystem === ecosystem) byName.set(t.package, t);
  if (byName.size === 0) return [];
  const { scheme, namesSourcePackages } = ecosystemInfo(ecosystem);
  const below = (version: string, target: string) => scheme.compare(scheme.parse(version), scheme.parse(target)) < 0;
  const out = new Map<string, string>();
  for (const p of installed) {
    if (p.ecosystem !== ecosystem) continue;
    const bySource = namesSourcePackages && p.sourceName !== undefined ? byName.get(p.sourceName) : undefined;
    if (bySource) {
      const sourceVersion = p.sourceVersion ?? p.version;
      if (!below(sourceVersion, bySource.version)) continue;
      // A binary whose version cannot be told from its source's is left out, never asked for at a
      // version that does not exist (apt would refuse the whole job); its finding stays open.
      const version = binaryVersionFor(p.version, sourceVersion, bySource.version, scheme.id);
      if (version !== undefined) out.set(p.name, version);
      continue;
    }
    const t = byName.get(p.name);
    if (t && below(p.version, t.version)) out.set(p.name, t.version);
  }
  return [...out].sort(([a], [b]) => a.localeCompare(b)).map(([name, version]) => ({ name, version }));
}

/** A Debian binNMU suffix: a rebuild of the same source, versioned `<source version>+bN`. */
const BINNMU = /\+b\d+$/;

/**
 * The version the binary now at `binaryVersion`, built from a source at `sourceVersion`, has once
 * built from the source at `targetSourceVersion`; undefined when that cannot be told.
 * - The same as its source (most binaries): the target.
 * - dpkg only, a binNMU of its source (`6.0.2-1+b2` of `6.0.2-1`): the target, since a new upload
 *   of the source is built without the suffix.
 * - dpkg only, its source's version behind a fixed prefix: an epoch only the binary has (trixie's
 *   bsdutils `1:2.41.5-0+deb13u1` of util-linux `2.41.5-0+deb13u1`) or a `+really` version (its
 *   login `1:4.16.0-2+really2.41.5-0+deb13u1`): the same prefix before the target, when the target
 *   has no epoch of its own.
 * - Any other shape (lvm2 `2.03.16-2` building dmsetup `2:1.02.185-2`): undefined.
 */
export function binaryVersionFor(binaryVersion: string, sourceVersion: string, targetSourceVersion: string, scheme: SchemeId): string | undefined {
  if (binaryVersion === sourceVersion) return targetSourceVersion;
  if (scheme !== 'dpkg') return undefined;
  const rebuilt = binaryVersion.replace(BINNMU, '');
  if (rebuilt === sourceVersion) return targetSourceVersion;
  if (rebuilt.length > sourceVersion.length && rebuilt.endsWith(sourceVersion) && !targetSourceVersion.includes(':')) {
    return `${rebuilt.slice(0, rebuilt.length - sourceVersion.length)}${targetSourceVersion}`;
  }
  return undefined;
}
