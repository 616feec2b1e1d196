/**
 * Findings: advisories that apply to a host's packages, stored with their lifecycle (open →
 * fixed when the host changed, open → retracted when the advisory changed; first seen, fixed at)
 * so time-to-patch can be measured without counting false positives as fixes.
 */
export { FindingsStore, countOpen } from './findings-store.js';
export type { EmergencyFilter, FindingChanges, FindingCover, HostSync, InstalledNow, FindingFilter, FindingPage, FindingSort, JudgedFinding } from './findings-store.js';
export { FindingKeys, assessedFindings, detailKeyOf, findingKey } from './finding-row.js';
export { KnownDetails } from './known-details.js';
export type { AssessedFinding, FindingState, StoredFinding } from './finding-row.js';
export type { FindingsTables } from './tables.js';
