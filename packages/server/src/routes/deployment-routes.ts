import { Type } from '@fastify/type-provider-typebox';
import { PatchwiseError, RolloutStore, engineStep, strategyToJson } from '@patchwise/core';
import type { FastifyRequest } from 'fastify';
import type { App, AppDeps } from '../app-types.js';
import { personActor } from '../caller-actor.js';
import { callerScope } from '../host-scope.js';
import { tablesOf } from '../database.js';
import { DeploymentView, JobView, deploymentView, jobView } from '../rollout/deployment-views.js';

const Text = Type.String();
const Nullable = Type.Union([Type.String(), Type.Null()]);
const Names = Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 1000 });
const Check = Type.Union([
  Type.Object({ kind: Type.Literal('service'), unit: Type.String({ minLength: 1, maxLength: 256, pattern: '^[A-Za-z0-9@._:-]+$' }) }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('http'), url: Type.String({ minLength: 1, maxLength: 2048, pattern: '^https?://' }), expectStatus: Type.Optional(Type.Integer({ minimum: 100, maximum: 599 })) }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('script'), script: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }),
]);
const DeploymentBody = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  patchSet: Type.Integer({ minimum: 1 }),
  environment: Type.String({ minLength: 1, maxLength: 200 }),
  groups: Type.Optional(Names),
  hosts: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 255 }), { maxItems: 100_000 })),
  /** See docs/deployments.md: canary, waves, concurrency, errorBudget, soakMinutes, clusterMaxUnavailable, blitz, reboot, jobTimeoutMinutes. */
  strategy: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  windows: Type.Optional(Names),
  hooks: Type.Optional(Type.Object({ preSteps: Type.Optional(Names), postSteps: Type.Optional(Names), preChecks: Type.Optional(Type.Array(Check, { maxItems: 50 })), postChecks: Type.Optional(Type.Array(Check, { maxItems: 50 })) }, { additionalProperties: false })),
  changeId: Type.Optional(Type.String({ format: 'uuid' })),
};
const IdParam = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const Reason = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false });
const iso = (d: Date | null) => (d === null ? null : d.toISOString());

/**
 * Deployments: the dry-run plan, create, start (behind the approval gate), the operator's
 * commands, and the live status (per-wave counts and why pending hosts wait).
 */
