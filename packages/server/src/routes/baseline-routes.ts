import { Type } from '@fastify/type-provider-typebox';
import { AuditStore, HostStore, PatchwiseError, PolicyStore, auditDigest, parsePatchBaseline, type PatchBaseline } from '@patchwise/core';
import type { App, AppDeps } from '../app-types.js';
import { personActor, personOf } from '../caller-actor.js';
import { HostScope } from '../host-scope.js';
import { tablesOf } from '../database.js';
import { HostBaselines } from '../host-baselines.js';

const Loose = Type.Record(Type.String(), Type.Unknown());
const NameParam = Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) });
const HostRef = Type.Object({ id: Type.String(), name: Type.String() });

/** A baseline as the API shows it: the document, every default filled in. */
function baselineView(b: PatchBaseline): Record<string, unknown> {
  return JSON.parse(JSON.stringify(b)) as Record<string, unknown>;
}

/**
 * Patch baselines: which fixes are approved for a group's hosts (rules, approve and reject
 * lists, holds), and which baseline each host follows (docs/baselines.md). Every change audited.
 */
export function baselineRoutes(app: App, deps: AppDeps): void {
  app.put(
    '/api/v1/baselines/:name',
    {
      config: { auth: 'person', permission: 'baselines.write' },
      schema: {
        summary: 'Create or replace a patch baseline: { group?, precedence?, description?, rules, approveKevAtOnce?, approve?, reject?, holds? } (docs/baselines.md)',
        params: NameParam,
        body: Loose,
        response: { 200: Loose },
      },
    },
    async (request) => {
      const body = request.body;
      if (body.name !== undefined && body.name !== request.params.name) throw new PatchwiseError('PW_INPUT_INVALID', `name: the body names ${JSON.stringify(body.name)}, the path ${request.params.name}`, { input: 'baseline' });
      const baseline = parsePatchBaseline({ ...body, name: request.params.name }, 'baseline');
      await deps.db.transaction().execute(async (trx) => {
        const policy = new PolicyStore(tablesOf(trx), deps.clock);
        if (baseline.group !== undefined) await policy.requireGroup(baseline.group, 'share');
        const before = await policy.putBaseline(baseline);
        await new AuditStore(tablesOf(trx), deps.clock).append({
          actor: personActor(request),
          action: before ? 'baseline.replace' : 'baseline.create',
          target: { kind: 'baseline', id: baseline.name },
          before: before ? auditDigest(baselineView(before)) : null,
          after: auditDigest(baselineView(baseline)),
          details: { group: baseline.group ?? null, precedence: baseline.precedence ?? null, rules: baseline.rules.length, approve: baseline.approve.length, reject: baseline.reject.length, holds: baseline.holds.length },
        });
      });
      return baselineView(baseline);
    },
  );

  app.get(
    '/api/v1/baselines',
    { config: { auth: 'person', permission: 'baselines.read' }, schema: { summary: 'Every patch baseline, in the order a host follows them (precedence, the default last)', response: { 200: Type.Object({ baselines: Type.Array(Loose) }) } } },
    async () => ({ baselines: (await new PolicyStore(tablesOf(deps.db), deps.clock).baselines()).map(baselineView) }),
  );

  app.get(
    '/api/v1/baselines/:name',
    {
      config: { auth: 'person', permission: 'baselines.read' },
      schema: { summary: 'A patch baseline and the active hosts that follow it now', params: NameParam, response: { 200: Type.Object({ baseline: Loose, hosts: Type.Array(HostRef) }) } },
    },
    async (request) => {
      const baseline = await new PolicyStore(tablesOf(deps.db), deps.clock).requireBaseline(request.params.name);
      const baselines = await HostBaselines.load(deps.db, deps.clock);
      // The hosts shown are those the caller may read.
      const scope = await HostScope.of(personOf(request).grants.get('hosts.read'), deps.db, deps.clock);
      const hosts = (await new HostStore(tablesOf(deps.db), deps.clock).list({ status: 'active' })).filter((h) => baselines.of(h).baseline.name === baseline.name && scope.allows(h));
      return { baseline: baselineView(baseline), hosts: hosts.map((h) => ({ id: h.id, name: h.name })) };
    },
  );

  app.delete(
    '/api/v1/baselines/:name',
    { config: { auth: 'person', permission: 'baselines.write' }, schema: { summary: 'Delete a patch baseline (its hosts follow the next one that applies)', params: NameParam, response: { 204: Type.Null() } } },
    async (request, reply) => {
      await deps.db.transaction().execute(async (trx) => {
        const gone = await new PolicyStore(tablesOf(trx), deps.clock).deleteBaseline(request.params.name);
        await new AuditStore(tablesOf(trx), deps.clock).append({ actor: personActor(request), action: 'baseline.delete', target: { kind: 'baseline', id: gone.name }, before: auditDigest(baselineView(gone)) });
      });
      return reply.status(204).send(null);
    },
  );
}
