/**
 * Policy: the rules hosts and findings are judged by. The SLA matrix (days to remediate by
 * priority and host tier) with each finding's due date and state, and host groups (selectors
 * over attributes and facts, evaluated when used); tables `policy_*`.
 */
export { DEFAULT_SLA_POLICY, parseSlaPolicy, slaDays, slaVerdict } from './sla-policy.js';
export type { SlaPolicy, SlaState, SlaTier, SlaVerdict } from './sla-policy.js';
export { parseHostGroup, selects } from './host-group.js';
export type { HostGroup, HostSelector, SelectableHost } from './host-group.js';
export { PolicyStore } from './policy-store.js';
export type { PolicyTables } from './tables.js';
export { EXCEPTION_CATEGORIES, MAX_EXCEPTION_DAYS, exceptionActive, exceptionCovers, parseExceptionRequest } from './finding-exception.js';
export type { ExceptionCategory, ExceptionRequest, ExceptionScope, ExceptionState, FindingException } from './finding-exception.js';
