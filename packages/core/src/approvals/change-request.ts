import { PatchwiseError } from '../errors/index.js';

/**
 * Change requests (CAB): what needs approval before it may run. A deployment of a patch set to
 * an environment, or the promotion of a patch set into a ring, is requested by one person and
 * approved by others, as the environment's approval policy says.
 */
export type ChangeKind = 'deployment' | 'promotion';
export const CHANGE_KINDS: readonly ChangeKind[] = ['deployment', 'promotion'];

/** Emergency changes skip scheduling (and soak) later, so they always need two approvers. */
export type ChangeLane = 'scheduled' | 'emergency';
export const CHANGE_LANES: readonly ChangeLane[] = ['scheduled', 'emergency'];
export const EMERGENCY_MIN_APPROVALS = 2;

export interface ApprovalPolicy {
  /** The environment it governs; `*` is the policy for every environment without its own. */
  readonly environment: string;
  /** Distinct approvers needed (the requester never counts). */
  readonly approvals: number;
  /** Roles an approver must hold over the change's environment (or group). */
  readonly approverRoles: readonly string[];
  /** How long an approved change may start; after that it must be requested again. */
  readonly validForHours: number;
}

/** Until someone writes policies: one approver (approver or admin role), valid for three days. */
export const DEFAULT_APPROVAL_POLICY: ApprovalPolicy = { environment: '*', approvals: 1, approverRoles: ['approver', 'admin'], validForHours: 72 };

export interface Person {
  readonly id: string;
  readonly name: string | null;
}

export interface ChangeDecision {
  readonly by: Person;
  readonly decision: 'approve' | 'reject';
  readonly comment: string | null;
  readonly at: Date;
}

export type ChangeState = 'requested' | 'approved' | 'rejected' | 'cancelled';
/** The state as of a moment: an approval past its validity reads as `expired`. */
export type ChangeStatus = ChangeState | 'expired';

export interface ChangeRequest {
  readonly id: string;
  readonly kind: ChangeKind;
  readonly lane: ChangeLane;
  readonly environment: string;
  /** Optionally narrowed to one host group within the environment. */
  readonly group: string | null;
  readonly subject: { readonly kind: 'patch-set'; readonly id: string };
  readonly title: string;
  readonly reason: string;
  readonly requestedBy: Person;
  readonly createdAt: Date;
  readonly state: ChangeState;
  /** The policy as it stood when the change was requested: later edits do not move the goalposts. */
  readonly approvalsNeeded: number;
  readonly approverRoles: readonly string[];
  readonly validForHours: number;
  readonly decisions: readonly ChangeDecision[];
  readonly approvedAt: Date | null;
}

/** The policy governing an environment: its own, else the `*` policy, else the default. */
export function policyFor(policies: readonly ApprovalPolicy[], environment: string): ApprovalPolicy {
  return policies.find((p) => p.environment === environment) ?? policies.find((p) => p.environment === '*') ?? DEFAULT_APPROVAL_POLICY;
}

export function approvalsNeeded(policy: ApprovalPolicy, lane: ChangeLane): number {
  return lane === 'emergency' ? Math.max(policy.approvals, EMERGENCY_MIN_APPROVALS) : policy.approvals;
}

export function changeStatus(change: Pick<ChangeRequest, 'state' | 'approvedAt' | 'validForHours'>, now: Date): ChangeStatus {
  if (change.state === 'approved' && change.approvedAt && now.getTime() >= change.approvedAt.getTime() + change.validForHours * 3600_000) return 'expired';
  return change.state;
}

/**
 * One person's decision on a change, checked and applied (pure). `roles` are the roles the
 * person holds over the change's environment or group. The requester never decides; nobody
 * counts twice; one rejection by a qualified approver rejects the change.
 */
export function decideChange(change: ChangeRequest, decision: 'approve' | 'reject', by: Person & { readonly roles: readonly string[] }, comment: string | null, now: Date): ChangeRequest {
  if (change.state !== 'requested') throw new PatchwiseError('PW_CONFLICT', `change ${change.id} is ${change.state}; only a requested change can be decided`);
  if (by.id === change.requestedBy.id) throw new PatchwiseError('PW_FORBIDDEN', 'the requester of a change cannot approve or reject it; other people must decide');
  if (change.decisions.some((d) => d.by.id === by.id)) throw new PatchwiseError('PW_CONFLICT', `${by.name ?? by.id} has decided on change ${change.id} already; another person must`);
  if (!by.roles.some((r) => change.approverRoles.includes(r))) {
    throw new PatchwiseError('PW_FORBIDDEN', `approving a change in ${change.environment} needs one of the roles ${change.approverRoles.join(', ')} over it`);
  }
  const decisions = [...change.decisions, { by: { id: by.id, name: by.name }, decision, comment, at: now }];
  if (decision === 'reject') return { ...change, decisions, state: 'rejected' };
  const approvals = decisions.filter((d) => d.decision === 'approve').length;
  return approvals >= change.approvalsNeeded ? { ...change, decisions, state: 'approved', approvedAt: now } : { ...change, decisions };
}

/**
 * The gate every route and the engine pass before running a change: it must be approved, still
 * valid, and be exactly this kind of change of this subject to this environment.
 */
export function assertChangeApproved(change: ChangeRequest, expected: { readonly kind: ChangeKind; readonly environment: string; readonly subjectId: string }, now: Date): void {
  if (change.kind !== expected.kind || change.environment !== expected.environment || change.subject.id !== expected.subjectId) {
    throw new PatchwiseError('PW_APPROVAL_REQUIRED', `change ${change.id} approves a ${change.kind} of ${change.subject.id} to ${change.environment}, not a ${expected.kind} of ${expected.subjectId} to ${expected.environment}`);
  }
  const status = changeStatus(change, now);
  if (status !== 'approved') {
    const have = change.decisions.filter((d) => d.decision === 'approve').length;
    throw new PatchwiseError('PW_APPROVAL_REQUIRED', `change ${change.id} is ${status}${status === 'requested' ? ` (${have} of ${change.approvalsNeeded} approvals)` : ''}`);
  }
}
