import { Type } from '@fastify/type-provider-typebox';
import {
  ApprovalStore,
  AuditStore,
  BUILTIN_ROLES,
  MaintenanceStore,
  PatchwiseError,
  PolicyStore,
  UserStore,
  auditDigest,
  parsePolicyDocument,
  planPolicy,
  policyDocumentData,
  type ApprovalPolicy,
  type Freeze,
  type HostGroup,
  type MaintenanceWindow,
  type PatchBaseline,
  type PolicyChange,
  type PolicyDocument,
  type RoleDefinition,
  type SlaPolicy,
} from '@patchwise/core';
import type { Kysely } from 'kysely';
import type { App, AppDeps } from '../app-types.js';
import { slaInForce } from '../sla-in-force.js';
import { personActor } from '../caller-actor.js';
import { tablesOf, type Database } from '../database.js';
import { deleteGroup, requireGroups } from '../group-references.js';

const ChangeView = Type.Object({ kind: Type.String(), name: Type.String(), action: Type.String(), fields: Type.Array(Type.String()) });
const Loose = Type.Record(Type.String(), Type.Unknown());

/** The stored policy, every section. */
async function currentPolicy(db: Kysely<Database>, deps: AppDeps): Promise<Required<PolicyDocument>> {
  const policy = new PolicyStore(tablesOf(db), deps.clock);
  const maintenance = new MaintenanceStore(tablesOf(db), deps.clock);
  const roles: RoleDefinition[] = (await new UserStore(tablesOf(db), deps.clock).roles()).filter((r) => !r.builtin).map((r) => ({ name: r.name, description: r.description, permissions: [...r.permissions] }));
  return {
    groups: await policy.groups(),
    baselines: await policy.baselines(),
    approvalPolicies: await new ApprovalStore(tablesOf(db), deps.clock).policies(),
    roles,
    windows: await maintenance.windows(),
    freezes: await maintenance.freezes(),
    sla: await slaInForce(db, deps.slaPolicy, deps.clock),
  };
}

/** References the final state must keep whole, checked before anything is written. */
function checkReferences(current: Required<PolicyDocument>, desired: PolicyDocument): void {
  const groups = new Set((desired.groups ?? current.groups).map((g) => g.name));
  for (const b of desired.baselines ?? current.baselines) {
    if (b.group !== undefined && !groups.has(b.group)) throw new PatchwiseError('PW_CONFLICT', `baseline ${b.name} names group ${b.group}, which the policy would not have`);
  }
  for (const [kind, items] of [['window', desired.windows ?? current.windows], ['freeze', desired.freezes ?? current.freezes]] as const) {
    for (const item of items) {
      const missing = item.groups.filter((g) => !groups.has(g));
      if (missing.length) throw new PatchwiseError('PW_CONFLICT', `${kind} ${item.name} names group ${missing.join(', ')}, which the policy would not have`);
    }
  }
  const roles = new Set([...Object.keys(BUILTIN_ROLES), ...(desired.roles ?? current.roles).map((r) => r.name)]);
  for (const p of desired.approvalPolicies ?? current.approvalPolicies) {
    const missing = p.approverRoles.filter((r) => !roles.has(r));
    if (missing.length) throw new PatchwiseError('PW_CONFLICT', `approval policy ${p.environment} names role ${missing.join(', ')}, which the policy would not have`);
  }
}

/**
 * Policy as code: `GET /api/v1/policy` exports groups, baselines, approval policies, custom roles,
 * maintenance windows and freezes, and the SLA; `POST /api/v1/policy/apply` plans the changes that make the stored policy the
 * document's (sections left out are untouched) and, unless it is a dry run, applies them in one
 * transaction, each change an audit event. The SLA comes from the server's `--sla` file, so a
 * document that changes it is refused with the plan saying so.
 */
