import type { Advisory } from '../advisories/index.js';
import { PatchwiseError } from '../errors/index.js';
import type { HostInventory } from '../inventory/index.js';
import { matchTarget } from './match-target.js';
import type { Matcher, PackageMatch } from './matcher.js';

/**
 * The advisories that apply to one installed package (by matched name and version) on a host.
 * `matches` is the matcher's memoised answer, shared by every host carrying the same
 * (ecosystem, name, version): never mutate it. Sharing is what lets reports be cached per
 * answer instead of rebuilt per host.
 */
export interface PackageFindings {
  readonly ecosystem: string;
  /** The name matched: the source package for Debian and Ubuntu, else the package itself. */
  readonly package: string;
  /** The installed version compared (source version for Debian and Ubuntu). */
  readonly installed: string;
  /** Installed binary packages this covers (several binaries share one source; multi-arch). */
  readonly binaries: readonly string[];
  readonly matches: readonly PackageMatch[];
}

/** One advisory on one package of a host: the flat view of PackageFindings. */
export interface Finding {
  readonly advisory: Advisory;
  readonly package: string;
  readonly ecosystem: string;
  readonly installed: string;
  readonly fixed?: string | undefined;
  readonly binaries: readonly string[];
}

export interface HostAssessment {
  readonly host: HostInventory;
  /** Packages with at least one applicable advisory; one entry per matched name. */
  readonly packages: readonly PackageFindings[];
  /** Packages that could not be evaluated, each naming the package, its version and the reason. */
  readonly problems: readonly PatchwiseError[];
}

interface Group {
  ecosystem: string;
  package: string;
  installed: string;
  binaries: string[];
  matches: readonly PackageMatch[];
}

/**
 * Every advisory that applies to the host's packages, one finding per (advisory, matched name):
 * the same package in two architectures, or several binaries of one source, is one finding.
 * When one name is installed in several versions (kernels), the first version listed speaks
 * for an advisory, and later versions add only advisories not already reported.
 */
export function assessHost(matcher: Matcher, host: HostInventory): HostAssessment {
  // Only packages with findings need de-duplicating, and they are few: most of a host's packages
  // have no advisory, and skip all bookkeeping. Nested maps (ecosystem, then name) because a
  // joined string key per package costs more than the lookups.
  const byName = new Map<string, Map<string, Group[]>>();
  const groups: Group[] = [];
  const problems: PatchwiseError[] = [];
  for (const pkg of host.packages) {
    let matches: readonly PackageMatch[];
    try {
      matches = matcher.matchPackage(pkg);
    } catch (err) {
      if (!(err instanceof PatchwiseError)) throw err;
      const { version } = matchTarget(pkg);
      problems.push(
        new PatchwiseError(err.code, `package ${pkg.name} ${version} (${pkg.ecosystem}): ${err.message}`, { input: host.source }),
      );
      continue;
    }
    if (matches.length === 0) continue;
    const target = matchTarget(pkg);
    let names = byName.get(pkg.ecosystem);
    if (!names) byName.set(pkg.ecosystem, (names = new Map<string, Group[]>()));
    const seen = names.get(target.name);
    const same = seen?.find((g) => g.installed === target.version);
    if (same) {
      if (!same.binaries.includes(pkg.name)) same.binaries.push(pkg.name);
      continue;
    }
    if (seen) {
      const reported = new Set(seen.flatMap((g) => g.matches.map((m) => m.advisory.id)));
      matches = matches.filter((m) => !reported.has(m.advisory.id));
    }
    const group: Group = { ecosystem: pkg.ecosystem, package: target.name, installed: target.version, binaries: [pkg.name], matches };
    if (seen) seen.push(group);
    else names.set(target.name, [group]);
    if (matches.length > 0) groups.push(group);
  }
  return { host, packages: groups, problems };
}

/** The flat list of findings of an assessment, one per (advisory, package). */
export function findingsOf(assessment: HostAssessment): Finding[] {
  const findings: Finding[] = [];
  for (const p of assessment.packages) {
    for (const m of p.matches) {
      findings.push({ advisory: m.advisory, package: p.package, ecosystem: p.ecosystem, installed: p.installed, fixed: m.fixed, binaries: p.binaries });
    }
  }
  return findings;
}
