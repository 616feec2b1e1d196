import type { Advisory } from '../advisories/index.js';
import { PatchwiseError } from '../errors/index.js';
import type { HostInventory, InstalledPackage } from '../inventory/index.js';
import type { Matcher } from './matcher.js';

/** An advisory that applies to a package installed on a host. */
export interface Finding {
  readonly advisory: Advisory;
  /** The name matched: the source package for Debian and Ubuntu, else the package itself. */
  readonly package: string;
  readonly ecosystem: string;
  /** The installed version compared (source version for Debian and Ubuntu). */
  readonly installed: string;
  readonly fixed?: string | undefined;
  /** Installed binary packages this finding covers (several binaries share one source). */
  readonly binaries: readonly string[];
}

export interface HostAssessment {
  readonly host: HostInventory;
  readonly findings: readonly Finding[];
  /** Packages that could not be evaluated, each naming the package, its version and the reason. */
  readonly problems: readonly PatchwiseError[];
}

/** Name and version that advisories of this package's ecosystem refer to. */
export function matchTarget(pkg: InstalledPackage): { name: string; version: string } {
  return pkg.sourceName
    ? { name: pkg.sourceName, version: pkg.sourceVersion ?? pkg.version }
    : { name: pkg.name, version: pkg.version };
}

/**
 * Every advisory that applies to the host's packages, one finding per (advisory, matched name):
 * the same package in two architectures, or several binaries of one source, is one finding.
 */
export function assessHost(matcher: Matcher, host: HostInventory): HostAssessment {
  const findings = new Map<string, Finding & { binaries: string[] }>();
  const problems: PatchwiseError[] = [];
  for (const pkg of host.packages) {
    const target = matchTarget(pkg);
    let matches;
    try {
      matches = matcher.match(pkg.ecosystem, target.name, target.version);
    } catch (err) {
      if (!(err instanceof PatchwiseError)) throw err;
      problems.push(
        new PatchwiseError(err.code, `package ${pkg.name} ${target.version} (${pkg.ecosystem}): ${err.message}`, {
          input: host.source,
        }),
      );
      continue;
    }
    for (const match of matches) {
      const id = `${match.advisory.id}\u0000${target.name}`;
      const existing = findings.get(id);
      if (existing) {
        if (!existing.binaries.includes(pkg.name)) existing.binaries.push(pkg.name);
        continue;
      }
      findings.set(id, {
        advisory: match.advisory,
        package: target.name,
        ecosystem: pkg.ecosystem,
        installed: target.version,
        fixed: match.fixed,
        binaries: [pkg.name],
      });
    }
  }
  return { host, findings: [...findings.values()], problems };
}
