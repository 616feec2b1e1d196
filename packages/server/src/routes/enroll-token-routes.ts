import { Type } from '@fastify/type-provider-typebox';
import { AccessStore, AuditStore, parseAttributePatch } from '@patchwise/core';
import type { App, AppDeps } from '../app-types.js';
import { tablesOf } from '../database.js';
import { personActor } from '../caller-actor.js';

const TokenView = Type.Object({
  id: Type.String(),
  createdAt: Type.String(),
  expiresAt: Type.Union([Type.String(), Type.Null()]),
  maxUses: Type.Union([Type.Integer(), Type.Null()]),
  uses: Type.Integer(),
  attributes: Type.Record(Type.String(), Type.Unknown()),
  revoked: Type.Boolean(),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
  state: Type.Union([Type.Literal('usable'), Type.Literal('revoked'), Type.Literal('expired'), Type.Literal('used-up')]),
});

/** Enrollment tokens: one-time (or N-time) secrets that let an agent enroll. */
export function enrollTokenRoutes(app: App, deps: AppDeps): void {
  const access = () => new AccessStore(tablesOf(deps.db), deps.clock);

  app.post(
    '/api/v1/enroll-tokens',
    {
      config: { auth: 'person', permission: 'enroll.manage' },
      schema: {
        summary: 'Create an enrollment token; the secret is shown once',
        body: Type.Object(
          {
            expiresInSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 365 * 86400 })),
            maxUses: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
            attributes: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ id: Type.String(), token: Type.String(), expiresAt: Type.Union([Type.String(), Type.Null()]), maxUses: Type.Union([Type.Integer(), Type.Null()]) }) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      // Validated now, so a token can never carry attributes that would fail at enrollment.
      const attributes = body.attributes ? parseAttributePatch(body.attributes, 'attributes') : {};
      const expiresAt = body.expiresInSeconds ? new Date(deps.clock().getTime() + body.expiresInSeconds * 1000) : undefined;
      const { id, secret } = await deps.db.transaction().execute(async (trx) => {
        const created = await new AccessStore(tablesOf(trx), deps.clock).createEnrollToken({ expiresAt, maxUses: body.maxUses, attributes });
        const details = { expiresAt: expiresAt?.toISOString() ?? null, maxUses: body.maxUses ?? null, attributes };
        await new AuditStore(tablesOf(trx), deps.clock).append({ actor: personActor(request), action: 'enroll-token.create', target: { kind: 'enroll-token', id: created.id }, details });
        return created;
      });
      return reply.status(201).send({ id, token: secret, expiresAt: expiresAt?.toISOString() ?? null, maxUses: body.maxUses ?? null });
    },
  );

  app.get(
    '/api/v1/enroll-tokens',
    { config: { auth: 'person', permission: 'enroll.manage' }, schema: { summary: 'Every enrollment token with its state (never the secret)', response: { 200: Type.Object({ tokens: Type.Array(TokenView) }) } } },
    async () => {
      const tokens = await access().listEnrollTokens();
      return {
        tokens: tokens.map((t) => ({ ...t, createdAt: t.createdAt.toISOString(), expiresAt: t.expiresAt?.toISOString() ?? null, revokedAt: t.revokedAt?.toISOString() ?? null })),
      };
    },
  );

  app.delete(
    '/api/v1/enroll-tokens/:id',
    {
      config: { auth: 'person', permission: 'enroll.manage' },
      schema: { summary: 'Revoke an enrollment token (hosts enrolled with it stay); revoking it again changes nothing', params: Type.Object({ id: Type.String({ format: 'uuid' }) }), response: { 204: Type.Null() } },
    },
    async (request, reply) => {
      await deps.db.transaction().execute(async (trx) => {
        // Already revoked: nothing changed, so nothing to audit.
        if (!(await new AccessStore(tablesOf(trx), deps.clock).revokeEnrollToken(request.params.id))) return;
        await new AuditStore(tablesOf(trx), deps.clock).append({ actor: personActor(request), action: 'enroll-token.revoke', target: { kind: 'enroll-token', id: request.params.id } });
      });
      return reply.status(204).send(null);
    },
  );
}
