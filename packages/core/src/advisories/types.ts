import type { CvssScore } from '../cvss/index.js';

/** Security fixes are told apart from bug fixes and enhancements everywhere (filters, baselines). */
export type AdvisoryType = 'security' | 'bugfix' | 'enhancement';

export const ADVISORY_TYPES: readonly AdvisoryType[] = ['security', 'bugfix', 'enhancement'];

/** Qualitative severity, on CVSS's scale; vendor scales are mapped onto it. */
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'none';

/** One OSV range event; exactly one field is set. */
export interface RangeEvent {
  readonly introduced?: string;
  readonly fixed?: string;
  readonly last_affected?: string;
  readonly limit?: string;
}

export interface AffectedRange {
  readonly type: 'ECOSYSTEM' | 'SEMVER';
  readonly events: readonly RangeEvent[];
}

export interface AffectedPackage {
  /** OSV ecosystem, e.g. `AlmaLinux:9`. */
  readonly ecosystem: string;
  /** Package name, normalised per ecosystem (PEP 503 for PyPI). */
  readonly name: string;
  readonly ranges: readonly AffectedRange[];
  /** Enumerated affected versions (OSV `versions`). */
  readonly versions: readonly string[];
}

export interface VendorSeverity {
  readonly severity: Severity;
  /** The vendor's own word, e.g. `Important`, `MODERATE`, `negligible`. */
  readonly label: string;
}

export interface Advisory {
  readonly id: string;
  readonly aliases: readonly string[];
  readonly related: readonly string[];
  /**
   * Records this one derives from (OSV 1.7 `upstream`); Ubuntu keeps its CVE here. Optional so
   * that advisories made by hand (tests) need not say it.
   */
  readonly upstream?: readonly string[] | undefined;
  /**
   * CVE ids named by id, aliases, related or upstream (AlmaLinux keeps them in `related`, Ubuntu
   * in `upstream`); a distribution's per-CVE id (`UBUNTU-CVE-2021-3782`) names its CVE.
   */
  readonly cves: readonly string[];
  readonly type: AdvisoryType;
  readonly summary: string;
  readonly published?: string | undefined;
  readonly modified?: string | undefined;
  readonly withdrawn?: string | undefined;
  readonly vendorSeverity?: VendorSeverity | undefined;
  /** Every CVSS vector the record gives, scored. */
  readonly cvss: readonly CvssScore[];
  readonly affected: readonly AffectedPackage[];
  /** The file (or archive entry) it was read from. */
  readonly source: string;
}
