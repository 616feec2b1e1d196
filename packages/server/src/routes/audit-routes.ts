import { Type } from '@fastify/type-provider-typebox';
import { AuditStore, type AuditEvent } from '@patchwise/core';
import type { App, AppDeps } from '../app-types.js';
import { defaulted } from '../defaulted.js';
import { tablesOf } from '../database.js';

const AuditEventView = Type.Object({
  seq: Type.Integer(),
  at: Type.String(),
  actor: Type.Object({ kind: Type.String(), id: Type.String(), name: Type.Union([Type.String(), Type.Null()]), via: Type.Optional(Type.String()) }),
  action: Type.String(),
  target: Type.Object({ kind: Type.String(), id: Type.String() }),
  before: Type.Union([Type.String(), Type.Null()]),
  after: Type.Union([Type.String(), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
  prevHash: Type.String(),
  hash: Type.String(),
});

function eventView(e: AuditEvent) {
  return { ...e, at: e.at.toISOString(), actor: { ...e.actor, name: e.actor.name ?? null }, details: { ...e.details } };
}

/** The audit trail: reading it in order, and proving it was not changed. */
export function auditRoutes(app: App, deps: AppDeps): void {
  const store = () => new AuditStore(tablesOf(deps.db), deps.clock);

  app.get(
    '/api/v1/audit/events',
    {
      config: { auth: 'person', permission: 'audit.read' },
      schema: {
        summary: 'Audit events in order; page with afterSeq (the last seq received)',
        querystring: Type.Object(
          {
            afterSeq: defaulted(Type.Integer({ minimum: 0, default: 0 })),
            since: Type.Optional(Type.String({ format: 'date-time' })),
            limit: defaulted(Type.Integer({ minimum: 1, maximum: 5000, default: 1000 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ events: Type.Array(AuditEventView) }) },
      },
    },
    async (request) => {
      const q = request.query;
      const events = await store().events({ afterSeq: q.afterSeq, limit: q.limit, ...(q.since ? { since: new Date(q.since) } : {}) });
      return { events: events.map(eventView) };
    },
  );

  app.get(
    '/api/v1/audit/verify',
    {
      config: { auth: 'person', permission: 'audit.read' },
      schema: {
        summary: "Walk the hash chain and check every checkpoint against this server's key; names the first tampered event",
        response: {
          200: Type.Object({
            ok: Type.Boolean(),
            events: Type.Integer(),
            checkpoints: Type.Optional(Type.Integer()),
            seq: Type.Optional(Type.Integer()),
            reason: Type.Optional(Type.String()),
            publicKey: Type.String(),
          }),
        },
      },
    },
    async () => ({ ...(await store().verify(deps.auditSigner.publicKey)), publicKey: deps.auditSigner.publicKey }),
  );
}
