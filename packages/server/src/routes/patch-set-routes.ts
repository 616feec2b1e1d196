import { Type } from '@fastify/type-provider-typebox';
import {
  AuditStore,
  FindingsStore,
  HostStore,
  PRIORITIES,
  PatchwiseError,
  PatchSetStore,
  PolicyStore,
  auditDigest,
  baselineDecision,
  exceptionCovers,
  fixesOfTargets,
  patchSetFromFindings,
  selects,
  type PatchSet,
  type Priority,
  type StoredFinding,
} from '@patchwise/core';
import type { Kysely } from 'kysely';
import type { App, AppDeps } from '../app-types.js';
import { personActor } from '../caller-actor.js';
import { tablesOf, type Database } from '../database.js';
import { exceptionsInForce } from '../exceptions-in-force.js';
import { HostBaselines } from '../host-baselines.js';

const Text = Type.String();
const TargetView = Type.Object({ ecosystem: Text, package: Text, version: Text });
const PatchSetView = Type.Object({
  number: Type.Integer(),
  name: Text,
  description: Text,
  source: Text,
  targets: Type.Array(TargetView),
  fixes: Type.Array(Type.Object({ advisory: Text, ecosystem: Text, package: Text, priority: Text, hosts: Type.Integer() })),
  createdAt: Text,
  createdBy: Type.Object({ id: Text, name: Type.Union([Text, Type.Null()]) }),
});

