import { Type } from '@fastify/type-provider-typebox';
import {
  ApprovalStore,
  AuditStore,
  CHANGE_KINDS,
  CHANGE_LANES,
  DEFAULT_APPROVAL_POLICY,
  PatchwiseError,
  PolicyStore,
  UserStore,
  auditDigest,
  changeStatus,
  decideChange,
  parseApprovalPolicy,
  type ApprovalPolicy,
  type ChangeRequest,
  type UserInfo,
} from '@patchwise/core';
import type { App, AppDeps } from '../app-types.js';
import { personActor, personOf } from '../caller-actor.js';
import { tablesOf } from '../database.js';
import { callerScope } from '../host-scope.js';

const Text = Type.String();
const Nullable = Type.Union([Type.String(), Type.Null()]);
const PersonView = Type.Object({ id: Text, name: Nullable });
const ChangeView = Type.Object({
  id: Text,
  kind: Text,
  lane: Text,
  environment: Text,
  group: Nullable,
  subject: Type.Object({ kind: Text, id: Text }),
  title: Text,
  reason: Text,
  requestedBy: PersonView,
  createdAt: Text,
  /** requested | approved | rejected | cancelled | expired (an approval past its validity) */
  status: Text,
  approvalsNeeded: Type.Integer(),
  approvals: Type.Integer(),
  approverRoles: Type.Array(Text),
  approvedAt: Nullable,
  validUntil: Nullable,
  decisions: Type.Array(Type.Object({ by: PersonView, decision: Text, comment: Nullable, at: Text })),
});
const PolicyView = Type.Object({ environment: Text, approvals: Type.Integer(), approverRoles: Type.Array(Text), validForHours: Type.Integer() });
const IdParam = Type.Object({ id: Type.String({ format: 'uuid' }) });

function changeView(c: ChangeRequest, now: Date) {
  return {
    id: c.id,
    kind: c.kind,
    lane: c.lane,
    environment: c.environment,
    group: c.group,
    subject: { ...c.subject },
    title: c.title,
    reason: c.reason,
    requestedBy: c.requestedBy,
    createdAt: c.createdAt.toISOString(),
    status: changeStatus(c, now),
    approvalsNeeded: c.approvalsNeeded,
    approvals: c.decisions.filter((d) => d.decision === 'approve').length,
    approverRoles: [...c.approverRoles],
    approvedAt: c.approvedAt?.toISOString() ?? null,
    validUntil: c.approvedAt ? new Date(c.approvedAt.getTime() + c.validForHours * 3600_000).toISOString() : null,
    decisions: c.decisions.map((d) => ({ by: d.by, decision: d.decision, comment: d.comment, at: d.at.toISOString() })),
  };
}

const policyView = (p: ApprovalPolicy) => ({ environment: p.environment, approvals: p.approvals, approverRoles: [...p.approverRoles], validForHours: p.validForHours });

/** The roles a user holds over a change: fleet-wide ones, and scoped ones naming its environment or group. */
function rolesOver(user: UserInfo, change: ChangeRequest): string[] {
  return user.bindings.filter((b) => !b.scope || b.scope.environments.includes(change.environment) || (change.group !== null && b.scope.groups.includes(change.group))).map((b) => b.role);
}

/**
 * Change requests (CAB) and approval policies. A person with changes.request asks for a
 * deployment or promotion of a patch set into an environment; people other than the requester,
 * holding one of the policy's approver roles over that environment, approve or reject it with a
 * comment. The policy in force when the change was requested decides how many approvals it
 * needs (emergency: at least two) and how long the approval stays valid.
 */