export function deploymentRoutes(app: App, deps: AppDeps): void {
  const { deployments } = deps.rollout;
  /** A fleet-wide caller's scope is nothing to check (undefined); a scoped one's is. */
  const scopeOf = async (request: FastifyRequest) => {
    const scope = await callerScope(request, deps);
    return scope.unlimited ? undefined : scope;
  };
  /**
   * A scoped caller reaches a deployment only when every host it targets is in scope; any other
   * answers like one that does not exist, so nothing is learnt of it.
   */
  const requireInScope = async (request: FastifyRequest, id: number) => {
    const store = new RolloutStore(tablesOf(deps.db));
    const deployment = await store.require(id);
    const scope = await scopeOf(request);
    if (scope && (await store.reachingBeyond((await scope.hostIds(deps.db))!, [id])).size > 0) throw new PatchwiseError('PW_NOT_FOUND', `no deployment ${id}`);
    return { store, deployment };
  };

  app.post(
    '/api/v1/deployments/plan',
    {
      config: { auth: 'person', permission: 'deployments.read' },
      schema: {
        summary: 'Dry run: each host in its wave and window, expected start and finish; nothing is stored',
        body: Type.Object({ ...DeploymentBody, name: Type.Optional(Type.String({ maxLength: 200 })), jobMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 24 * 60 })) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            patchSet: Type.Integer(),
            strategy: Type.Record(Text, Type.Unknown()),
            waves: Type.Array(Type.Object({ wave: Type.Integer(), hosts: Type.Integer(), start: Nullable, finish: Nullable, unschedulable: Type.Integer() })),
            hosts: Type.Array(Type.Object({ hostId: Text, hostName: Text, cluster: Nullable, wave: Type.Integer(), start: Nullable, finish: Nullable, targets: Type.Array(Type.Object({ name: Text, version: Nullable })) })),
            skipped: Type.Array(Type.Object({ hostId: Text, hostName: Text, reason: Text })),
            finish: Nullable,
            /** Open findings the deployment fixes: before their SLA due date, after it, already overdue, or on hosts with no window. */
            sla: Type.Object({ findings: Type.Integer(), onTime: Type.Integer(), late: Type.Integer(), alreadyOverdue: Type.Integer(), unscheduled: Type.Integer() }),
          }),
        },
      },
    },
    async (request) => {
      const plan = await deployments.plan({ ...request.body, name: request.body.name ?? 'plan' }, request.body.jobMinutes ?? 15, await scopeOf(request));
      return {
        patchSet: plan.patchSet,
        strategy: strategyToJson(plan.strategy),
        waves: plan.waves.map((w) => ({ ...w, start: iso(w.start), finish: iso(w.finish) })),
        hosts: plan.hosts.map((h) => ({ ...h, start: iso(h.start), finish: iso(h.finish), targets: [...h.targets] })),
        skipped: [...plan.skipped],
        finish: iso(plan.finish),
        sla: { ...plan.sla },
      };
    },
  );

  app.post(
    '/api/v1/deployments',
    { config: { auth: 'person', permission: 'deployments.write' }, schema: { summary: 'Create a deployment of a patch set (it starts only with an approved change)', body: Type.Object(DeploymentBody, { additionalProperties: false }), response: { 201: DeploymentView } } },
    async (request, reply) => reply.status(201).send(deploymentView(await deployments.create(request.body, personActor(request), await scopeOf(request)))),
  );

  app.get(
    '/api/v1/deployments',
    { config: { auth: 'person', permission: 'deployments.read' }, schema: { summary: 'Deployments, newest first', response: { 200: Type.Object({ deployments: Type.Array(DeploymentView) }) } } },
    async (request) => {
      const store = new RolloutStore(tablesOf(deps.db));
      const all = await store.list();
      const scope = await scopeOf(request);
      const hidden = scope ? await store.reachingBeyond((await scope.hostIds(deps.db))!, all.map((d) => d.id)) : new Set<number>();
      return { deployments: all.filter((d) => !hidden.has(d.id)).map(deploymentView) };
    },
  );

  app.get(
    '/api/v1/deployments/:id',
    {
      config: { auth: 'person', permission: 'deployments.read' },
      schema: {
        summary: 'A deployment and its progress: jobs per wave and state, and why pending hosts of the current wave wait',
        params: IdParam,
        response: {
          200: Type.Object({
            deployment: DeploymentView,
            waves: Type.Array(Type.Object({ wave: Type.Integer(), install: Type.Record(Text, Type.Integer()), rollback: Type.Record(Text, Type.Integer()) })),
            waiting: Type.Record(Text, Type.Integer()),
          }),
        },
      },
    },
    async (request) => {
      const { store, deployment: d } = await requireInScope(request, request.params.id);
      const waves = Array.from({ length: d.waveCount }, (_, i): { wave: number; install: Record<string, number>; rollback: Record<string, number> } => ({ wave: i + 1, install: {}, rollback: {} }));
      for (const c of await store.counts(d.id)) {
        const w = waves[c.wave];
        if (w) w[c.action][c.state] = c.n;
      }
      // What the engine would do now, not applied: the reasons pending hosts are held back.
      const jobs = await store.snapshots(d.id);
      const schedule = await deps.rollout.schedules.forHosts(deps.db, d.windows, [...new Set(jobs.map((j) => j.hostId))]);
      const step = engineStep({ deployment: d, jobs, busyByCluster: await store.busyByCluster(), now: deps.clock(), canStart: (h, at) => schedule.canStart(h, at), dispatchTtlMs: 0 });
      return { deployment: deploymentView(d), waves, waiting: Object.fromEntries(step.waiting) };
    },
  );

  app.get(
    '/api/v1/deployments/:id/jobs',
    { config: { auth: 'person', permission: 'deployments.read' }, schema: { summary: "A deployment's jobs (optionally one host's)", params: IdParam, querystring: Type.Object({ host: Type.Optional(Type.String({ minLength: 1 })) }), response: { 200: Type.Object({ jobs: Type.Array(JobView) }) } } },
    async (request) => {
      const { store } = await requireInScope(request, request.params.id);
      const host = request.query.host;
      const jobs = (await store.jobs(request.params.id)).filter((j) => host === undefined || j.hostId === host || j.hostName === host);
      return { jobs: jobs.map(jobView) };
    },
  );

  app.get(
    '/api/v1/deployments/:id/jobs/:job/report',
    { config: { auth: 'person', permission: 'deployments.read' }, schema: { summary: "A job's report: every command it ran with exit status and output", params: Type.Object({ id: Type.Integer({ minimum: 1 }), job: Type.String({ format: 'uuid' }) }), response: { 200: Type.Object({ report: Type.Union([Type.Record(Text, Type.Unknown()), Type.Null()]) }) } } },
    async (request) => {
      const { store } = await requireInScope(request, request.params.id);
      const [job] = await store.jobs(request.params.id, { ids: [request.params.job] });
      if (!job) return { report: null };
      return { report: (await store.report(job.id)) as Record<string, unknown> | null };
    },
  );

  app.post(
    '/api/v1/deployments/:id/start',
    { config: { auth: 'person', permission: 'deployments.write' }, schema: { summary: 'Start: needs an approved change for this patch set and environment', params: IdParam, body: Type.Object({ changeId: Type.Optional(Type.String({ format: 'uuid' })) }, { additionalProperties: false }), response: { 200: DeploymentView } } },
    async (request) => {
      await requireInScope(request, request.params.id);
      return deploymentView(await deployments.start(request.params.id, personActor(request), request.body.changeId));
    },
  );

  for (const command of ['pause', 'resume', 'halt', 'cancel', 'rollback'] as const) {
    app.post(
      `/api/v1/deployments/:id/${command}`,
      { config: { auth: 'person', permission: 'deployments.write' }, schema: { summary: `${command[0]!.toUpperCase()}${command.slice(1)} a deployment`, params: IdParam, body: Reason, response: { 200: DeploymentView } } },
      async (request) => {
        await requireInScope(request, request.params.id);
        return deploymentView(await deployments.command(request.params.id, command, personActor(request), request.body.reason));
      },
    );
  }
}
