import { Type } from '@fastify/type-provider-typebox';
import { FindingsStore, HostStore, PRIORITIES, slaDays } from '@patchwise/core';
import type { App, AppDeps } from '../app-types.js';
import { tablesOf } from '../database.js';
import { callerScope } from '../host-scope.js';
import { coversOf, exceptionFor, exceptionsInForce } from '../exceptions-in-force.js';
import { FindingView, findingView } from '../views.js';

/** Findings across the fleet, filtered, sorted and paged. */
export function findingRoutes(app: App, deps: AppDeps): void {
  app.get(
    '/api/v1/findings',
    {
      config: { auth: 'person', permission: 'findings.read' },
      schema: {
        summary: 'List findings',
        querystring: Type.Object(
          {
            host: Type.Optional(Type.String({ minLength: 1, description: 'host id or name' })),
            priority: Type.Optional(Type.Array(Type.Union(PRIORITIES.map((p) => Type.Literal(p))))),
            kev: Type.Optional(Type.Boolean()),
            type: Type.Optional(Type.Array(Type.Union([Type.Literal('security'), Type.Literal('bugfix'), Type.Literal('enhancement')]))),
            state: Type.Union([Type.Literal('open'), Type.Literal('fixed')], { default: 'open' }),
            package: Type.Optional(Type.String({ minLength: 1 })),
            advisory: Type.Optional(Type.String({ minLength: 1, description: 'advisory id or alias (CVE)' })),
            overdue: Type.Optional(Type.Boolean({ description: 'only open findings past their SLA due date' })),
            sort: Type.Union([Type.Literal('priority'), Type.Literal('first_seen'), Type.Literal('package'), Type.Literal('advisory')], { default: 'priority' }),
            limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
            offset: Type.Integer({ minimum: 0, default: 0 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ total: Type.Integer(), findings: Type.Array(FindingView) }) },
      },
    },
    async (request) => {
      const q = request.query;
      const hosts = new HostStore(tablesOf(deps.db), deps.clock);
      let hostIds: string[] | undefined;
      if (q.host) {
        const byId = /^[0-9a-f-]{36}$/.test(q.host) ? await hosts.get(q.host) : undefined;
        hostIds = byId ? [byId.id] : (await hosts.list({ name: q.host })).map((h) => h.id);
      }
      // A scoped caller sees findings of the hosts in scope only.
      const inScope = await (await callerScope(request, deps)).hostIds(deps.db);
      if (inScope) hostIds = hostIds ? hostIds.filter((id) => inScope.includes(id)) : inScope;
      const now = deps.clock();
      // Overdue: first seen before now minus the window of its priority on its host's tier.
      const seenBefore = q.overdue ? [...(await hosts.activeIdsByTier())].flatMap(([tier, ids]) => PRIORITIES.map((priority) => ({ priority, hostIds: ids, before: new Date(now.getTime() - slaDays(deps.slaPolicy, priority, tier) * 86_400_000) }))) : undefined;
      // Excepted findings are shown with their exception, and are never overdue.
      const inForce = await exceptionsInForce(deps.db, now);
      const excluding = q.overdue ? coversOf(inForce) : undefined;
      const { total, findings } = await new FindingsStore(tablesOf(deps.db), deps.clock).list(
        { hostIds, state: q.overdue ? 'open' : q.state, priorities: q.priority, kev: q.kev, types: q.type, package: q.package, advisory: q.advisory, seenBefore, excluding },
        { limit: q.limit, offset: q.offset, sort: q.sort },
      );
      const labels = await hosts.labelsOf([...new Set(findings.map((f) => f.hostId))]);
      return { total, findings: findings.map((f) => findingView(f, labels.get(f.hostId) ?? { name: f.hostId, tier: null }, deps.slaPolicy, now, exceptionFor(inForce, f))) };
    },
  );
}
