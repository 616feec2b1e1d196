import { Type } from '@fastify/type-provider-typebox';
import { AuditStore, UserStore, auditDigest, hashPassword, type AuditActor, type UserInfo } from '@patchwise/core';
import type { Kysely } from 'kysely';
import type { App, AppDeps } from '../app-types.js';
import { personActor } from '../caller-actor.js';
import { tablesOf, type Database } from '../database.js';

const Nullable = Type.Union([Type.String(), Type.Null()]);
const ScopeView = Type.Union([Type.Object({ groups: Type.Array(Type.String()), environments: Type.Array(Type.String()) }), Type.Null()]);
export const BindingView = Type.Object({ id: Type.String(), role: Type.String(), scope: ScopeView });
export const UserView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  hasPassword: Type.Boolean(),
  disabled: Type.Boolean(),
  lockedUntil: Nullable,
  createdAt: Type.String(),
  bindings: Type.Array(BindingView),
});
const NameParam = Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) });
const Password = Type.String({ minLength: 1, maxLength: 1024 });
const BindingBody = Type.Object(
  {
    role: Type.String({ minLength: 1, maxLength: 64 }),
    groups: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { maxItems: 100 })),
    environments: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { maxItems: 100 })),
  },
  { additionalProperties: false },
);

export function userView(u: UserInfo) {
  return {
    id: u.id,
    name: u.name,
    hasPassword: u.hasPassword,
    disabled: u.disabled,
    lockedUntil: u.lockedUntil?.toISOString() ?? null,
    createdAt: u.createdAt.toISOString(),
    bindings: u.bindings.map((b) => ({ id: b.id, role: b.role, scope: b.scope ? { groups: [...b.scope.groups], environments: [...b.scope.environments] } : null })),
  };
}

/** What an audit event says of a user's state: never the password hash. */
const digestOf = (u: UserInfo) => auditDigest({ ...userView(u), lockedUntil: null });

/** A binding's scope from a request: none given means the whole fleet. */
function scopeOf(body: { groups?: string[] | undefined; environments?: string[] | undefined }) {
  return body.groups?.length || body.environments?.length ? { groups: body.groups ?? [], environments: body.environments ?? [] } : null;
}

/**
 * Users and their role bindings (users.manage): create with an optional password, disable and
 * enable, unlock after a lock-out, reset a password, give and take roles, fleet-wide or scoped
 * to host groups and environments. Users are never deleted (the audit trail names them);
 * disabling one ends their sessions and stops their tokens.
 */
export function userRoutes(app: App, deps: AppDeps): void {
  const manage = { auth: 'person', permission: 'users.manage' } as const;

  async function change(actor: AuditActor, name: string, action: string, apply: (people: UserStore, user: UserInfo) => Promise<unknown>, details: Record<string, unknown> = {}): Promise<UserInfo> {
    return deps.db.transaction().execute(async (trx: Kysely<Database>) => {
      const people = new UserStore(tablesOf(trx), deps.clock);
      const before = await people.requireUser(name);
      await apply(people, before);
      const after = await people.requireUser(before.id);
      await new AuditStore(tablesOf(trx), deps.clock).append({ actor, action, target: { kind: 'user', id: after.id }, before: digestOf(before), after: digestOf(after), details: { user: after.name, ...details } });
      return after;
    });
  }

  app.post(
    '/api/v1/users',
    {
      config: manage,
      schema: {
        summary: 'Create a user, optionally with a password and role bindings',
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }), password: Type.Optional(Password), roles: Type.Optional(Type.Array(BindingBody, { maxItems: 50 })) }, { additionalProperties: false }),
        response: { 201: UserView },
      },
    },
    async (request, reply) => {
      const { name, password, roles } = request.body;
      const hash = password === undefined ? null : await hashPassword(password);
      const user = await deps.db.transaction().execute(async (trx) => {
        const people = new UserStore(tablesOf(trx), deps.clock);
        const created = await people.createUser(name, hash);
        for (const b of roles ?? []) await people.bind(created.id, b.role, scopeOf(b));
        const after = await people.requireUser(created.id);
        await new AuditStore(tablesOf(trx), deps.clock).append({ actor: personActor(request), action: 'user.create', target: { kind: 'user', id: after.id }, before: null, after: digestOf(after), details: { user: name, withPassword: hash !== null } });
        return after;
      });
      return reply.status(201).send(userView(user));
    },
  );

  app.get('/api/v1/users', { config: manage, schema: { summary: 'Every user with their role bindings', response: { 200: Type.Object({ users: Type.Array(UserView) }) } } }, async () => ({
    users: (await new UserStore(tablesOf(deps.db), deps.clock).users()).map(userView),
  }));

  app.get('/api/v1/users/:name', { config: manage, schema: { summary: 'One user', params: NameParam, response: { 200: UserView } } }, async (request) =>
    userView(await new UserStore(tablesOf(deps.db), deps.clock).requireUser(request.params.name)),
  );

  app.patch(
    '/api/v1/users/:name',
    {
      config: manage,
      schema: {
        summary: 'Disable or enable a user, or lift a lock-out',
        params: NameParam,
        body: Type.Object({ disabled: Type.Optional(Type.Boolean()), unlock: Type.Optional(Type.Literal(true)) }, { additionalProperties: false }),
        response: { 200: UserView },
      },
    },
    async (request) => {
      const { disabled, unlock } = request.body;
      const action = unlock ? 'user.unlock' : disabled ? 'user.disable' : 'user.enable';
      const user = await change(personActor(request), request.params.name, action, async (people, u) => {
        if (disabled !== undefined) await people.setDisabled(u.id, disabled);
        if (unlock) await people.unlock(u.id);
      });
      return userView(user);
    },
  );

  app.put(
    '/api/v1/users/:name/password',
    { config: manage, schema: { summary: "Set a user's password (ends their sessions)", params: NameParam, body: Type.Object({ password: Password }, { additionalProperties: false }), response: { 204: Type.Null() } } },
    async (request, reply) => {
      const hash = await hashPassword(request.body.password);
      await change(personActor(request), request.params.name, 'user.password.set', (people, u) => people.setPassword(u.id, hash));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/users/:name/bindings',
    { config: manage, schema: { summary: 'Give a role, fleet-wide or for some host groups and environments', params: NameParam, body: BindingBody, response: { 200: UserView } } },
    async (request) => {
      const scope = scopeOf(request.body);
      const user = await change(personActor(request), request.params.name, 'user.role.grant', (people, u) => people.bind(u.id, request.body.role, scope), { role: request.body.role, scope });
      return userView(user);
    },
  );

  app.delete(
    '/api/v1/users/:name/bindings/:id',
    { config: manage, schema: { summary: 'Take a role binding away', params: Type.Object({ name: NameParam.properties.name, id: Type.String({ format: 'uuid' }) }), response: { 200: UserView } } },
    async (request) => {
      const user = await change(personActor(request), request.params.name, 'user.role.revoke', (people, u) => people.unbind(u.id, request.params.id), { binding: request.params.id });
      return userView(user);
    },
  );
}