export function changeRoutes(app: App, deps: AppDeps): void {
  const store = (db = deps.db) => new ApprovalStore(tablesOf(db), deps.clock);

  app.post(
    '/api/v1/changes',
    {
      config: { auth: 'person', permission: 'changes.request' },
      schema: {
        summary: 'Request a change: a deployment or promotion of a patch set to an environment',
        body: Type.Object(
          {
            kind: Type.Union(CHANGE_KINDS.map((k) => Type.Literal(k))),
            lane: Type.Optional(Type.Union(CHANGE_LANES.map((l) => Type.Literal(l)))),
            environment: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' }),
            group: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
            patchSet: Type.String({ minLength: 1, maxLength: 100 }),
            title: Type.String({ minLength: 1, maxLength: 200 }),
            reason: Type.String({ minLength: 1, maxLength: 4000 }),
          },
          { additionalProperties: false },
        ),
        response: { 201: ChangeView },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const change = { environment: b.environment, group: b.group ?? null };
      const scope = await callerScope(request, deps);
      if (!scope.allowsChange(change)) throw new PatchwiseError('PW_FORBIDDEN', `${personOf(request).userName} may not request changes in ${b.environment}${b.group ? ` (group ${b.group})` : ''}`);
      const actor = personActor(request);
      const created = await deps.db.transaction().execute(async (trx) => {
        if (b.group !== undefined) await new PolicyStore(tablesOf(trx), deps.clock).requireGroup(b.group);
        const c = await store(trx).requestChange(
          { kind: b.kind, lane: (b.lane ?? 'scheduled'), ...change, subject: { kind: 'patch-set', id: b.patchSet }, title: b.title, reason: b.reason },
          { id: actor.id, name: actor.name ?? null },
        );
        await new AuditStore(tablesOf(trx), deps.clock).append({ actor, action: 'change.request', target: { kind: 'change', id: c.id }, after: auditDigest(changeView(c, deps.clock())), details: { kind: c.kind, lane: c.lane, environment: c.environment, patchSet: c.subject.id, approvalsNeeded: c.approvalsNeeded } });
        return c;
      });
      return reply.status(201).send(changeView(created, deps.clock()));
    },
  );

  app.get(
    '/api/v1/changes',
    {
      config: { auth: 'person', permission: 'changes.read' },
      schema: {
        summary: 'Change requests in the caller’s scope, newest first',
        querystring: Type.Object({ state: Type.Optional(Type.Union(['requested', 'approved', 'rejected', 'cancelled', 'expired'].map((s) => Type.Literal(s)))), patchSet: Type.Optional(Type.String()) }, { additionalProperties: false }),
        response: { 200: Type.Object({ changes: Type.Array(ChangeView) }) },
      },
    },
    async (request) => {
      const now = deps.clock();
      const scope = await callerScope(request, deps);
      const wanted = request.query.state;
      // `expired` is read-time (an approved change past its validity), so filter after reading.
      const stored = await store().changes({ state: wanted === 'expired' ? 'approved' : (wanted), subjectId: request.query.patchSet });
      return { changes: stored.filter((c) => scope.allowsChange(c) && (wanted === undefined || changeStatus(c, now) === wanted)).map((c) => changeView(c, now)) };
    },
  );

  app.get('/api/v1/changes/:id', { config: { auth: 'person', permission: 'changes.read' }, schema: { summary: 'One change request with its decisions', params: IdParam, response: { 200: ChangeView } } }, async (request) => {
    const c = await store().requireChange(request.params.id);
    if (!(await callerScope(request, deps)).allowsChange(c)) throw new PatchwiseError('PW_NOT_FOUND', `no change request ${c.id}`);
    return changeView(c, deps.clock());
  });

  app.post(
    '/api/v1/changes/:id/:decision',
    {
      config: { auth: 'person', permission: 'changes.approve' },
      schema: {
        summary: 'Approve or reject a change someone else requested, with a comment',
        params: Type.Object({ id: Type.String({ format: 'uuid' }), decision: Type.Union([Type.Literal('approve'), Type.Literal('reject')]) }),
        body: Type.Object({ comment: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })) }, { additionalProperties: false }),
        response: { 200: ChangeView },
      },
    },
    async (request) => {
      const { id, decision } = request.params;
      const actor = personActor(request);
      const scope = await callerScope(request, deps);
      const now = deps.clock();
      const decided = await deps.db.transaction().execute(async (trx) => {
        const approvals = store(trx);
        const before = await approvals.lockChange(id);
        if (!scope.allowsChange(before)) throw new PatchwiseError('PW_NOT_FOUND', `no change request ${id}`);
        const user = await new UserStore(tablesOf(trx), deps.clock).requireUser(actor.id);
        const after = decideChange(before, decision, { id: user.id, name: user.name, roles: rolesOver(user, before) }, request.body.comment ?? null, now);
        await approvals.save(after);
        await new AuditStore(tablesOf(trx), deps.clock).append({
          actor,
          action: `change.${decision}`,
          target: { kind: 'change', id },
          before: auditDigest(changeView(before, now)),
          after: auditDigest(changeView(after, now)),
          details: { state: after.state, approvals: after.decisions.filter((d) => d.decision === 'approve').length, approvalsNeeded: after.approvalsNeeded, ...(request.body.comment ? { comment: request.body.comment } : {}) },
        });
        return after;
      });
      return changeView(decided, now);
    },
  );

  app.post(
    '/api/v1/changes/:id/cancel',
    { config: { auth: 'person', permission: 'changes.request' }, schema: { summary: 'Withdraw a change you requested, before it runs', params: IdParam, response: { 200: ChangeView } } },
    async (request) => {
      const actor = personActor(request);
      const now = deps.clock();
      const scope = await callerScope(request, deps);
      const cancelled = await deps.db.transaction().execute(async (trx) => {
        const approvals = store(trx);
        const before = await approvals.lockChange(request.params.id);
        if (!scope.allowsChange(before)) throw new PatchwiseError('PW_NOT_FOUND', `no change request ${before.id}`);
        if (before.requestedBy.id !== actor.id) throw new PatchwiseError('PW_FORBIDDEN', 'only the requester can withdraw a change; approvers reject it instead');
        if (before.state !== 'requested' && before.state !== 'approved') throw new PatchwiseError('PW_CONFLICT', `change ${before.id} is ${before.state} already`);
        const after: ChangeRequest = { ...before, state: 'cancelled' };
        await approvals.save(after);
        await new AuditStore(tablesOf(trx), deps.clock).append({ actor, action: 'change.cancel', target: { kind: 'change', id: before.id }, before: auditDigest(changeView(before, now)), after: auditDigest(changeView(after, now)) });
        return after;
      });
      return changeView(cancelled, now);
    },
  );

  app.get(
    '/api/v1/approval-policies',
    // Anyone signed in may read them, like roles: they say who must approve, not what changes.
    { config: { auth: 'person', permission: 'self' }, schema: { summary: 'Approval policies per environment (`*`: every other one)', response: { 200: Type.Object({ policies: Type.Array(PolicyView), default: PolicyView }) } } },
    async () => ({ policies: (await store().policies()).map(policyView), default: policyView(DEFAULT_APPROVAL_POLICY) }),
  );

  app.put(
    '/api/v1/approval-policies/:environment',
    {
      config: { auth: 'person', permission: 'approvals.manage' },
      schema: {
        summary: 'Set the approval policy of an environment (`*` for every environment without its own)',
        params: Type.Object({ environment: Type.String({ minLength: 1, maxLength: 64 }) }),
        body: Type.Object({ approvals: Type.Integer(), approverRoles: Type.Optional(Type.Array(Type.String())), validForHours: Type.Optional(Type.Integer()) }, { additionalProperties: false }),
        response: { 200: PolicyView },
      },
    },
    async (request) => {
      const policy = parseApprovalPolicy({ ...request.body, environment: request.params.environment }, 'approval policy');
      const people = new UserStore(tablesOf(deps.db), deps.clock);
      const unknownRoles = [];
      for (const r of policy.approverRoles) if (!(await people.role(r))) unknownRoles.push(r);
      if (unknownRoles.length) throw new PatchwiseError('PW_INPUT_INVALID', `approval policy.approverRoles: no role ${unknownRoles.join(', ')}`);
      await deps.db.transaction().execute(async (trx) => {
        const before = await store(trx).putPolicy(policy);
        await new AuditStore(tablesOf(trx), deps.clock).append({ actor: personActor(request), action: 'approval-policy.set', target: { kind: 'approval-policy', id: policy.environment }, before: before ? auditDigest(policyView(before)) : null, after: auditDigest(policyView(policy)), details: policyView(policy) });
      });
      return policyView(policy);
    },
  );

  app.delete(
    '/api/v1/approval-policies/:environment',
    { config: { auth: 'person', permission: 'approvals.manage' }, schema: { summary: 'Remove an environment’s approval policy (the `*` policy or the default applies)', params: Type.Object({ environment: Type.String({ minLength: 1, maxLength: 64 }) }), response: { 204: Type.Null() } } },
    async (request, reply) => {
      await deps.db.transaction().execute(async (trx) => {
        const gone = await store(trx).deletePolicy(request.params.environment);
        await new AuditStore(tablesOf(trx), deps.clock).append({ actor: personActor(request), action: 'approval-policy.delete', target: { kind: 'approval-policy', id: gone.environment }, before: auditDigest(policyView(gone)), after: null });
      });
      return reply.status(204).send(null);
    },
  );
}
