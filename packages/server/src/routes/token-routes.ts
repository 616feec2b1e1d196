import { Type } from '@fastify/type-provider-typebox';
import { AccessStore, AuditStore } from '@patchwise/core';
import type { App, AppDeps } from '../app-types.js';
import { adminActor } from '../caller-actor.js';
import { tablesOf } from '../database.js';

const Nullable = Type.Union([Type.String(), Type.Null()]);
const TokenView = Type.Object({ id: Type.String(), name: Type.String(), role: Type.String(), createdAt: Type.String(), expiresAt: Nullable, revokedAt: Nullable, lastUsedAt: Nullable });

/**
 * API tokens for people and scripts: created with a name and an expiry, shown once, held only as
 * a hash, revocable. Every token is an admin token until roles and scopes arrive (issue 4).
 */
export function tokenRoutes(app: App, deps: AppDeps): void {
  app.post(
    '/api/v1/tokens',
    {
      config: { auth: 'admin' },
      schema: {
        summary: 'Create an API token; the secret is shown once',
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }), expiresInSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 2 * 365 * 86400 })) }, { additionalProperties: false }),
        response: { 201: Type.Object({ id: Type.String(), name: Type.String(), token: Type.String(), expiresAt: Nullable }) },
      },
    },
    async (request, reply) => {
      const { name, expiresInSeconds } = request.body;
      const expiresAt = expiresInSeconds ? new Date(deps.clock().getTime() + expiresInSeconds * 1000) : undefined;
      const created = await deps.db.transaction().execute(async (trx) => {
        const t = await new AccessStore(tablesOf(trx), deps.clock).createApiToken(name, 'admin', expiresAt);
        await new AuditStore(tablesOf(trx), deps.clock).append({ actor: adminActor(request), action: 'token.create', target: { kind: 'token', id: t.id }, details: { name, role: 'admin', expiresAt: expiresAt?.toISOString() ?? null } });
        return t;
      });
      return reply.status(201).send({ id: created.id, name, token: created.token, expiresAt: expiresAt?.toISOString() ?? null });
    },
  );

  app.get('/api/v1/tokens', { config: { auth: 'admin' }, schema: { summary: 'API tokens (never their secrets)', response: { 200: Type.Object({ tokens: Type.Array(TokenView) }) } } }, async () => {
    const iso = (d: Date | null) => d?.toISOString() ?? null;
    const tokens = await new AccessStore(tablesOf(deps.db), deps.clock).listApiTokens();
    return { tokens: tokens.map((t) => ({ ...t, createdAt: t.createdAt.toISOString(), expiresAt: iso(t.expiresAt), revokedAt: iso(t.revokedAt), lastUsedAt: iso(t.lastUsedAt) })) };
  });

  app.delete(
    '/api/v1/tokens/:id',
    { config: { auth: 'admin' }, schema: { summary: 'Revoke an API token', params: Type.Object({ id: Type.String({ format: 'uuid' }) }), response: { 204: Type.Null() } } },
    async (request, reply) => {
      await deps.db.transaction().execute(async (trx) => {
        await new AccessStore(tablesOf(trx), deps.clock).revokeApiToken(request.params.id);
        await new AuditStore(tablesOf(trx), deps.clock).append({ actor: adminActor(request), action: 'token.revoke', target: { kind: 'token', id: request.params.id } });
      });
      return reply.status(204).send(null);
    },
  );
}
