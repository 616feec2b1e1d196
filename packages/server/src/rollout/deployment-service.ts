import {
  ApprovalStore,
  AuditStore,
  HostStore,
  PatchSetStore,
  PatchwiseError,
  PolicyStore,
  RingStore,
  RolloutStore,
  ScriptStore,
  assertChangeApproved,
  auditDigest,
  estimateRollout,
  FindingsStore,
  schemeFor,
  slaVerdict,
  type SlaPolicy,
  jobTargets,
  managerForEcosystem,
  parseStrategy,
  planWaves,
  selects,
  type AuditActor,
  type Deployment,
  type DeploymentHooks,
  type DeploymentState,
  type HealthCheck,
  type HostRecord,
  type InstalledPackage,
  type NewJob,
  type PatchSet,
  type RolloutStrategy,
  countNoun,
} from '@patchwise/core';
import type { Kysely } from 'kysely';
import { tablesOf, type Database } from '../database.js';
import { slaInForce } from '../sla-in-force.js';
import type { RolloutEngine, ScheduleSource } from './rollout-engine.js';

/** A health check as people write it: a script check names a library script. */
export type CheckRequest = { readonly kind: 'service'; readonly unit: string } | { readonly kind: 'http'; readonly url: string; readonly expectStatus?: number } | { readonly kind: 'script'; readonly script: string };

/** What `deploy create` and `deploy plan` take. */
export interface DeploymentRequest {
  readonly name: string;
  readonly patchSet: number;
  readonly environment: string;
  readonly groups?: readonly string[] | undefined;
  readonly hosts?: readonly string[] | undefined;
  readonly strategy?: unknown;
  readonly windows?: readonly string[] | undefined;
  readonly hooks?: { readonly preSteps?: readonly string[]; readonly postSteps?: readonly string[]; readonly preChecks?: readonly CheckRequest[]; readonly postChecks?: readonly CheckRequest[] } | undefined;
  readonly changeId?: string | undefined;
}

/** A deployment worked out but not stored: its jobs in waves, its strategy and hooks. */
export interface BuiltDeployment {
  readonly patchSet: PatchSet;
  readonly strategy: RolloutStrategy;
  readonly hooks: DeploymentHooks;
  readonly jobs: readonly NewJob[];
  readonly waveCount: number;
}

/** What `deploy plan` shows. */
export interface DeploymentPlan {
  readonly patchSet: number;
  readonly strategy: RolloutStrategy;
  readonly waves: readonly { readonly wave: number; readonly hosts: number; readonly start: Date | null; readonly finish: Date | null; readonly unschedulable: number }[];
  readonly hosts: readonly { readonly hostId: string; readonly hostName: string; readonly cluster: string | null; readonly wave: number; readonly start: Date | null; readonly finish: Date | null; readonly targets: NewJob['targets'] }[];
  readonly skipped: readonly { readonly hostId: string; readonly hostName: string; readonly reason: string }[];
  readonly finish: Date | null;
  /** The open findings the deployment fixes, against their SLA due dates and the hosts' expected finish. */
  readonly sla: SlaEffect;
}

/** What a plan does to SLAs: how many open findings it fixes before their due date, after it, or never (no window). */
export interface SlaEffect {
  readonly findings: number;
  readonly onTime: number;
  /** Fixed after the due date, though it was still ahead when planned. */
  readonly late: number;
  /** Already past the due date when planned. */
  readonly alreadyOverdue: number;
  /** On hosts that have no window within the horizon. */
  readonly unscheduled: number;
}

/** Which deployment states each person's command may leave from, and where it goes. */
/** The hosts a scoped caller may deploy to (see HostScope); absent for a fleet-wide caller. */
export interface CallerHosts {
  allows(host: HostRecord): boolean;
}

/** Hosts whose packages are read per query when building a deployment. */
const PACKAGE_READ_SLICE = 500;

const COMMANDS = {
  pause: { from: ['running'], to: 'paused' },
  resume: { from: ['paused'], to: 'running' },
  halt: { from: ['running', 'paused'], to: 'halted' },
  cancel: { from: ['created', 'paused', 'halted'], to: 'cancelled' },
  rollback: { from: ['running', 'paused', 'halted', 'completed'], to: 'rolling-back' },
} as const satisfies Record<string, { from: readonly DeploymentState[]; to: DeploymentState }>;
export type DeploymentCommand = keyof typeof COMMANDS;

/**
 * The deployment use cases: working out jobs from a patch set and the selected hosts, the gate
 * before anything runs (an approved change; for a later ring, success and soak in the previous
 * one), and people's commands. Each is one transaction with its audit event; the engine is
 * nudged after it commits.
 */
