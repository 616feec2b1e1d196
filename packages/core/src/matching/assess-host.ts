import type { Advisory } from '../advisories/index.js';
import { PatchwiseError } from '../errors/index.js';
import type { HostInventory, InstalledPackage } from '../inventory/index.js';
import { withoutIdleKernels } from './idle-kernels.js';
import { matchTarget } from './match-target.js';
import type { Matcher } from './matcher.js';
import type { PackageMatch } from './package-match.js';
import type { PackageFindings } from './package-findings.js';

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

/**
 * Every advisory that applies to the host's packages, one finding per (advisory, matched name):
 * the same package in two architectures, or several binaries of one source, is one finding.
 * Kernels other than the running one are left out when the host says which it runs
 * (`withoutIdleKernels`). When one name is still installed in several versions, the first
 * version listed speaks for an advisory, and later versions add only advisories not already reported.
 */
export function assessHost(matcher: Matcher, host: HostInventory): HostAssessment {
  // Only packages with findings need de-duplicating; most of a host's packages have none and
  // skip all bookkeeping. By matched name; the rare clash across ecosystems is checked.
  const reportedNames = new Set<string>();
  const groups: PackageFindings[] = [];
  const problems: PatchwiseError[] = [];
  // One problem per unknown ecosystem, not one per package: a host's whole database shares it.
  const unknownEcosystems = new Map<string, number>();
  const packages = withoutIdleKernels(host.packages, host.runningKernel);
  const layout = matcher.layoutAnswers(packages);
  for (let i = 0; i < packages.length; i++) {
    const pkg = packages[i] as InstalledPackage;
    let group = layout?.get(i, pkg);
    if (group === undefined) {
      let matches: readonly PackageMatch[];
      try {
        matches = matcher.matchPackage(pkg);
      } catch (err) {
        if (!(err instanceof PatchwiseError)) throw err;
        if (err.code === 'PW_ECOSYSTEM_UNKNOWN') {
          unknownEcosystems.set(pkg.ecosystem, (unknownEcosystems.get(pkg.ecosystem) ?? 0) + 1);
          continue;
        }
        const { version } = matchTarget(pkg);
        problems.push(
          new PatchwiseError(err.code, `package ${pkg.name} ${version} (${pkg.ecosystem}): ${err.message}`, { input: host.source }),
        );
        continue;
      }
      group = matches.length === 0 ? null : matcher.packageFindings(pkg, matches);
      layout?.set(i, pkg, group);
    }
    if (group === null) continue;
    const matches = group.matches;
    if (!reportedNames.has(group.package)) {
      reportedNames.add(group.package);
      groups.push(group);
      continue;
    }
    // Rare: the name is reported already (another binary of one source, another version).
    const sameName = groups.filter((g) => g.package === group.package && g.ecosystem === group.ecosystem);
    const same = sameName.find((g) => g.installed === group.installed);
    if (same) {
      // Another binary of the same source and version: copy, never mutate a shared group.
      if (!same.binaries.includes(pkg.name)) groups[groups.indexOf(same)] = { ...same, binaries: [...same.binaries, pkg.name] };
      continue;
    }
    const reported = new Set(sameName.flatMap((g) => g.matches.map((m) => m.advisory.id)));
    const fresh = matches.filter((m) => !reported.has(m.advisory.id));
    if (fresh.length > 0) groups.push({ ...group, matches: fresh });
  }
  for (const [ecosystem, count] of unknownEcosystems) {
    const message = `${count} package${count === 1 ? '' : 's'} of unknown ecosystem "${ecosystem}" left out`;
    problems.push(new PatchwiseError('PW_ECOSYSTEM_UNKNOWN', message, { input: host.source }));
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
