import { PatchwiseError } from '../errors/index.js';
import { apkScheme } from './apk.js';
import { composerScheme } from './composer.js';
import { dpkgScheme } from './dpkg.js';
import { genericScheme } from './generic.js';
import { hexScheme } from './hex.js';
import { mavenScheme } from './maven.js';
import { nugetScheme } from './nuget.js';
import { pep440Scheme } from './pep440.js';
import { pubScheme } from './pub.js';
import { rpmScheme } from './rpm.js';
import { rubyGemsScheme } from './rubygems.js';
import { semverScheme } from './semver.js';
import type { VersionScheme } from './version-scheme.js';

/**
 * OSV ecosystem names (the part before the first ':') and the version scheme each one uses.
 * Keys are lower-case; `canonical` keeps OSV's spelling for output.
 * Ecosystems whose own ordering Patchwise does not implement yet use the generic scheme,
 * documented in docs/versions.md; names not listed here are an error, never a guess.
 */
const REGISTRY: ReadonlyArray<readonly [canonical: string, scheme: VersionScheme]> = [
  ['Debian', dpkgScheme],
  ['Ubuntu', dpkgScheme],
  ['AlmaLinux', rpmScheme],
  ['Rocky Linux', rpmScheme],
  ['Red Hat', rpmScheme],
  ['SUSE', rpmScheme],
  ['openSUSE', rpmScheme],
  ['Fedora', rpmScheme],
  ['Mageia', rpmScheme],
  ['openEuler', rpmScheme],
  ['Photon OS', rpmScheme],
  ['Azure Linux', rpmScheme],
  ['Alpine', apkScheme],
  ['Wolfi', apkScheme],
  ['Chainguard', apkScheme],
  ['MinimOS', apkScheme],
  ['PyPI', pep440Scheme],
  ['npm', semverScheme],
  ['crates.io', semverScheme],
  ['Go', semverScheme],
  ['Maven', mavenScheme],
  ['NuGet', nugetScheme],
  ['RubyGems', rubyGemsScheme],
  ['Packagist', composerScheme],
  ['Hex', hexScheme],
  ['Pub', pubScheme],
  ['Hackage', genericScheme],
  ['GHC', genericScheme],
  ['CRAN', genericScheme],
  ['Bioconductor', genericScheme],
  ['SwiftURL', genericScheme],
  ['Linux', genericScheme],
  ['Android', genericScheme],
  ['Bitnami', genericScheme],
  ['OSS-Fuzz', genericScheme],
];

/**
 * Ecosystems whose advisories name source packages (Debian and Ubuntu source packages, Alpine's
 * origin packages, Rocky Linux's source rpms: RLSA-2021:3891 names java-11-openjdk, which also
 * fixes java-11-openjdk-headless): installed binaries are matched by their source's name and
 * version, or by their own where the inventory does not say their source. AlmaLinux, Red Hat and
 * SUSE list every binary rpm, so those are matched by the binary's own name.
 */
const NAMES_SOURCE_PACKAGES = new Set(['Debian', 'Ubuntu', 'Alpine', 'Wolfi', 'Chainguard', 'MinimOS', 'Rocky Linux']);

/**
 * Operating system distributions: their packages are installed by the host's own package manager,
 * so a host carries them only in its distribution's ecosystem. The others (PyPI, npm, Go, …) are
 * application packages, found on hosts of any distribution.
 */
const DISTRIBUTIONS = new Set(['Debian', 'Ubuntu', 'AlmaLinux', 'Rocky Linux', 'Red Hat', 'SUSE', 'openSUSE', 'Fedora', 'Mageia', 'openEuler', 'Photon OS', 'Azure Linux', 'Alpine', 'Wolfi', 'Chainguard', 'MinimOS']);

const BY_NAME = new Map(REGISTRY.map(([name, scheme]) => [name.toLowerCase(), { name, scheme }]));

export interface EcosystemInfo {
  /** OSV's spelling of the base name, e.g. `Rocky Linux`. */
  readonly base: string;
  /** True when its advisories name source packages rather than installed binaries. */
  readonly namesSourcePackages: boolean;
  /** True for an operating system distribution (Debian, AlmaLinux, Alpine, …), false for application packages (PyPI, npm, …). */
  readonly distribution: boolean;
  /** The release part after the base, e.g. `9` for `AlmaLinux:9`, `22.04:LTS` for Ubuntu; '' when absent. */
  readonly release: string;
  readonly scheme: VersionScheme;
}

/** Looks up an OSV ecosystem name with or without its release (`Debian`, `Debian:12`, `Ubuntu:Pro:18.04:LTS`). */
export function ecosystemInfo(ecosystem: string): EcosystemInfo {
  const colon = ecosystem.indexOf(':');
  const base = (colon < 0 ? ecosystem : ecosystem.slice(0, colon)).trim();
  const entry = BY_NAME.get(base.toLowerCase());
  if (!entry) {
    throw new PatchwiseError('PW_ECOSYSTEM_UNKNOWN', `unknown ecosystem "${ecosystem}"`, { input: ecosystem });
  }
  return {
    base: entry.name,
    namesSourcePackages: NAMES_SOURCE_PACKAGES.has(entry.name),
    distribution: DISTRIBUTIONS.has(entry.name),
    release: colon < 0 ? '' : ecosystem.slice(colon + 1),
    scheme: entry.scheme,
  };
}

/**
 * The ecosystem with its base name in OSV's spelling (`pypi` → `PyPI`, `debian:12` → `Debian:12`),
 * the release part as given; an unknown base is returned unchanged, for matching to report.
 * Base names are looked up case-insensitively everywhere, so inventories are read into this
 * spelling, the one advisories use: without it, `pypi` would be accepted and match nothing.
 */
export function canonicalEcosystem(ecosystem: string): string {
  const colon = ecosystem.indexOf(':');
  const base = colon < 0 ? ecosystem : ecosystem.slice(0, colon);
  const entry = BY_NAME.get(base.trim().toLowerCase());
  if (!entry || entry.name === base) return ecosystem;
  return colon < 0 ? entry.name : `${entry.name}${ecosystem.slice(colon)}`;
}

/** The version scheme of an ecosystem; throws PW_ECOSYSTEM_UNKNOWN for names OSV does not define. */
export function schemeFor(ecosystem: string): VersionScheme {
  return ecosystemInfo(ecosystem).scheme;
}
