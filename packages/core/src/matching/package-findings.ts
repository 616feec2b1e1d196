import type { PackageMatch } from './package-match.js';

/**
 * The advisories that apply to one installed package (by matched name and version) on a host.
 * `matches` is the matcher's memoised answer, shared by every host carrying the same
 * (ecosystem, name, version): never mutate it. Sharing is what lets reports be cached per
 * answer instead of rebuilt per host.
 */
export interface PackageFindings {
  readonly ecosystem: string;
  /** The name matched: the source package for Debian, Ubuntu, Alpine and Rocky Linux, else the package itself. */
  readonly package: string;
  /** The installed version compared (the source version where the source package is matched). */
  readonly installed: string;
  /** Installed binary packages this covers (several binaries share one source; multi-arch). */
  readonly binaries: readonly string[];
  readonly matches: readonly PackageMatch[];
}
