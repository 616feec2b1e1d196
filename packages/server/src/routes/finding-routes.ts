import { Type } from '@fastify/type-provider-typebox';
import { FindingsStore, HostStore, PRIORITIES, PatchwiseError, slaDays, type EmergencyFilter, type HostRecord, type SlaPolicy, type StoredFinding } from '@patchwise/core';
import type { App, AppDeps } from '../app-types.js';
import { defaulted } from '../defaulted.js';
import { slaInForce } from '../sla-in-force.js';
import { tablesOf } from '../database.js';
import { callerScope } from '../host-scope.js';
import { coversOf, exceptionFor, exceptionsExpired, exceptionsInForce, lastExpiryFor, type ExceptionInForce } from '../exceptions-in-force.js';
import { HostBaselines } from '../host-baselines.js';
import { FindingStateView, FindingView, findingView } from '../views.js';

/** Findings across the fleet, filtered, sorted and paged; one finding with its judgements. */
export function findingRoutes(app: App, deps: AppDeps): void {
  app.get(
    '/api/v1/findings',
    {
      config: { auth: 'person', permission: 'findings.read' },
      schema: {
        summary: 'List findings',
        querystring: Type.Object(
          {
            host: Type.Optional(Type.String({ minLength: 1, description: 'host id or name' })),
            priority: Type.Optional(Type.Array(Type.Union(PRIORITIES.map((p) => Type.Literal(p))))),
            kev: Type.Optional(Type.Boolean()),
            type: Type.Optional(Type.Array(Type.Union([Type.Literal('security'), Type.Literal('bugfix'), Type.Literal('enhancement')]))),
            state: defaulted(Type.Union(FindingStateView.anyOf, { default: 'open', description: 'open; fixed (the host upgraded or removed the package); retracted (the advisory was withdrawn or no longer covers the version still installed)' })),
            package: Type.Optional(Type.String({ minLength: 1 })),
            advisory: Type.Optional(Type.String({ minLength: 1, description: 'advisory id or alias (CVE)' })),
            overdue: Type.Optional(Type.Boolean({ description: 'only open findings past their SLA due date' })),
            lane: Type.Optional(Type.Union([Type.Literal('emergency'), Type.Literal('scheduled')], { description: 'only fixes in this lane (docs/sla.md)' })),
            sort: defaulted(Type.Union([Type.Literal('priority'), Type.Literal('first_seen'), Type.Literal('package'), Type.Literal('advisory')], { default: 'priority' })),
            limit: defaulted(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
            offset: defaulted(Type.Integer({ minimum: 0, default: 0 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ total: Type.Integer(), findings: Type.Array(FindingView) }) },
      },
    },
    async (request) => {
      const q = request.query;
      const hosts = new HostStore(tablesOf(deps.db), deps.clock);
      let hostIds: string[] | undefined;
      if (q.host) {
        const byId = /^[0-9a-f-]{36}$/.test(q.host) ? await hosts.get(q.host) : undefined;
        hostIds = byId ? [byId.id] : (await hosts.list({ name: q.host })).map((h) => h.id);
      }
      // A scoped caller sees findings of the hosts in scope only.
      const inScope = await (await callerScope(request, deps)).hostIds(deps.db);
      if (inScope) hostIds = hostIds ? hostIds.filter((id) => inScope.includes(id)) : inScope;
      const now = deps.clock();
      const sla = await slaInForce(deps.db, deps.slaPolicy, deps.clock);
      // Overdue: the clock's start before now minus the window of its priority on its host's tier.
      const seenBefore = q.overdue ? [...(await hosts.activeIdsByTier())].flatMap(([tier, ids]) => PRIORITIES.map((priority) => ({ priority, hostIds: ids, before: new Date(now.getTime() - slaDays(sla, priority, tier) * 86_400_000) }))) : undefined;
      // Excepted findings are shown with their exception, and are never overdue.
      const inForce = await exceptionsInForce(deps.db, now);
      const expired = sla.restartOnExceptionExpiry ? await exceptionsExpired(deps.db, now) : [];
      const overdue = q.overdue ? { seenBefore, clockFrom: sla.clock, excluding: coversOf(inForce), restarts: expired.flatMap((e) => coversOf([e]).map((c) => ({ ...c, at: e.exception.expiresAt }))) } : {};
      const emergency = q.lane ? await emergencyFilter(sla, hosts, q.lane === 'emergency') : undefined;
      const state = q.overdue ? 'open' : (q.state ?? 'open');
      // A retired host's open findings are nobody's to fix: left out. What was fixed or retracted
      // on it before it left stays listed, as the history it is.
      const excludingHosts = state === 'open' ? await hosts.ids({ status: 'retired' }) : undefined;
      const { total, findings } = await new FindingsStore(tablesOf(deps.db), deps.clock).list(
        { hostIds, excludingHosts, state, priorities: q.priority, kev: q.kev, types: q.type, package: q.package, advisory: q.advisory, emergency, ...overdue },
        { limit: q.limit, offset: q.offset, sort: q.sort },
      );
      return { total, findings: await views(deps, sla, findings, now, inForce, expired) };
    },
  );

  app.get(
    '/api/v1/findings/:id',
    {
      config: { auth: 'person', permission: 'findings.read' },
      schema: { summary: 'One finding with its SLA, exception, baseline decision and lane', params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 20 }) }), response: { 200: FindingView } },
    },
    async (request) => {
      const f = await new FindingsStore(tablesOf(deps.db), deps.clock).get(request.params.id);
      const host = f && (await new HostStore(tablesOf(deps.db), deps.clock).get(f.hostId));
      // A finding on a host out of the caller's scope answers like an unknown one.
      if (!f || !host || !(await callerScope(request, deps)).allows(host)) throw new PatchwiseError('PW_NOT_FOUND', `no finding ${request.params.id}`);
      const now = deps.clock();
      const sla = await slaInForce(deps.db, deps.slaPolicy, deps.clock);
      const expired = sla.restartOnExceptionExpiry ? await exceptionsExpired(deps.db, now) : [];
      const [view] = await views(deps, sla, [f], now, await exceptionsInForce(deps.db, now), expired);
      return view!;
    },
  );
}

