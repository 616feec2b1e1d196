export { Matcher, packageKey, isVersionError } from './matcher.js';
export type { MatcherStats, PackageMatch } from './matcher.js';
export { assessHost, findingsOf } from './assess-host.js';
export { matchTarget } from './match-target.js';
export type { Finding, HostAssessment, PackageFindings } from './assess-host.js';
export { FleetAssessment } from './fleet-assessment.js';
export type { AdvisoryChange } from './fleet-assessment.js';
