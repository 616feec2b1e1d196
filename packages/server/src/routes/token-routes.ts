import { Type } from '@fastify/type-provider-typebox';
import { AccessStore, AuditStore, PatchwiseError, UserStore, isPermission, type ApiTokenInfo } from '@patchwise/core';
import type { FastifyRequest } from 'fastify';
import type { App, AppDeps } from '../app-types.js';
import { personActor, personOf } from '../caller-actor.js';
import { tablesOf } from '../database.js';

const Nullable = Type.Union([Type.String(), Type.Null()]);
const TokenView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  user: Type.String(),
  permissions: Type.Union([Type.Array(Type.String()), Type.Null()]),
  createdAt: Type.String(),
  expiresAt: Nullable,
  revokedAt: Nullable,
  lastUsedAt: Nullable,
});

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** Whether the caller manages other people's tokens (an unscoped users.manage). */
function managesOthers(request: FastifyRequest): boolean {
  return personOf(request).grants.get('users.manage').kind === 'all';
}

function forbidOthers(request: FastifyRequest, what: string): void {
  if (!managesOthers(request)) throw new PatchwiseError('PW_FORBIDDEN', `${personOf(request).userName} may only ${what} their own tokens (other people's need users.manage)`);
}

/**
 * API tokens for people and scripts: each belongs to a user and acts as that user, optionally
 * narrowed to a list of permissions; created with an expiry, shown once, held only as a hash,
 * revocable. Anyone manages their own; users.manage manages everyone's.
 */
export function tokenRoutes(app: App, deps: AppDeps): void {
  const view = (t: ApiTokenInfo, userName: string) => ({
    id: t.id,
    name: t.name,
    user: userName,
    permissions: t.permissions ? [...t.permissions] : null,
    createdAt: t.createdAt.toISOString(),
    expiresAt: iso(t.expiresAt),
    revokedAt: iso(t.revokedAt),
    lastUsedAt: iso(t.lastUsedAt),
  });

  app.post(
    '/api/v1/tokens',
    {
      config: { auth: 'person', permission: 'tokens.own' },
      schema: {
        summary: "Create an API token (yours, or another user's with users.manage); the secret is shown once",
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100 }),
            expiresInSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 2 * 365 * 86400 })),
            permissions: Type.Optional(Type.Array(Type.String(), { minItems: 1, maxItems: 64, description: 'narrow the token to these permissions' })),
            user: Type.Optional(Type.String({ minLength: 1 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ id: Type.String(), name: Type.String(), user: Type.String(), permissions: Type.Union([Type.Array(Type.String()), Type.Null()]), token: Type.String(), expiresAt: Nullable }) },
      },
    },
    async (request, reply) => {
      const { name, expiresInSeconds, permissions } = request.body;
      const caller = personOf(request);
      const unknown = (permissions ?? []).filter((p) => !isPermission(p));
      if (unknown.length) throw new PatchwiseError('PW_INPUT_INVALID', `permissions: unknown ${unknown.join(', ')}`);
      const expiresAt = expiresInSeconds ? new Date(deps.clock().getTime() + expiresInSeconds * 1000) : undefined;
      const created = await deps.db.transaction().execute(async (trx) => {
        const owner = request.body.user === undefined ? await new UserStore(tablesOf(trx), deps.clock).requireUser(caller.userId) : await new UserStore(tablesOf(trx), deps.clock).requireUser(request.body.user);
        if (owner.id !== caller.userId) forbidOthers(request, 'create');
        const t = await new AccessStore(tablesOf(trx), deps.clock).createApiToken(name, owner.id, { permissions, expiresAt });
        await new AuditStore(tablesOf(trx), deps.clock).append({
          actor: personActor(request),
          action: 'token.create',
          target: { kind: 'token', id: t.id },
          details: { name, user: owner.name, permissions: permissions ?? null, expiresAt: iso(expiresAt ?? null) },
        });
        return { ...t, owner: owner.name };
      });
      return reply.status(201).send({ id: created.id, name, user: created.owner, permissions: permissions ? [...new Set(permissions)].sort() : null, token: created.token, expiresAt: iso(expiresAt ?? null) });
    },
  );

  app.get(
    '/api/v1/tokens',
    {
      config: { auth: 'person', permission: 'tokens.own' },
      schema: {
        summary: "Your API tokens, or everyone's (all=true) or one user's (user=NAME) with users.manage; never their secrets",
        querystring: Type.Object({ user: Type.Optional(Type.String({ minLength: 1 })), all: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        response: { 200: Type.Object({ tokens: Type.Array(TokenView) }) },
      },
    },
    async (request) => {
      const caller = personOf(request);
      const people = new UserStore(tablesOf(deps.db), deps.clock);
      let userId: string | undefined = caller.userId;
      if (request.query.all) userId = undefined;
      else if (request.query.user !== undefined) userId = (await people.requireUser(request.query.user)).id;
      if (userId !== caller.userId) forbidOthers(request, 'list');
      const names = new Map((await people.users()).map((u) => [u.id, u.name]));
      const tokens = await new AccessStore(tablesOf(deps.db), deps.clock).listApiTokens(userId);
      return { tokens: tokens.map((t) => view(t, names.get(t.userId) ?? t.userId)) };
    },
  );

  app.delete(
    '/api/v1/tokens/:id',
    { config: { auth: 'person', permission: 'tokens.own' }, schema: { summary: 'Revoke an API token', params: Type.Object({ id: Type.String({ format: 'uuid' }) }), response: { 204: Type.Null() } } },
    async (request, reply) => {
      const caller = personOf(request);
      await deps.db.transaction().execute(async (trx) => {
        const access = new AccessStore(tablesOf(trx), deps.clock);
        const token = await access.apiToken(request.params.id);
        // Someone else's token answers like an unknown one unless the caller manages tokens.
        if (!token || (token.userId !== caller.userId && !managesOthers(request))) throw new PatchwiseError('PW_NOT_FOUND', `no API token ${request.params.id}`);
        await access.revokeApiToken(token.id);
        await new AuditStore(tablesOf(trx), deps.clock).append({ actor: personActor(request), action: 'token.revoke', target: { kind: 'token', id: token.id } });
      });
      return reply.status(204).send(null);
    },
  );
}
