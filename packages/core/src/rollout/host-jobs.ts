import type { InstalledPackage } from '../inventory/index.js';
import type { PatchTarget } from '../patchsets/index.js';
import { schemeFor } from '../versions/index.js';
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
 * What a patch set changes on one host: each installed package that a target names (by binary
 * name, or by source name where the ecosystem's advisories name sources, as Debian's do), in the
 * host's ecosystem, installed below the target version. Packages the host does not have are not
 * installed by a patch. Compared in the ecosystem's own scheme.
 */
export function jobTargets(targets: readonly PatchTarget[], ecosystem: string | null, installed: readonly InstalledPackage[]): PackageVersion[] {
  if (ecosystem === null) return [];
  const byName = new Map<string, PatchTarget>();
  for (const t of targets) if (t.ecosystem === ecosystem) byName.set(t.package, t);
  if (byName.size === 0) return [];
  const scheme = schemeFor(ecosystem);
  const out = new Map<string, string>();
  for (const p of installed) {
    if (p.ecosystem !== ecosystem) continue;
    const t = byName.get(p.name) ?? (p.sourceName !== undefined ? byName.get(p.sourceName) : undefined);
    if (!t) continue;
    if (scheme.compare(scheme.parse(p.version), scheme.parse(t.version)) < 0) out.set(p.name, t.version);
  }
  return [...out].sort(([a], [b]) => a.localeCompare(b)).map(([name, version]) => ({ name, version }));
}