/** The lane's criteria as a findings filter; EPSS counts only on internet-facing hosts unless configured otherwise. */
async function emergencyFilter(sla: SlaPolicy, hosts: HostStore, inLane: boolean): Promise<EmergencyFilter> {
  const c = sla.emergency;
  const epssHostIds = c.epssAtLeast === null ? [] : c.epssInternetFacingOnly ? await hosts.ids({ internetFacing: true }) : 'all';
  return { in: inLane, kev: c.kev, cvssAtLeast: c.cvssAtLeast, epssAtLeast: c.epssAtLeast, epssHostIds };
}

/** Findings as shown: with their host, exception, SLA (clock restarts included), baseline decision and lane. */
async function views(deps: AppDeps, sla: SlaPolicy, findings: readonly StoredFinding[], now: Date, inForce: readonly ExceptionInForce[], expired: readonly ExceptionInForce[]): Promise<FindingView[]> {
  const records = await new HostStore(tablesOf(deps.db), deps.clock).byIds([...new Set(findings.map((f) => f.hostId))]);
  const baselines = await HostBaselines.load(deps.db, deps.clock);
  return findings.map((f) => {
    const host: HostRecord | undefined = records.get(f.hostId);
    const label = host
      ? { name: host.name, tier: host.attributes.tier, internetFacing: host.attributes.internetFacing, idleKernels: host.idleKernels }
      : { name: f.hostId, tier: null, internetFacing: null, idleKernels: [] };
    // Hosts are not deleted; should one be missing, the built-in rule judges its findings.
    const baseline = host ? baselines.of(host).baseline : baselines.builtIn;
    return findingView(f, label, { sla, now, exception: exceptionFor(inForce, f), exceptionExpiredAt: lastExpiryFor(expired, f), baseline });
  });
}
