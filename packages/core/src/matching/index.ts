export { Matcher, nameOfKey } from './matcher.js';
export type { MatcherStats } from './matcher.js';
export type { PackageMatch } from './package-match.js';
export { assessHost, findingsOf } from './assess-host.js';
export { matchTarget } from './match-target.js';
export type { Finding, HostAssessment } from './assess-host.js';
export type { PackageFindings } from './package-findings.js';
export { FleetAssessment } from './fleet-assessment.js';
export type { AdvisoryChange } from './fleet-assessment.js';