export function policyRoutes(app: App, deps: AppDeps): void {
  app.get('/api/v1/policy', { config: { auth: 'person', permission: 'policy.read' }, schema: { summary: 'The governance policy as one document (YAML with patchwise policy export)', response: { 200: Loose } } }, async () =>
    policyDocumentData(await currentPolicy(deps.db, deps)),
  );

  app.post(
    '/api/v1/policy/apply',
    {
      config: { auth: 'person', permission: 'policy.apply' },
      schema: {
        summary: 'Plan, and unless dryRun apply, a policy document; every change audited',
        body: Type.Object({ document: Loose, dryRun: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        response: { 200: Type.Object({ applied: Type.Boolean(), changes: Type.Array(ChangeView) }) },
      },
    },
    async (request) => {
      const desired = parsePolicyDocument(request.body.document, 'policy document');
      const dryRun = request.body.dryRun === true;
      const actor = personActor(request);
      const changes = await deps.db.transaction().execute(async (trx) => {
        const current = await currentPolicy(trx, deps);
        checkReferences(current, desired);
        const plan = planPolicy(current, desired);
        if (dryRun) return plan;
        const audit = new AuditStore(tablesOf(trx), deps.clock);
        for (const change of plan) {
          await applyChange(trx, change);
          await audit.append({ actor, action: `${change.kind}.${change.action}`, target: { kind: change.kind, id: change.name }, before: change.before ? auditDigest(change.before) : null, after: change.after ? auditDigest(change.after) : null, details: { via: 'policy apply', fields: [...change.fields] } });
        }
        // Nothing changed, nothing to record: a re-applied document leaves no trace.
        if (plan.length) await audit.append({ actor, action: 'policy.apply', target: { kind: 'policy', id: 'policy' }, after: auditDigest(policyDocumentData(desired)), details: { changes: plan.length } });
        return plan;
      });
      return { applied: !dryRun, changes: changes.map((c) => ({ kind: c.kind, name: c.name, action: c.action, fields: [...c.fields] })) };
    },
  );

  async function applyChange(trx: Kysely<Database>, c: PolicyChange): Promise<void> {
    const policy = new PolicyStore(tablesOf(trx), deps.clock);
    const approvals = new ApprovalStore(tablesOf(trx), deps.clock);
    const people = new UserStore(tablesOf(trx), deps.clock);
    const maintenance = new MaintenanceStore(tablesOf(trx), deps.clock);
    switch (c.kind) {
      case 'group':
        if (c.action === 'delete') await deleteGroup(trx, deps.clock, c.name);
        else await policy.putGroup(c.after as HostGroup);
        return;
      case 'baseline':
        if (c.action === 'delete') await policy.deleteBaseline(c.name);
        else await policy.putBaseline(c.after as PatchBaseline);
        return;
      case 'approval-policy':
        if (c.action === 'delete') await approvals.deletePolicy(c.name);
        else await approvals.putPolicy(c.after as ApprovalPolicy);
        return;
      case 'role': {
        const r = c.after as RoleDefinition;
        if (c.action === 'delete') await people.deleteRole(c.name);
        else if (c.action === 'create') await people.createRole(r.name, r.description, r.permissions);
        else await people.updateRole(r.name, r.description, r.permissions);
        return;
      }
      case 'window':
        if (c.action === 'delete') await maintenance.deleteWindow(c.name);
        else {
          await requireGroups(trx, deps.clock, `window ${c.name}`, (c.after as MaintenanceWindow).groups);
          await maintenance.putWindow(c.after as MaintenanceWindow);
        }
        return;
      case 'freeze':
        if (c.action === 'delete') await maintenance.deleteFreeze(c.name);
        else {
          await requireGroups(trx, deps.clock, `freeze ${c.name}`, (c.after as Freeze).groups);
          await maintenance.putFreeze(c.after as Freeze);
        }
        return;
      case 'sla':
        await new PolicyStore(tablesOf(trx), deps.clock).putSla(c.after as SlaPolicy);
        return;
    }
  }
}
