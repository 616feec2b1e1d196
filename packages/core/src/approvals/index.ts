/**
 * Approvals (CAB): approval rules per environment (how many distinct approvers, which roles,
 * how long an approval stays valid) and change requests for deployments and promotions, decided
 * by people other than the requester; emergency changes always need two. `assertChangeApproved`
 * is the gate anything that runs a change must pass.
 */
export {
  CHANGE_KINDS,
  CHANGE_LANES,
  DEFAULT_APPROVAL_RULE,
  EMERGENCY_MIN_APPROVALS,
  approvalsNeeded,
  assertChangeApproved,
  changeStatus,
  decideChange,
  ruleFor,
} from './change-request.js';
export type { ApprovalRule, ChangeDecision, ChangeKind, ChangeLane, ChangeRequest, ChangeState, ChangeStatus, Person } from './change-request.js';
export { parseApprovalRule } from './parse-approval-rule.js';
export { ApprovalStore } from './approval-store.js';
export type { NewChange } from './approval-store.js';
export type { ApprovalsTables } from './tables.js';
