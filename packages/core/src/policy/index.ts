/**
 * Policy: the rules hosts and findings are judged by. The SLA matrix (days to remediate by
 * priority and host tier, clock start, restart on exception expiry) with each finding's due
 * date and state; the emergency lane; host groups (selectors over attributes and facts,
 * evaluated when used); exceptions; patch baselines (which fixes are approved for a group);
 * tables `policy_*`.
 */
export { DEFAULT_SLA_POLICY, parseSlaPolicy, slaClockStart, slaDays, slaVerdict } from './sla-policy.js';
export type { SlaClock, SlaFinding, SlaPolicy, SlaState, SlaTier, SlaVerdict } from './sla-policy.js';
export { DEFAULT_EMERGENCY_CRITERIA, findingLane, parseEmergencyCriteria } from './emergency-lane.js';
export type { EmergencyCriteria, Lane, LaneVerdict } from './emergency-lane.js';
export { parseHostGroup, selects } from './host-group.js';
export type { HostGroup, HostSelector, SelectableHost } from './host-group.js';
export { PolicyStore } from './policy-store.js';
export type { PolicyTables } from './tables.js';
export { EXCEPTION_CATEGORIES, EXCEPTION_STATUSES, MAX_EXCEPTION_DAYS, exceptionActive, exceptionCovers, exceptionStatus, parseExceptionRequest } from './finding-exception.js';
export type { ExceptionCategory, ExceptionRequest, ExceptionScope, ExceptionState, ExceptionStatus, FindingException } from './finding-exception.js';
export { BUILT_IN_BASELINE, builtInBaseline, parsePatchBaseline } from './patch-baseline.js';
export type { ApprovalRule, PackageHold, PatchBaseline } from './patch-baseline.js';
export { baselineDecision, describeRule } from './baseline-decision.js';
export type { BaselineDecision, BaselineState, DecidableFinding } from './baseline-decision.js';
export { baselineForHost } from './baseline-for-host.js';