export class DeploymentService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: () => Date,
    private readonly engine: RolloutEngine,
    private readonly schedules: ScheduleSource,
    /** The SLA when none is stored (the server's default). */
    private readonly defaultSla: SlaPolicy,
  ) {}

  /**
   * The dry run: which host goes in which wave, when each can start in its window, when the
   * deployment can finish if every job takes `jobMinutes` and succeeds. Nothing is stored.
   */
  async plan(req: DeploymentRequest, jobMinutes: number, scope?: CallerHosts): Promise<DeploymentPlan> {
    const built = await this.build(this.db, req, scope);
    const work = built.jobs.filter((j) => j.skipped === null);
    const schedule = await this.schedules.forHosts(this.db, req.windows ?? [], work.map((j) => j.hostId));
    const waves: NewJob[][] = Array.from({ length: built.waveCount }, () => []);
    for (const j of work) waves[j.wave]!.push(j);
    const estimate = estimateRollout(waves.map((w) => w.map((j) => ({ id: j.hostId }))), built.strategy, { now: this.clock(), jobMinutes, nextStart: (id, after) => schedule.nextStart(id, after) });
    return {
      patchSet: built.patchSet.number,
      strategy: built.strategy,
      sla: await this.slaEffect(work, built.patchSet.targets, estimate.hosts),
      waves: estimate.waves.map((w, i) => ({ wave: i + 1, hosts: w.hosts, start: w.start, finish: w.finish, unschedulable: w.unschedulable })),
      hosts: work.map((j) => {
        const e = estimate.hosts.get(j.hostId)!;
        return { hostId: j.hostId, hostName: j.hostName, cluster: j.cluster, wave: j.wave + 1, start: e.start, finish: e.finish, targets: j.targets };
      }),
      skipped: built.jobs.filter((j) => j.skipped !== null).map((j) => ({ hostId: j.hostId, hostName: j.hostName, reason: j.skipped! })),
      finish: estimate.finish,
    };
  }

  /**
   * The SLA effect of a plan: each open finding on a planned host that a patch-set target fixes
   * (same ecosystem and package — the source package for Debian and Ubuntu, as findings name
   * them — at or above the fixed version), its due date under the SLA in force, against the
   * host's expected finish.
   */
  private async slaEffect(work: readonly NewJob[], patchTargets: PatchSet['targets'], finishes: ReadonlyMap<string, { readonly finish: Date | null }>): Promise<SlaEffect> {
    const now = this.clock();
    const sla = await slaInForce(this.db, this.defaultSla, this.clock);
    const byKey = new Map(patchTargets.map((t) => [`${t.ecosystem}\u0000${t.package}`, t.version]));
    const fixes = (f: { ecosystem: string; package: string; fixed: string | null }) => {
      const target = byKey.get(`${f.ecosystem}\u0000${f.package}`);
      if (target === undefined || f.fixed === null) return false;
      const scheme = schemeFor(f.ecosystem);
      return scheme.compare(scheme.parse(target), scheme.parse(f.fixed)) >= 0;
    };
    const tiers = new Map([...(await new HostStore(tablesOf(this.db), this.clock).byIds(work.map((j) => j.hostId)))].map(([id, h]) => [id, h.attributes.tier]));
    const store = new FindingsStore(tablesOf(this.db), this.clock);
    const effect = { findings: 0, onTime: 0, late: 0, alreadyOverdue: 0, unscheduled: 0 };
    const hostIds = work.map((j) => j.hostId);
    for (let at = 0; at < hostIds.length; at += 1000) {
      const ids = hostIds.slice(at, at + 1000);
      for (let offset = 0; ; offset += 5000) {
        const page = await store.list({ hostIds: ids, state: 'open' }, { limit: 5000, offset, sort: 'priority' });
        for (const f of page.findings) {
          if (!fixes(f)) continue;
          effect.findings++;
          const due = slaVerdict(sla, f, tiers.get(f.hostId) ?? null, now).dueAt;
          const finish = finishes.get(f.hostId)?.finish ?? null;
          if (finish === null) effect.unscheduled++;
          else if (due <= now) effect.alreadyOverdue++;
          else if (finish > due) effect.late++;
          else effect.onTime++;
        }
        if (page.findings.length < 5000) break;
      }
    }
    return effect;
  }

  /**
   * Jobs for every selected host: what its patch set changes there, in waves; skipped hosts say
   * why. With `scope` (a caller bound to some groups or environments), a selection reaching any
   * host outside it is refused rather than narrowed: a deployment is never silently smaller than asked.
   */
  async build(db: Kysely<Database>, req: DeploymentRequest, scope?: CallerHosts): Promise<BuiltDeployment> {
    const patchSet = await new PatchSetStore(tablesOf(db), this.clock).require(req.patchSet);
    const strategy = parseStrategy(req.strategy);
    const hostStore = new HostStore(tablesOf(db), this.clock);
    const hosts = await this.selectHosts(db, hostStore, req);
    const outside = scope ? hosts.filter((h) => !scope.allows(h)).length : 0;
    if (outside > 0) throw new PatchwiseError('PW_FORBIDDEN', `the selection reaches ${countNoun(outside, 'host')} outside your scope; narrow it with groups or hosts`);
    await this.schedules.forHosts(db, req.windows ?? [], []); // refuses a window that does not exist
    const scripts = new ScriptStore(tablesOf(db));
    const hooks: DeploymentHooks = {
      preSteps: await scripts.approved(req.hooks?.preSteps ?? []),
      postSteps: await scripts.approved(req.hooks?.postSteps ?? []),
      preChecks: await this.checks(scripts, req.hooks?.preChecks ?? []),
      postChecks: await this.checks(scripts, req.hooks?.postChecks ?? []),
    };
    const work: { host: HostRecord; manager: NonNullable<ReturnType<typeof managerForEcosystem>>; targets: NewJob['targets'] }[] = [];
    const skipped: NewJob[] = [];
    let packages = new Map<string, readonly InstalledPackage[]>();
    for (const [i, host] of hosts.entries()) {
      if (i % PACKAGE_READ_SLICE === 0) packages = await hostStore.packagesOfHosts(hosts.slice(i, i + PACKAGE_READ_SLICE).map((h) => h.id));
      const manager = managerForEcosystem(host.ecosystem);
      const targets = jobTargets(patchSet.targets, host.ecosystem, packages.get(host.id) ?? []);
      const base = { hostId: host.id, hostName: host.name, cluster: host.attributes.cluster, wave: 0, manager, targets };
      if (manager === null) skipped.push({ ...base, skipped: `no package driver for ${host.ecosystem ?? 'an unknown distribution'}` });
      else if (targets.length === 0) skipped.push({ ...base, skipped: 'already has every target version, or none of the packages' });
      else work.push({ host, manager, targets });
    }
    const waves = planWaves(
      work.map((w) => ({ ...w, id: w.host.id, cluster: w.host.attributes.cluster })),
      strategy,
    );
    const jobs: NewJob[] = waves.flatMap((wave, i) => wave.map((w) => ({ hostId: w.host.id, hostName: w.host.name, cluster: w.host.attributes.cluster, wave: i, manager: w.manager, targets: w.targets, skipped: null })));
    return { patchSet, strategy, hooks, jobs: [...jobs, ...skipped], waveCount: Math.max(1, waves.length) };
  }

  async create(req: DeploymentRequest, actor: AuditActor, scope?: CallerHosts): Promise<Deployment> {
    return this.db.transaction().execute(async (trx) => {
      const built = await this.build(trx, req, scope);
      const d = await new RolloutStore(tablesOf(trx)).createDeployment(
        {
          name: req.name,
          patchSet: req.patchSet,
          environment: req.environment,
          changeId: req.changeId ?? null,
          selection: { groups: [...(req.groups ?? [])], hosts: [...(req.hosts ?? [])] },
          strategy: built.strategy,
          windows: [...(req.windows ?? [])],
          hooks: built.hooks,
          waveCount: built.waveCount,
          createdBy: { id: actor.id, name: actor.name ?? null },
        },
        built.jobs,
        this.clock(),
      );
      const skipped = built.jobs.filter((j) => j.skipped !== null).length;
      await new AuditStore(tablesOf(trx), this.clock).append({ actor, action: 'deployment.create', target: { kind: 'deployment', id: String(d.id) }, after: auditDigest({ ...d, jobs: built.jobs }), details: { name: d.name, patchSet: d.patchSet, environment: d.environment, hosts: built.jobs.length - skipped, skipped, waves: d.waveCount } });
      return d;
    });
  }

  /**
   * Starts a deployment: only with an approved change for exactly this patch set and environment
   * (a promotion when the environment is a later ring, and then only after the patch set
   * completed in the previous ring and soaked there; an emergency change waives the soak, not
   * the approvals).
   */
  async start(id: number, actor: AuditActor, changeId?: string): Promise<Deployment> {
    await this.db.transaction().execute(async (trx) => {
      const store = new RolloutStore(tablesOf(trx));
      const d = await store.lock(id);
      if (d.state !== 'created') throw new PatchwiseError('PW_CONFLICT', `deployment ${id} is ${d.state}; only a created deployment starts (a paused one resumes)`);
      const now = this.clock();
      const change = changeId ?? d.changeId;
      if (change === null) throw new PatchwiseError('PW_APPROVAL_REQUIRED', `deployment ${id}: no change request; request one for patch set ${d.patchSet} to ${d.environment} and pass its id`);
      const request = await new ApprovalStore(tablesOf(trx), this.clock).requireChange(change);
      const rings = await new RingStore(tablesOf(trx)).list();
      const position = rings.findIndex((r) => r.environment === d.environment);
      const kind = position > 0 ? 'promotion' : 'deployment';
      assertChangeApproved(request, { kind, environment: d.environment, subjectId: String(d.patchSet) }, now);
      if (position > 0 && request.lane !== 'emergency') {
        const previous = rings[position - 1]!;
        const done = (await store.list({ state: 'completed', limit: 1000 })).filter((x) => x.patchSet === d.patchSet && x.environment === previous.environment && x.finishedAt !== null);
        if (done.length === 0) throw new PatchwiseError('PW_CONFLICT', `patch set ${d.patchSet} has not completed a deployment in ${previous.environment}, the ring before ${d.environment}`);
        const soakedAt = Math.min(...done.map((x) => x.finishedAt!.getTime())) + previous.soakMinutes * 60_000;
        if (now.getTime() < soakedAt) throw new PatchwiseError('PW_CONFLICT', `patch set ${d.patchSet} is soaking in ${previous.environment} until ${new Date(soakedAt).toISOString()}`);
      }
      await store.update(id, { state: 'running', stateReason: null, startedAt: now });
      await new AuditStore(tablesOf(trx), this.clock).append({ actor, action: 'deployment.start', target: { kind: 'deployment', id: String(id) }, details: { change, kind, lane: request.lane } });
    });
    await this.engine.advance(id);
    return new RolloutStore(tablesOf(this.db)).require(id);
  }

  /** pause, resume, halt, cancel or rollback, by a person. */
  async command(id: number, command: DeploymentCommand, actor: AuditActor, reason?: string): Promise<Deployment> {
    const rule = COMMANDS[command];
    await this.db.transaction().execute(async (trx) => {
      const store = new RolloutStore(tablesOf(trx));
      const d = await store.lock(id);
      if (!(rule.from as readonly DeploymentState[]).includes(d.state)) throw new PatchwiseError('PW_CONFLICT', `deployment ${id} is ${d.state}; ${command} needs it ${rule.from.join(' or ')}`);
      const now = this.clock();
      let details: Record<string, unknown> = { from: d.state, reason: reason ?? null };
      if (command === 'cancel' || command === 'rollback') await store.cancelPending(id, `deployment ${command === 'cancel' ? 'cancelled' : 'rolled back'}`, now);
      if (command === 'rollback') details = { ...details, hosts: await store.addRollbackJobs(id) };
      await store.update(id, { state: rule.to, stateReason: reason ?? `${command} by ${actor.name ?? actor.id}`, ...(command === 'cancel' ? { finishedAt: now } : {}) });
      await new AuditStore(tablesOf(trx), this.clock).append({ actor, action: `deployment.${command}`, target: { kind: 'deployment', id: String(id) }, details });
    });
    await this.engine.advance(id);
    return new RolloutStore(tablesOf(this.db)).require(id);
  }

  private async selectHosts(db: Kysely<Database>, hostStore: HostStore, req: DeploymentRequest): Promise<HostRecord[]> {
    let hosts = (await hostStore.list({ environment: req.environment, status: 'active' })).filter((h) => h.inventoryAt !== null);
    if (req.groups && req.groups.length > 0) {
      const policy = new PolicyStore(tablesOf(db), this.clock);
      const groups = await Promise.all(req.groups.map((g) => policy.requireGroup(g)));
      hosts = hosts.filter((h) => groups.some((g) => selects(g.selector, h)));
    }
    if (req.hosts && req.hosts.length > 0) {
      const wanted = new Set(req.hosts);
      const missing = req.hosts.filter((w) => !hosts.some((h) => h.id === w || h.name === w));
      if (missing.length > 0) throw new PatchwiseError('PW_INPUT_INVALID', `hosts: ${missing.join(', ')} not among the active, inventoried hosts of environment ${req.environment}${req.groups?.length ? ' in the given groups' : ''}`);
      hosts = hosts.filter((h) => wanted.has(h.id) || wanted.has(h.name));
    }
    if (hosts.length === 0) throw new PatchwiseError('PW_INPUT_INVALID', `no active, inventoried host in environment ${req.environment} matches the selection`);
    return hosts.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  }

  private async checks(scripts: ScriptStore, checks: readonly CheckRequest[]): Promise<HealthCheck[]> {
    const out: HealthCheck[] = [];
    for (const c of checks) {
      if (c.kind === 'script') out.push({ kind: 'script', script: (await scripts.approved([c.script]))[0]! });
      else out.push(c);
    }
    return out;
  }
}
