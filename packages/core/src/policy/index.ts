/**
 * Policy: the rules findings are judged by. For now the SLA matrix (days to remediate by
 * priority and host tier) and each finding's due date and state. Pure: callers pass `now`.
 */
export { DEFAULT_SLA_POLICY, parseSlaPolicy, slaDays, slaVerdict } from './sla-policy.js';
export type { SlaPolicy, SlaState, SlaTier, SlaVerdict } from './sla-policy.js';
