import { Type } from '@fastify/type-provider-typebox';
import { AuditStore, HostStore, PolicyStore, auditDigest, parseHostGroup, selects, type HostGroup } from '@patchwise/core';
import type { App, AppDeps } from '../app-types.js';
import { personActor } from '../caller-actor.js';
import { tablesOf } from '../database.js';
import { deleteGroup } from '../group-references.js';
import { callerScope } from '../host-scope.js';
import { HostListItemView, hostView } from '../views.js';
import { advisoryCoverage } from '../advisory-coverage.js';

const Loose = Type.Record(Type.String(), Type.Unknown());
const GroupView = Type.Object({ name: Type.String(), description: Type.String(), selector: Loose });
const NameParam = Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) });

function groupView(g: HostGroup) {
  return { name: g.name, description: g.description, selector: { ...g.selector } };
}

/** Host groups: static lists and dynamic selectors, resolved to their members when asked. */
export function groupRoutes(app: App, deps: AppDeps): void {
  app.put(
    '/api/v1/groups/:name',
    {
      config: { auth: 'person', permission: 'groups.write' },
      schema: {
        summary: 'Create or replace a host group: { description?, selector: { hosts?, tier?, environment?, tags?, os?, cluster?, internetFacing? } }',
        params: NameParam,
        body: Type.Object({ description: Type.Optional(Type.String()), selector: Loose }, { additionalProperties: false }),
        response: { 200: GroupView },
      },
    },
    async (request) => {
      const group = parseHostGroup({ ...request.body, name: request.params.name }, 'group');
      await deps.db.transaction().execute(async (trx) => {
        const before = await new PolicyStore(tablesOf(trx), deps.clock).putGroup(group);
        await new AuditStore(tablesOf(trx), deps.clock).append({
          actor: personActor(request),
          action: before ? 'group.replace' : 'group.create',
          target: { kind: 'group', id: group.name },
          before: before ? auditDigest(groupView(before)) : null,
          after: auditDigest(groupView(group)),
          details: { selector: { ...group.selector } },
        });
      });
      return groupView(group);
    },
  );

  app.get('/api/v1/groups', { config: { auth: 'person', permission: 'groups.read' }, schema: { summary: 'Every host group', response: { 200: Type.Object({ groups: Type.Array(GroupView) }) } } }, async () => ({
    groups: (await new PolicyStore(tablesOf(deps.db), deps.clock).groups()).map(groupView),
  }));

  app.get(
    '/api/v1/groups/:name/hosts',
    { config: { auth: 'person', permission: 'hosts.read' }, schema: { summary: 'The hosts a group selects now', params: NameParam, response: { 200: Type.Object({ group: GroupView, hosts: Type.Array(HostListItemView) }) } } },
    async (request) => {
      const group = await new PolicyStore(tablesOf(deps.db), deps.clock).requireGroup(request.params.name);
      const now = deps.clock();
      const scope = await callerScope(request, deps);
      const members = (await new HostStore(tablesOf(deps.db), deps.clock).list()).filter((h) => selects(group.selector, h) && scope.allows(h));
      // As in the host list: whether any advisory held covers each host, so an unassessed one is not taken for clean.
      const covered = advisoryCoverage(deps.controlPlane);
      return { group: groupView(group), hosts: members.map((h) => ({ ...hostView(h, now, deps.policy), advisoriesHeld: covered(h.ecosystem) })) };
    },
  );

  app.delete(
    '/api/v1/groups/:name',
    { config: { auth: 'person', permission: 'groups.write' }, schema: { summary: 'Delete a host group (refused, naming them, while a baseline, window or freeze names it)', params: NameParam, response: { 204: Type.Null() } } },
    async (request, reply) => {
      await deps.db.transaction().execute(async (trx) => {
        const gone = await deleteGroup(trx, deps.clock, request.params.name);
        await new AuditStore(tablesOf(trx), deps.clock).append({ actor: personActor(request), action: 'group.delete', target: { kind: 'group', id: gone.name }, before: auditDigest(groupView(gone)) });
      });
      return reply.status(204).send(null);
    },
  );
}
