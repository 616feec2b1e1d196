import { Type } from '@fastify/type-provider-typebox';
import { FindingsStore, HostStore, assertNever, parseAttributePatch, type HostFilter, type HostRecord } from '@patchwise/core';
import type { App, AppDeps } from '../app-types.js';
import { defaulted } from '../defaulted.js';
import { tablesOf } from '../database.js';
import { HostDetailView, HostListItemView, HostView, hostView, type Connectivity, type ConnectivityPolicy } from '../views.js';
import { advisoryCoverage } from '../advisory-coverage.js';
import { personActor } from '../caller-actor.js';
import { callerScope } from '../host-scope.js';

const HostId = Type.Object({ id: Type.String({ format: 'uuid' }) });

/** Hosts: list with filters, detail, attribute changes, quarantine release, retirement. */
export function hostRoutes(app: App, deps: AppDeps): void {
  const hosts = () => new HostStore(tablesOf(deps.db), deps.clock);

  app.get(
    '/api/v1/hosts',
    {
      config: { auth: 'person', permission: 'hosts.read' },
      schema: {
        summary: 'List hosts',
        querystring: Type.Object(
          {
            os: Type.Optional(Type.String({ minLength: 1, description: 'os-release id, optionally with a version: debian, debian-12, debian:12, opensuse-leap-15.5' })),
            tier: Type.Optional(Type.Integer({ minimum: 0, maximum: 3 })),
            environment: Type.Optional(Type.String({ minLength: 1 })),
            tag: Type.Optional(Type.String({ minLength: 1 })),
            name: Type.Optional(Type.String({ minLength: 1 })),
            namePrefix: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'hosts whose name starts with this (case-insensitive)' })),
            status: Type.Optional(
              Type.Union([Type.Literal('active'), Type.Literal('quarantined'), Type.Literal('retired')], { description: 'without it, every host but the retired ones' }),
            ),
            connectivity: Type.Optional(Type.Union([Type.Literal('online'), Type.Literal('offline'), Type.Literal('stale'), Type.Literal('never')])),
            eol: Type.Optional(Type.Boolean({ description: 'only hosts whose release is past every known support phase (true) or not (false)' })),
            limit: defaulted(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
            offset: defaulted(Type.Integer({ minimum: 0, default: 0 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ total: Type.Integer(), hosts: Type.Array(HostListItemView) }) },
      },
    },
    async (request) => {
      const q = request.query;
      const now = deps.clock();
      const ids = await (await callerScope(request, deps)).hostIds(deps.db);
      const filter = { os: q.os, tier: q.tier, environment: q.environment, tag: q.tag, name: q.name, namePrefix: q.namePrefix, status: q.status, ids, ...seenFilter(q.connectivity, now, deps.policy) };
      // A host no advisory held covers lists as clean as a patched one unless the line says so.
      const covered = advisoryCoverage(deps.controlPlane);
      const item = (h: HostRecord) => ({ ...hostView(h, now, deps.policy), advisoriesHeld: covered(h.ecosystem) });
      if (q.eol === undefined) {
        // Paged in SQL: a fleet of 10,000 hosts costs one page of rows and EOL lookups, not 10,000.
        const page = await hosts().page(filter, { limit: q.limit, offset: q.offset });
        return { total: page.total, hosts: page.hosts.map(item) };
      }
      // End of life depends on release lifecycles, not on a column: that filter stays in memory.
      const views = (await hosts().list(filter)).map(item).filter((h) => (h.eol.status === 'eol') === q.eol);
      return { total: views.length, hosts: views.slice(q.offset, q.offset + q.limit) };
    },
  );

  app.get(
    '/api/v1/hosts/:id',
    { config: { auth: 'person', permission: 'hosts.read' }, schema: { summary: 'One host with package and open finding counts', params: HostId, response: { 200: HostDetailView } } },
    async (request) => {
      const store = hosts();
      const host = (await callerScope(request, deps)).requireHost(await store.require(request.params.id));
      // A retired host's findings are history: none of them counts as open (docs/ARCHITECTURE.md, "Retired hosts").
      const openFindings = host.status === 'retired' ? { P1: 0, P2: 0, P3: 0, P4: 0 } : await new FindingsStore(tablesOf(deps.db), deps.clock).openCounts(host.id);
      const packages = await store.packagesOf(host.id);
      const advisoriesHeld = advisoryCoverage(deps.controlPlane)(host.ecosystem);
      return { ...hostView(host, deps.clock(), deps.policy, packages), packages: packages.length, openFindings, advisoriesHeld };
    },
  );

  app.patch(
    '/api/v1/hosts/:id',
    {
      config: { auth: 'person', permission: 'hosts.write' },
      schema: {
        summary: 'Change attributes (null clears one) or quarantine',
        params: HostId,
        body: Type.Object(
          {
            attributes: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
            status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('quarantined')])),
            reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: HostView },
      },
    },
    async (request) => {
      const { id } = request.params;
      const body = request.body;
      let host = (await callerScope(request, deps)).requireHost(await hosts().require(id));
      if (body.attributes) host = await deps.controlPlane.setAttributes(id, parseAttributePatch(body.attributes, 'attributes'), personActor(request));
      if (body.status) host = await deps.controlPlane.setQuarantine(id, body.status === 'quarantined', body.reason ?? null, personActor(request));
      return hostView(host, deps.clock(), deps.policy);
    },
  );

  app.post(
    '/api/v1/hosts/:id/retire',
    {
      config: { auth: 'person', permission: 'hosts.write' },
      schema: {
        summary: 'Take a host out of the fleet for good: its agent is refused, lists, reports and selections leave it out; it and its findings stay stored',
        params: HostId,
        body: Type.Optional(Type.Object({ reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })) }, { additionalProperties: false })),
        response: { 200: HostView },
      },
    },
    async (request) => {
      const { id } = request.params;
      (await callerScope(request, deps)).requireHost(await hosts().require(id));
      const host = await deps.controlPlane.retire(id, request.body?.reason ?? null, personActor(request));
      return hostView(host, deps.clock(), deps.policy);
    },
  );
}


/** The last-seen window of a connectivity state (the same thresholds as connectivityOf). */
function seenFilter(connectivity: Connectivity | undefined, now: Date, policy: ConnectivityPolicy): HostFilter {
  const staleBefore = new Date(now.getTime() - policy.staleAfterMs);
  const offlineBefore = new Date(now.getTime() - 3 * policy.checkinIntervalSeconds * 1000);
  switch (connectivity) {
    case undefined:
      return {};
    case 'never':
      return { neverSeen: true };
    case 'stale':
      return { seenBefore: staleBefore };
    case 'offline':
      return { seenSince: staleBefore, seenBefore: offlineBefore };
    case 'online':
      return { seenSince: new Date(Math.max(staleBefore.getTime(), offlineBefore.getTime())) };
    default:
      return assertNever(connectivity);
  }
}
