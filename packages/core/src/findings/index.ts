/**
 * Findings: advisories that apply to a host's packages, stored with their lifecycle (open →
 * fixed, first seen, fixed at) so time-to-patch can be measured.
 */
export { FindingsStore } from './findings-store.js';
export type { EmergencyFilter, FindingChanges, FindingCover, FindingFilter, FindingPage, FindingSort, JudgedFinding } from './findings-store.js';
export { assessedFindings, findingKey } from './finding-row.js';
export type { AssessedFinding, FindingState, StoredFinding } from './finding-row.js';
export type { FindingsTables } from './tables.js';
