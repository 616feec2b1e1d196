/**
 * Approvals (CAB): approval policies per environment (how many distinct approvers, which roles,
 * how long an approval stays valid) and change requests for deployments and promotions, decided
 * by people other than the requester; emergency changes always need two. `assertChangeApproved`
 * is the gate anything that runs a change must pass.
 */
export {
  CHANGE_KINDS,
  CHANGE_LANES,
  DEFAULT_APPROVAL_POLICY,
  EMERGENCY_MIN_APPROVALS,
  approvalsNeeded,
  assertChangeApproved,
  changeStatus,
  decideChange,
  policyFor,
} from './change-request.js';
export type { ApprovalPolicy, ChangeDecision, ChangeKind, ChangeLane, ChangeRequest, ChangeState, ChangeStatus, Person } from './change-request.js';
export { parseApprovalPolicy } from './parse-approval-policy.js';
export { ApprovalStore } from './approval-store.js';
export type { NewChange } from './approval-store.js';
export { ChangeSignatureStore } from './change-signature-store.js';
export type { ChangeSignature } from './change-signature-store.js';
export type { ApprovalsTables } from './tables.js';
