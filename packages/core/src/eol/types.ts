/** The shapes of end-of-life knowledge: release lifecycles and per-package security support. */

/** A calendar date, `YYYY-MM-DD`, as the sources write it. Compared as the start of that day in UTC. */
export type IsoDate = string;

/**
 * Support after the standard end of life: Debian LTS and ELTS, Ubuntu Pro ESM and Legacy,
 * RHEL ELS. `subscription` is true when only paying (or Ubuntu Pro-attached) hosts get it, so a
 * caller that knows a host has no subscription can leave it out (`HostEolOptions.assumeSubscriptions`).
 */
export interface ExtendedPhase {
  /** Short name used in reasons: `LTS`, `ELTS`, `ESM`, `Legacy`, `ELS`. */
  readonly name: string;
  /** Who provides it, in words: "Debian LTS team", "Freexian ELTS", "Ubuntu Pro"… */
  readonly provider: string;
  /** The first day without it. */
  readonly end: IsoDate;
  readonly subscription: boolean;
}

/** One major release of a distribution and the dates its support phases end. */
export interface ReleaseLifecycle {
  /** os-release ID: `debian`, `ubuntu`, `rhel`, `almalinux`, `rocky`, `centos`, `alpine`. */
  readonly osId: string;
  /** The release as the source names it: `10`, `6.0`, `18.04`, `9`, `v3.18`. */
  readonly version: string;
  /** Lower-case series name where the distribution has one: `buster`, `bionic`. */
  readonly codename?: string | undefined;
  /** How reasons name it: "Debian 10 (buster)", "Ubuntu 18.04 LTS (bionic)", "AlmaLinux 8". */
  readonly label: string;
  readonly released?: IsoDate | undefined;
  /**
   * End of full/active support (RHEL "Full Support", AlmaLinux "Active Support"): after it only
   * security and selected fixes are published. Absent where the distribution has no such phase.
   */
  readonly activeEnd?: IsoDate | undefined;
  /**
   * End of standard support: the release's end of life as the distribution itself announces it.
   * Absent when not announced yet (Debian testing, a new release).
   */
  readonly supportEnd?: IsoDate | undefined;
  /** Extended phases after `supportEnd`, in date order. */
  readonly extended: readonly ExtendedPhase[];
  /** The data file the facts came from (`distro-info/debian.csv`), for reasons and audits. */
  readonly source: string;
}

/** How a Debian security-support list classifies a source package. */
export type PackageSupportStatus = 'non-supported' | 'limited' | 'supported';

/** One line of a debian-security-support list. */
export interface SecuritySupportEntry {
  /** Source package name, or a pattern (`golang.*`) matched against the whole source name. */
  readonly pattern: string;
  readonly status: PackageSupportStatus;
  /** Last version with support (`0`: none); only for non-supported entries. */
  readonly lastVersion?: string | undefined;
  /** When support ended or will end; only for non-supported entries. */
  readonly date?: IsoDate | undefined;
  /** Free text or URL explaining why. */
  readonly details?: string | undefined;
  /** File and 1-based line, e.g. `debian-security-support/trixie/security-support.deb11:23`. */
  readonly at: string;
}

/** The security-support list of one Debian release. */
export interface SecuritySupportList {
  /** Debian major release, e.g. `11`. */
  readonly release: string;
  readonly entries: readonly SecuritySupportEntry[];
}
