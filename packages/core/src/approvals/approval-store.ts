import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { PatchwiseError } from '../errors/index.js';
import { approvalsNeeded, policyFor, type ApprovalPolicy, type ChangeKind, type ChangeLane, type ChangeRequest, type ChangeState, type Person } from './change-request.js';
import type { ApprovalsTables } from './tables.js';

export interface NewChange {
  readonly kind: ChangeKind;
  readonly lane: ChangeLane;
  readonly environment: string;
  readonly group: string | null;
  readonly subject: ChangeRequest['subject'];
  readonly title: string;
  readonly reason: string;
}

type ChangeRow = Selectable<ApprovalsTables['approvals_changes']>;

function toChange(r: ChangeRow): ChangeRequest {
  return {
    id: r.id,
    kind: r.kind as ChangeKind,
    lane: r.lane as ChangeLane,
    environment: r.environment,
    group: r.group_name,
    subject: { kind: 'patch-set', id: r.subject_id },
    title: r.title,
    reason: r.reason,
    requestedBy: { id: r.requested_by, name: r.requested_by_name },
    createdAt: r.created_at,
    state: r.state as ChangeState,
    approvalsNeeded: r.approvals_needed,
    approverRoles: r.approver_roles,
    validForHours: r.valid_for_hours,
    decisions: r.decisions.map((d) => ({ ...d, at: new Date(d.at) })),
    approvedAt: r.approved_at,
  };
}

/** Approval policies per environment, and change requests with their decisions. */
export class ApprovalStore {
  constructor(
    private readonly db: Kysely<ApprovalsTables>,
    private readonly clock: () => Date,
  ) {}

  async policies(): Promise<ApprovalPolicy[]> {
    const rows = await this.db.selectFrom('approvals_policies').selectAll().orderBy('environment').execute();
    return rows.map((r) => ({ environment: r.environment, approvals: r.approvals, approverRoles: r.approver_roles, validForHours: r.valid_for_hours }));
  }

  /** Creates or replaces an environment's policy; returns the one it replaced. */
  async putPolicy(policy: ApprovalPolicy): Promise<ApprovalPolicy | undefined> {
    const before = (await this.policies()).find((r) => r.environment === policy.environment);
    const values = { approvals: policy.approvals, approver_roles: JSON.stringify(policy.approverRoles), valid_for_hours: policy.validForHours, updated_at: this.clock() };
    await this.db
      .insertInto('approvals_policies')
      .values({ environment: policy.environment, ...values })
      .onConflict((oc) => oc.column('environment').doUpdateSet(values))
      .execute();
    return before;
  }

  async deletePolicy(environment: string): Promise<ApprovalPolicy> {
    const before = (await this.policies()).find((r) => r.environment === environment);
    if (!before) throw new PatchwiseError('PW_NOT_FOUND', `no approval policy for ${environment}`);
    await this.db.deleteFrom('approvals_policies').where('environment', '=', environment).execute();
    return before;
  }

  /** Records a request with the policy that governs it now (frozen into the change). */
  async requestChange(input: NewChange, by: Person): Promise<ChangeRequest> {
    const policy = policyFor(await this.policies(), input.environment);
    const row = await this.db
      .insertInto('approvals_changes')
      .values({
        id: randomUUID(),
        kind: input.kind,
        lane: input.lane,
        environment: input.environment,
        group_name: input.group,
        subject_kind: input.subject.kind,
        subject_id: input.subject.id,
        title: input.title,
        reason: input.reason,
        requested_by: by.id,
        requested_by_name: by.name,
        created_at: this.clock(),
        state: 'requested',
        approvals_needed: approvalsNeeded(policy, input.lane),
        approver_roles: JSON.stringify(policy.approverRoles),
        valid_for_hours: policy.validForHours,
        decisions: '[]',
        approved_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toChange(row);
  }

  async changes(filter: { state?: ChangeState | undefined; subjectId?: string | undefined } = {}): Promise<ChangeRequest[]> {
    let q = this.db.selectFrom('approvals_changes').selectAll();
    if (filter.state) q = q.where('state', '=', filter.state);
    if (filter.subjectId) q = q.where('subject_id', '=', filter.subjectId);
    return (await q.orderBy('created_at', 'desc').orderBy('id').execute()).map(toChange);
  }

  async requireChange(id: string): Promise<ChangeRequest> {
    const row = await this.db.selectFrom('approvals_changes').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new PatchwiseError('PW_NOT_FOUND', `no change request ${id}`);
    return toChange(row);
  }

  /** The change, its row locked until the transaction ends, so two deciders queue up. */
  async lockChange(id: string): Promise<ChangeRequest> {
    const row = await this.db.selectFrom('approvals_changes').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!row) throw new PatchwiseError('PW_NOT_FOUND', `no change request ${id}`);
    return toChange(row);
  }

  /** Stores a decided change (from `decideChange`) or a cancellation. */
  async save(change: ChangeRequest): Promise<void> {
    await this.db
      .updateTable('approvals_changes')
      .set({ state: change.state, decisions: JSON.stringify(change.decisions.map((d) => ({ ...d, at: d.at.toISOString() }))), approved_at: change.approvedAt })
      .where('id', '=', change.id)
      .execute();
  }
}
