/**
 * End-of-life knowledge: when distribution releases stop getting security fixes (Debian and
 * Ubuntu from distro-info-data; RHEL, AlmaLinux, Rocky Linux, CentOS and Alpine from the vendors'
 * pages) and which Debian source packages lost security support early (debian-security-support).
 * Pure: the caller passes `now`. docs/eol.md documents sources and rules.
 */
export type { ExtendedPhase, IsoDate, PackageSupportStatus, ReleaseLifecycle, SecuritySupportEntry, SecuritySupportList } from './types.js';
export { releaseLifecycle } from './release-lifecycle.js';
export { hostEolStatus } from './host-eol-status.js';
export type {
  HostEolInput,
  HostEolOptions,
  HostEolStatus,
  PackageEolStatus,
  ReleaseEolStatus,
  ReleasePhase,
  UnknownReleaseStatus,
} from './host-eol-status.js';
export { EOL_DATA_FILES, bundledEolData, loadEolData } from './eol-data.js';
export type { CompiledSupportEntry, EolData, EolFileReader } from './eol-data.js';
