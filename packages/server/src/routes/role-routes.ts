import { Type } from '@fastify/type-provider-typebox';
import { AuditStore, PERMISSIONS, UserStore, auditDigest, type RoleInfo } from '@patchwise/core';
import type { App, AppDeps } from '../app-types.js';
import { personActor } from '../caller-actor.js';
import { tablesOf } from '../database.js';

const RoleView = Type.Object({ name: Type.String(), description: Type.String(), permissions: Type.Array(Type.String()), builtin: Type.Boolean() });
const PermissionView = Type.Object({ name: Type.String(), scope: Type.String(), description: Type.String() });

const roleView = (r: RoleInfo) => ({ name: r.name, description: r.description, permissions: [...r.permissions], builtin: r.builtin });

/** Roles: the built-in four and custom ones (sets of permissions); anyone signed in may read them. */
export function roleRoutes(app: App, deps: AppDeps): void {
  app.get(
    '/api/v1/roles',
    { config: { auth: 'person', permission: 'self' }, schema: { summary: 'Roles and the permissions they hold, and every permission', response: { 200: Type.Object({ roles: Type.Array(RoleView), permissions: Type.Array(PermissionView) }) } } },
    async () => ({
      roles: (await new UserStore(tablesOf(deps.db), deps.clock).roles()).map(roleView),
      permissions: Object.entries(PERMISSIONS).map(([name, p]) => ({ name, scope: p.scope, description: p.description })),
    }),
  );

  app.post(
    '/api/v1/roles',
    {
      config: { auth: 'person', permission: 'roles.manage' },
      schema: {
        summary: 'Create a custom role',
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }), description: Type.Optional(Type.String({ maxLength: 500 })), permissions: Type.Array(Type.String(), { minItems: 1, maxItems: 64 }) }, { additionalProperties: false }),
        response: { 201: RoleView },
      },
    },
    async (request, reply) => {
      const { name, description, permissions } = request.body;
      const role = await deps.db.transaction().execute(async (trx) => {
        const created = await new UserStore(tablesOf(trx), deps.clock).createRole(name, description ?? '', permissions);
        await new AuditStore(tablesOf(trx), deps.clock).append({ actor: personActor(request), action: 'role.create', target: { kind: 'role', id: name }, before: null, after: auditDigest(roleView(created)), details: { permissions: [...created.permissions] } });
        return created;
      });
      return reply.status(201).send(roleView(role));
    },
  );

  app.delete(
    '/api/v1/roles/:name',
    { config: { auth: 'person', permission: 'roles.manage' }, schema: { summary: 'Delete a custom role that no one holds', params: Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) }), response: { 204: Type.Null() } } },
    async (request, reply) => {
      await deps.db.transaction().execute(async (trx) => {
        const gone = await new UserStore(tablesOf(trx), deps.clock).deleteRole(request.params.name);
        await new AuditStore(tablesOf(trx), deps.clock).append({ actor: personActor(request), action: 'role.delete', target: { kind: 'role', id: gone.name }, before: auditDigest(roleView(gone)), after: null });
      });
      return reply.status(204).send(null);
    },
  );
}
