/**
 * Reports: judgements and figures over the fleet for people and auditors. Pure: callers pass
 * what the stores hold. For now, host compliance (end of life, and fixes missing against the
 * host's patch baseline or the built-in rule).
 */
export { DEFAULT_COMPLIANCE_RULE, complianceSummary, hostCompliance } from './host-compliance.js';
export type { ComplianceRule, ComplianceStatus, ComplianceSummary, HostCompliance, HostComplianceInput } from './host-compliance.js';
