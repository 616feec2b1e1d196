import { Type } from '@fastify/type-provider-typebox';
import { AuditStore, RingStore, ScriptStore, auditDigest, type LibraryScript } from '@patchwise/core';
import type { App, AppDeps } from '../app-types.js';
import { personActor } from '../caller-actor.js';
import { tablesOf } from '../database.js';

const Text = Type.String();
const Nullable = Type.Union([Type.String(), Type.Null()]);
const ScriptView = Type.Object({ name: Text, body: Text, sha256: Text, createdAt: Text, createdBy: Text, approvedBy: Nullable, approvedAt: Nullable });
const RingView = Type.Object({ environment: Text, soakMinutes: Type.Integer() });
const NameParam = Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) });

const scriptView = (s: LibraryScript) => ({ ...s, createdAt: s.createdAt.toISOString(), approvedAt: s.approvedAt?.toISOString() ?? null });

/** The rings patch sets are promoted through, and the approved script library. */
export function libraryRoutes(app: App, deps: AppDeps): void {
  app.get('/api/v1/rings', { config: { auth: 'person', permission: 'patchsets.read' }, schema: { summary: 'The rings, in promotion order', response: { 200: Type.Object({ rings: Type.Array(RingView) }) } } }, async () => ({
    rings: await new RingStore(tablesOf(deps.db)).list(),
  }));

  app.put(
    '/api/v1/rings',
    { config: { auth: 'person', permission: 'rings.write' }, schema: { summary: 'Replace the ring order (test → staging → production) and each ring’s soak time', body: Type.Object({ rings: Type.Array(Type.Object({ environment: Type.String({ minLength: 1, maxLength: 200 }), soakMinutes: Type.Integer({ minimum: 0, maximum: 90 * 24 * 60 }) }, { additionalProperties: false }), { maxItems: 20 }) }, { additionalProperties: false }), response: { 200: Type.Object({ rings: Type.Array(RingView) }) } } },
    async (request) =>
      deps.db.transaction().execute(async (trx) => {
        const store = new RingStore(tablesOf(trx));
        const before = await store.list();
        await store.replace(request.body.rings);
        await new AuditStore(tablesOf(trx), deps.clock).append({ actor: personActor(request), action: 'rings.set', target: { kind: 'rings', id: 'rings' }, before: auditDigest(before), after: auditDigest(request.body.rings), details: { rings: request.body.rings.map((r) => r.environment) } });
        return { rings: await store.list() };
      }),
  );

  app.get('/api/v1/scripts', { config: { auth: 'person', permission: 'patchsets.read' }, schema: { summary: 'The script library', response: { 200: Type.Object({ scripts: Type.Array(ScriptView) }) } } }, async () => ({
    scripts: (await new ScriptStore(tablesOf(deps.db)).list()).map(scriptView),
  }));

  app.put(
    '/api/v1/scripts/:name',
    { config: { auth: 'person', permission: 'scripts.write' }, schema: { summary: 'Add or change a script (a change needs a new approval)', params: NameParam, body: Type.Object({ body: Type.String({ minLength: 1, maxLength: 65536 }) }, { additionalProperties: false }), response: { 200: ScriptView } } },
    async (request) =>
      deps.db.transaction().execute(async (trx) => {
        const actor = personActor(request);
        const store = new ScriptStore(tablesOf(trx));
        const before = await store.get(request.params.name);
        const s = await store.put(request.params.name, request.body.body, actor.id, deps.clock());
        await new AuditStore(tablesOf(trx), deps.clock).append({ actor, action: 'script.put', target: { kind: 'script', id: s.name }, before: before ? auditDigest(before.sha256) : null, after: auditDigest(s.sha256), details: { sha256: s.sha256 } });
        return scriptView(s);
      }),
  );

  app.post(
    '/api/v1/scripts/:name/approve',
    { config: { auth: 'person', permission: 'scripts.approve' }, schema: { summary: 'Approve a script someone else wrote, naming the body (SHA-256) you read', params: NameParam, body: Type.Object({ sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }) }, { additionalProperties: false }), response: { 200: ScriptView } } },
    async (request) =>
      deps.db.transaction().execute(async (trx) => {
        const actor = personActor(request);
        const s = await new ScriptStore(tablesOf(trx)).approve(request.params.name, request.body.sha256, actor.id, deps.clock());
        await new AuditStore(tablesOf(trx), deps.clock).append({ actor, action: 'script.approve', target: { kind: 'script', id: s.name }, details: { sha256: s.sha256, author: s.createdBy } });
        return scriptView(s);
      }),
  );

  app.delete(
    '/api/v1/scripts/:name',
    { config: { auth: 'person', permission: 'scripts.write' }, schema: { summary: 'Delete a script (running deployments keep the body they were made with)', params: NameParam } },
    async (request, reply) => {
      await deps.db.transaction().execute(async (trx) => {
        await new ScriptStore(tablesOf(trx)).delete(request.params.name);
        await new AuditStore(tablesOf(trx), deps.clock).append({ actor: personActor(request), action: 'script.delete', target: { kind: 'script', id: request.params.name } });
      });
      return reply.status(204).send();
    },
  );
}