const FindingFilter = Type.Object(
  {
    host: Type.Optional(Type.String({ minLength: 1 })),
    group: Type.Optional(Type.String({ minLength: 1 })),
    priority: Type.Optional(Type.Array(Type.Union(PRIORITIES.map((p) => Type.Literal(p))))),
    advisory: Type.Optional(Type.String({ minLength: 1 })),
    kev: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const view = (p: PatchSet) => ({ ...p, targets: [...p.targets], fixes: [...p.fixes], createdAt: p.createdAt.toISOString() });

/** Every open finding (optionally of some hosts, priorities, advisories, KEV only), as patch sets read them. */
async function openFindings(db: Kysely<Database>, clock: () => Date, filter: { hostIds?: string[] | undefined; priorities?: Priority[] | undefined; advisory?: string | undefined; kev?: boolean | undefined }): Promise<StoredFinding[]> {
  const store = new FindingsStore(tablesOf(db), clock);
  // Retired hosts left the fleet: nothing is made for their findings.
  const excludingHosts = await new HostStore(tablesOf(db), clock).ids({ status: 'retired' });
  const out: StoredFinding[] = [];
  const limit = 5000;
  for (let offset = 0; ; offset += limit) {
    const page = await store.list({ hostIds: filter.hostIds, excludingHosts, state: 'open', priorities: filter.priorities, advisory: filter.advisory, kev: filter.kev }, { limit, offset, sort: 'priority' });
    out.push(...page.findings);
    if (page.findings.length < limit) return out;
  }
}

/**
 * Of `findings`, those whose fix the host's baseline requires now (`approved`) and that no
 * exception in force defers: what the baselines say must be installed, nothing they hold back.
 */
async function requiredByBaselines(db: Kysely<Database>, clock: () => Date, findings: readonly StoredFinding[]): Promise<StoredFinding[]> {
  const now = clock();
  const baselines = await HostBaselines.load(db, clock);
  const hosts = await new HostStore(tablesOf(db), clock).byIds([...new Set(findings.map((f) => f.hostId))]);
  const deferred = await exceptionsInForce(db, now);
  return findings.filter((f) => {
    const host = hosts.get(f.hostId);
    if (!host || baselineDecision(baselines.of(host).baseline, f, now).state !== 'approved') return false;
    return !deferred.some((x) => exceptionCovers(x.exception, x.hostIds, f));
  });
}

/**
 * Patch sets: made from open findings (filtered by host, group, priority, advisory, KEV; the
 * highest fixed version per package) or from hand-written targets, each with what it fixes now;
 * immutable and numbered once made.
 */
export function patchSetRoutes(app: App, deps: AppDeps): void {
  app.post(
    '/api/v1/patch-sets',
    {
      config: { auth: 'person', permission: 'patchsets.write' },
      schema: {
        summary: 'Make a patch set from open findings (fromFindings), from what the baselines require now (fromBaseline) or from exact targets',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 200 }),
            description: Type.Optional(Type.String({ maxLength: 4000 })),
            fromFindings: Type.Optional(FindingFilter),
            /** The same filters, narrowed to the fixes each host's baseline requires now (approved; not rejected, held, pending, or under an exception). */
            fromBaseline: Type.Optional(FindingFilter),
            targets: Type.Optional(Type.Array(Type.Object({ ecosystem: Type.String({ minLength: 1 }), package: Type.String({ minLength: 1 }), version: Type.String({ minLength: 1 }) }, { additionalProperties: false }), { minItems: 1, maxItems: 10_000 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: PatchSetView },
      },
    },
    async (request, reply) => {
      const b = request.body;
      if ([b.fromFindings, b.fromBaseline, b.targets].filter((x) => x !== undefined).length !== 1) throw new PatchwiseError('PW_INPUT_INVALID', 'patch set: give one of fromFindings, fromBaseline or targets');
      const actor = personActor(request);
      const created = await deps.db.transaction().execute(async (trx) => {
        let made: { targets: PatchSet['targets']; fixes: PatchSet['fixes']; source: PatchSet['source'] };
        const f = b.fromFindings ?? b.fromBaseline;
        if (f) {
          let hostIds: string[] | undefined;
          const hosts = new HostStore(tablesOf(trx), deps.clock);
          if (f.host !== undefined) hostIds = (/^[0-9a-f-]{36}$/.test(f.host) ? [await hosts.require(f.host)] : await hosts.list({ name: f.host })).map((h) => h.id);
          if (f.group !== undefined) {
            const group = await new PolicyStore(tablesOf(trx), deps.clock).requireGroup(f.group);
            const members = (await hosts.list()).filter((h) => selects(group.selector, h)).map((h) => h.id);
            hostIds = hostIds ? hostIds.filter((id) => members.includes(id)) : members;
          }
          const open = await openFindings(trx, deps.clock, { hostIds, priorities: f.priority, advisory: f.advisory, kev: f.kev });
          const { targets, fixes } = patchSetFromFindings(b.fromBaseline ? await requiredByBaselines(trx, deps.clock, open) : open);
          made = { targets, fixes, source: b.fromBaseline ? 'baseline' : 'findings' };
        } else {
          const targets = [...(b.targets ?? [])].sort((x, y) => x.ecosystem.localeCompare(y.ecosystem) || x.package.localeCompare(y.package));
          made = { targets, fixes: fixesOfTargets(targets, await openFindings(trx, deps.clock, {})), source: 'manual' };
        }
        const set = await new PatchSetStore(tablesOf(trx), deps.clock).create({ name: b.name, description: b.description ?? '', ...made }, { id: actor.id, name: actor.name ?? null });
        await new AuditStore(tablesOf(trx), deps.clock).append({ actor, action: 'patch-set.create', target: { kind: 'patch-set', id: String(set.number) }, after: auditDigest(view(set)), details: { name: set.name, source: set.source, targets: set.targets.length, fixes: set.fixes.length } });
        return set;
      });
      return reply.status(201).send(view(created));
    },
  );

  app.get('/api/v1/patch-sets', { config: { auth: 'person', permission: 'patchsets.read' }, schema: { summary: 'Patch sets, newest first', response: { 200: Type.Object({ patchSets: Type.Array(PatchSetView) }) } } }, async () => ({
    patchSets: (await new PatchSetStore(tablesOf(deps.db), deps.clock).list()).map(view),
  }));

  app.get(
    '/api/v1/patch-sets/:number',
    { config: { auth: 'person', permission: 'patchsets.read' }, schema: { summary: 'One patch set: its targets and what they fix', params: Type.Object({ number: Type.Integer({ minimum: 1 }) }), response: { 200: PatchSetView } } },
    async (request) => view(await new PatchSetStore(tablesOf(deps.db), deps.clock).require(request.params.number)),
  );
}
