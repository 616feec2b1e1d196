import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Selectable } from 'kysely';
import { PatchwiseError } from '../errors/index.js';
import { IN_FLIGHT_JOB_STATES, jobStateOfReport, leftChanged, type Deployment, type DeploymentHooks, type DeploymentSelection, type DeploymentState, type Job, type JobSnapshot, type JobState } from './deployment.js';
import type { JobAction, JobReport, PackageManagerKind, PackageVersion, SignedJobManifest } from './job-manifest.js';
import { parseStrategy, strategyToJson, type RolloutStrategy } from './strategy.js';
import type { RolloutTables } from './tables.js';

export interface NewDeployment {
  readonly name: string;
  readonly patchSet: number;
  readonly environment: string;
  readonly changeId: string | null;
  readonly selection: DeploymentSelection;
  readonly strategy: RolloutStrategy;
  readonly windows: readonly string[];
  readonly hooks: DeploymentHooks;
  readonly waveCount: number;
  readonly createdBy: { readonly id: string; readonly name: string | null };
}

export interface NewJob {
  readonly hostId: string;
  readonly hostName: string;
  readonly cluster: string | null;
  readonly wave: number;
  readonly manager: string | null;
  readonly targets: readonly PackageVersion[];
  /** `skipped` with its reason when the host needs nothing or cannot be patched. */
  readonly skipped: string | null;
}

/** A change to a deployment's row; what is absent stays. */
export interface DeploymentPatch {
  readonly state?: DeploymentState;
  readonly stateReason?: string | null;
  readonly currentWave?: number;
  readonly soakUntil?: Date | null;
  readonly startedAt?: Date;
  readonly finishedAt?: Date | null;
}

type DeploymentRow = Selectable<RolloutTables['rollout_deployments']>;
type JobRow = Selectable<RolloutTables['rollout_jobs']>;

function toDeployment(r: DeploymentRow): Deployment {
  return {
    id: r.id,
    name: r.name,
    patchSet: r.patch_set,
    environment: r.environment,
    changeId: r.change_id,
    selection: r.selection,
    strategy: parseStrategy(r.strategy),
    windows: r.windows,
    hooks: r.hooks as DeploymentHooks,
    state: r.state as DeploymentState,
    stateReason: r.state_reason,
    currentWave: r.current_wave,
    waveCount: r.wave_count,
    soakUntil: r.soak_until,
    createdAt: r.created_at,
    createdBy: { id: r.created_by, name: r.created_by_name },
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

function toJob(r: JobRow): Job {
  return {
    id: r.id,
    deploymentId: r.deployment_id,
    hostId: r.host_id,
    hostName: r.host_name,
    cluster: r.cluster,
    action: r.action as JobAction,
    wave: r.wave,
    state: r.state as JobState,
    stateReason: r.state_reason,
    idempotencyKey: r.idempotency_key,
    manager: r.manager as PackageManagerKind | null,
    targets: r.targets,
    previous: r.previous,
    expiresAt: r.expires_at,
    dispatchedAt: r.dispatched_at,
    fetchedAt: r.fetched_at,
    finishedAt: r.finished_at,
  };
}

/** Jobs dispatched per statement (three arrays of this length bound as parameters). */
const DISPATCH_SLICE = 5000;

/** Deployments and their jobs, rings and the script library: the rollout engine's durable state. */
export class RolloutStore {
  constructor(private readonly db: Kysely<RolloutTables>) {}

  async createDeployment(input: NewDeployment, jobs: readonly NewJob[], now: Date): Promise<Deployment> {
    const row = await this.db
      .insertInto('rollout_deployments')
      .values({
        name: input.name,
        patch_set: input.patchSet,
        environment: input.environment,
        change_id: input.changeId,
        selection: JSON.stringify(input.selection),
        strategy: JSON.stringify(strategyToJson(input.strategy)),
        windows: JSON.stringify(input.windows),
        hooks: JSON.stringify(input.hooks),
        state: 'created',
        current_wave: 0,
        wave_count: input.waveCount,
        created_at: now,
        created_by: input.createdBy.id,
        created_by_name: input.createdBy.name,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    // Inserted in slices: a statement has at most 65,535 parameters.
    for (let at = 0; at < jobs.length; at += 2000) {
      await this.db
        .insertInto('rollout_jobs')
        .values(
          jobs.slice(at, at + 2000).map((j) => ({
            id: randomUUID(),
            deployment_id: row.id,
            host_id: j.hostId,
            host_name: j.hostName,
            cluster: j.cluster,
            action: 'install',
            wave: j.wave,
            state: j.skipped === null ? 'pending' : 'skipped',
            state_reason: j.skipped,
            idempotency_key: `deployment-${row.id}-install-${j.hostId}`,
            manager: j.manager,
            targets: JSON.stringify(j.targets),
            finished_at: j.skipped === null ? null : now,
          })),
        )
        .execute();
    }
    return toDeployment(row);
  }

  async get(id: number): Promise<Deployment | undefined> {
    const row = await this.db.selectFrom('rollout_deployments').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toDeployment(row);
  }

  async require(id: number): Promise<Deployment> {
    const d = await this.get(id);
    if (!d) throw new PatchwiseError('PW_NOT_FOUND', `no deployment ${id}`);
    return d;
  }

  /** The deployment, its row locked until the transaction ends: every change to it goes through here. */
  async lock(id: number): Promise<Deployment> {
    const row = await this.db.selectFrom('rollout_deployments').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!row) throw new PatchwiseError('PW_NOT_FOUND', `no deployment ${id}`);
    return toDeployment(row);
  }

  async list(filter: { readonly state?: DeploymentState | undefined; readonly limit?: number } = {}): Promise<Deployment[]> {
    let q = this.db.selectFrom('rollout_deployments').selectAll().orderBy('id', 'desc').limit(filter.limit ?? 100);
    if (filter.state) q = q.where('state', '=', filter.state);
    return (await q.execute()).map(toDeployment);
  }

  /** Deployments the engine has work in. */
  async activeIds(): Promise<number[]> {
    const rows = await this.db.selectFrom('rollout_deployments').select('id').where('state', 'in', ['running', 'rolling-back']).orderBy('id').execute();
    return rows.map((r) => r.id);
  }

  async update(id: number, patch: DeploymentPatch): Promise<void> {
    await this.db
      .updateTable('rollout_deployments')
      .set({
        ...(patch.state !== undefined ? { state: patch.state } : {}),
        ...(patch.stateReason !== undefined ? { state_reason: patch.stateReason } : {}),
        ...(patch.currentWave !== undefined ? { current_wave: patch.currentWave } : {}),
        ...(patch.soakUntil !== undefined ? { soak_until: patch.soakUntil } : {}),
        ...(patch.startedAt !== undefined ? { started_at: patch.startedAt } : {}),
        ...(patch.finishedAt !== undefined ? { finished_at: patch.finishedAt } : {}),
      })
      .where('id', '=', id)
      .execute();
  }

  async snapshots(deploymentId: number): Promise<JobSnapshot[]> {
    const rows = await this.db
      .selectFrom('rollout_jobs')
      .select(['id', 'host_id', 'cluster', 'action', 'wave', 'state', 'expires_at', 'fetched_at', 'finished_at'])
      .where('deployment_id', '=', deploymentId)
      .orderBy('wave')
      .orderBy('host_name')
      .execute();
    return rows.map((r) => ({ id: r.id, hostId: r.host_id, cluster: r.cluster, action: r.action as JobAction, wave: r.wave, state: r.state as JobState, expiresAt: r.expires_at, fetchedAt: r.fetched_at, finishedAt: r.finished_at }));
  }

  async jobs(deploymentId: number, filter: { readonly hostId?: string; readonly ids?: readonly string[] } = {}): Promise<Job[]> {
    let q = this.db.selectFrom('rollout_jobs').selectAll().where('deployment_id', '=', deploymentId).orderBy('wave').orderBy('host_name').orderBy('action');
    if (filter.hostId !== undefined) q = q.where('host_id', '=', filter.hostId);
    if (filter.ids !== undefined) {
      if (filter.ids.length === 0) return [];
      // One array parameter, not one per id: a wave of 70,000 hosts would pass PostgreSQL's 65,535.
      q = q.where(sql<boolean>`id = any(${[...filter.ids]}::text[])`);
    }
    return (await q.execute()).map(toJob);
  }

  /**
   * Of `deploymentIds` (or of all deployments), those with a job on a host not in `hostIds`:
   * the deployments a caller scoped to those hosts may not see or command.
   */
  async reachingBeyond(hostIds: readonly string[], deploymentIds?: readonly number[]): Promise<Set<number>> {
    let q = this.db.selectFrom('rollout_jobs').select('deployment_id').distinct().where(sql<boolean>`host_id <> all(${[...hostIds]}::text[])`);
    if (deploymentIds !== undefined) q = q.where(sql<boolean>`deployment_id = any(${[...deploymentIds]}::int[])`);
    return new Set((await q.execute()).map((r) => r.deployment_id));
  }

  /** A job's report and the full record of what its executor ran. */
  async report(jobId: string): Promise<JobReport | null> {
    const row = await this.db.selectFrom('rollout_jobs').select('report').where('id', '=', jobId).executeTakeFirst();
    if (!row) throw new PatchwiseError('PW_NOT_FOUND', `no job ${jobId}`);
    return row.report as JobReport | null;
  }

  /** Hosts per cluster with a job in flight, over every deployment. */
  async busyByCluster(): Promise<Map<string, number>> {
    const rows = await this.db
      .selectFrom('rollout_jobs')
      .select(['cluster', (eb) => eb.fn.countAll<string>().as('n')])
      .where('state', 'in', [...IN_FLIGHT_JOB_STATES])
      .where('cluster', 'is not', null)
      .groupBy('cluster')
      .execute();
    return new Map(rows.map((r) => [r.cluster!, Number(r.n)]));
  }

  async requeue(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .updateTable('rollout_jobs')
      .set({ state: 'pending', manifest: null, expires_at: null, state_reason: 'manifest expired before its executor fetched it' })
      .where('id', 'in', [...ids])
      .where('state', '=', 'dispatched')
      .execute();
  }

  /** Fails jobs still in `from` (fetched and silent, or rebooting and not back) for `reason`. */
  async timeOut(ids: readonly string[], from: 'running' | 'rebooting', reason: string, now: Date): Promise<void> {
    if (ids.length === 0) return;
    await this.db.updateTable('rollout_jobs').set({ state: 'failed', state_reason: reason, finished_at: now }).where('id', 'in', [...ids]).where('state', '=', from).execute();
  }

  /**
   * Hands signed manifests to pending jobs: one statement per slice of 5,000 (the arrays bound
   * as one parameter each), since a wave may dispatch every host of the fleet at once and one
   * round trip per job made a 10,000-host wave wait seconds before its transaction committed.
   * A job that is no longer pending is left alone; returns how many were dispatched.
   */
  async dispatch(jobs: readonly { readonly jobId: string; readonly manifest: SignedJobManifest; readonly expiresAt: Date }[], now: Date): Promise<number> {
    let dispatched = 0;
    for (let at = 0; at < jobs.length; at += DISPATCH_SLICE) {
      const slice = jobs.slice(at, at + DISPATCH_SLICE);
      const result = await sql`
        update rollout_jobs as j set state = 'dispatched', state_reason = null, manifest = u.manifest::jsonb, expires_at = u.expires_at, dispatched_at = ${now}
        from unnest(${slice.map((d) => d.jobId)}::text[], ${slice.map((d) => JSON.stringify(d.manifest))}::text[], ${slice.map((d) => d.expiresAt.toISOString())}::timestamptz[]) as u(id, manifest, expires_at)
        where j.id = u.id and j.state = 'pending'`.execute(this.db);
      dispatched += Number(result.numAffectedRows ?? 0n);
    }
    return dispatched;
  }

  /**
   * The manifests waiting for a host, marked fetched (running). A job already fetched is handed
   * out again until it reports: the executor's journal makes a second delivery harmless, and a
   * lost reply must not strand the job.
   */
  async fetchForHost(hostId: string, now: Date): Promise<SignedJobManifest[]> {
    return (await this.fetchForHosts([hostId], now)).get(hostId) ?? [];
  }

  /**
   * `fetchForHost` for many hosts in one statement: when a wave is dispatched, every waiting
   * agent's long-poll wakes at once, and their fetches are written together (group commit).
   */
  async fetchForHosts(hostIds: readonly string[], now: Date): Promise<Map<string, SignedJobManifest[]>> {
    const out = new Map<string, SignedJobManifest[]>();
    if (hostIds.length === 0) return out;
    const rows = await this.db
      .updateTable('rollout_jobs')
      .set({ state: 'running', fetched_at: sql<Date>`coalesce(fetched_at, ${now})` })
      .where(sql<boolean>`host_id = any(${[...new Set(hostIds)]}::text[])`)
      .where('state', 'in', ['dispatched', 'running'])
      .where('expires_at', '>', now)
      .returning(['host_id', 'manifest'])
      .execute();
    for (const r of rows) out.set(r.host_id, [...(out.get(r.host_id) ?? []), r.manifest as SignedJobManifest]);
    return out;
  }

  /**
   * Hosts with a manifest waiting now (for long-polling agents whose jobs another server process
   * dispatched). Read from the index of jobs in flight, so it costs little when nothing is
   * dispatched, however many agents wait.
   */
  async hostsWithWork(now: Date): Promise<Set<string>> {
    const rows = await this.db.selectFrom('rollout_jobs').select('host_id').distinct().where('state', '=', 'dispatched').where('expires_at', '>', now).execute();
    return new Set(rows.map((r) => r.host_id));
  }

  /** Of `hostIds`, those with a job handed to its executor and not yet reported (from the in-flight index). */
  async hostsWithJobsOut(hostIds: readonly string[]): Promise<Set<string>> {
    if (hostIds.length === 0) return new Set();
    const rows = await this.db
      .selectFrom('rollout_jobs')
      .select('host_id')
      .distinct()
      .where('state', 'in', ['dispatched', 'running'])
      .where(sql<boolean>`host_id = any(${[...hostIds]}::text[])`)
      .execute();
    return new Set(rows.map((r) => r.host_id));
  }

  /**
   * Deployments that may still go on (not cancelled, completed or rolled back) in which the host
   * has a job not yet ended (pending, handed out, running, waiting for its reboot): a host
   * leaving the fleet under them would stall or time out their waves. A job handed out by a
   * deployment that ended stays `dispatched` until its report, which nobody waits for any more.
   */
  async deploymentsAwaiting(hostId: string): Promise<number[]> {
    const rows = await this.db
      .selectFrom('rollout_jobs as j')
      .innerJoin('rollout_deployments as d', 'd.id', 'j.deployment_id')
      .select('j.deployment_id')
      .distinct()
      .where('j.host_id', '=', hostId)
      .where('j.state', 'in', ['pending', 'dispatched', 'running', 'rebooting'])
      .where('d.state', 'not in', ['cancelled', 'completed', 'rolled-back'])
      .orderBy('j.deployment_id')
      .execute();
    return rows.map((r) => r.deployment_id);
  }

  /** The reports of jobs waiting for their host to be back from a reboot, per host, for `hostIds`. */
  async rebootingReports(hostIds: readonly string[]): Promise<Map<string, JobReport[]>> {
    const out = new Map<string, JobReport[]>();
    if (hostIds.length === 0) return out;
    const rows = await this.db
      .selectFrom('rollout_jobs')
      .select(['host_id', 'report'])
      .where('state', '=', 'rebooting')
      .where(sql<boolean>`host_id = any(${[...hostIds]}::text[])`)
      .execute();
    for (const r of rows) out.set(r.host_id, [...(out.get(r.host_id) ?? []), r.report as JobReport]);
    return out;
  }

  /** Jobs by id, whatever their deployment, with their reports (for checking incoming reports). */
  async jobsByIds(ids: readonly string[]): Promise<Map<string, Job & { readonly report: JobReport | null }>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.selectFrom('rollout_jobs').selectAll().where(sql<boolean>`id = any(${[...new Set(ids)]}::text[])`).execute();
    return new Map(rows.map((r) => [r.id, { ...toJob(r), report: r.report as JobReport | null }]));
  }

  /**
   * Records executors' reports, one statement per slice of 1,000. A job already in a terminal
   * state keeps its first report (reports are delivered at least once), and a rebooting job
   * changes only for the report that says its host is back (whichever of the two arrives first);
   * returns the ids of the jobs that changed. The jobs must be distinct: an UPDATE … FROM
   * applies one row per job.
   */
  async recordReports(reports: readonly JobReport[], now: Date): Promise<Set<string>> {
    const changed = new Set<string>();
    for (let at = 0; at < reports.length; at += 1000) {
      const slice = reports.slice(at, at + 1000);
      const { rows } = await sql<{ id: string }>`
        update rollout_jobs as j set state = u.state, state_reason = u.reason, previous = u.previous::jsonb, report = u.report::jsonb, finished_at = ${now}
        from unnest(
          ${slice.map((r) => r.jobId)}::text[], ${slice.map(jobStateOfReport)}::text[],
          ${slice.map((r) => (r.failure ? `${r.failure.step}: ${r.failure.message}` : null))}::text[],
          ${slice.map((r) => JSON.stringify(r.previous))}::text[], ${slice.map((r) => JSON.stringify(r))}::text[]
        ) as u(id, state, reason, previous, report)
        where j.id = u.id and (j.state in ('pending', 'dispatched', 'running') or (j.state = 'rebooting' and u.state <> 'rebooting'))
        returning j.id`.execute(this.db);
      for (const r of rows) changed.add(r.id);
    }
    return changed;
  }

  /** Rollback jobs (to the recorded previous versions) for every host an install left at its new versions; returns how many. */
  async addRollbackJobs(deploymentId: number): Promise<number> {
    const jobs = await this.jobs(deploymentId);
    const done = jobs.filter((j) => j.action === 'install' && leftChanged(j) && j.previous !== null);
    const existing = new Set(jobs.filter((j) => j.action === 'rollback').map((j) => j.hostId));
    const rows = done
      .filter((j) => !existing.has(j.hostId))
      .map((j) => ({
        id: randomUUID(),
        deployment_id: deploymentId,
        host_id: j.hostId,
        host_name: j.hostName,
        cluster: j.cluster,
        action: 'rollback',
        wave: j.wave,
        state: 'pending',
        idempotency_key: `deployment-${deploymentId}-rollback-${j.hostId}`,
        manager: j.manager,
        targets: JSON.stringify(j.previous),
      }));
    for (let at = 0; at < rows.length; at += 2000) await this.db.insertInto('rollout_jobs').values(rows.slice(at, at + 2000)).execute();
    return rows.length;
  }

  /** Pending jobs will not run: the deployment ended. */
  async cancelPending(deploymentId: number, reason: string, now: Date): Promise<void> {
    await this.db.updateTable('rollout_jobs').set({ state: 'cancelled', state_reason: reason, finished_at: now }).where('deployment_id', '=', deploymentId).where('state', '=', 'pending').execute();
  }

  /** Jobs per wave, action and state, for status views. */
  async counts(deploymentId: number): Promise<{ wave: number; action: JobAction; state: JobState; n: number }[]> {
    const rows = await this.db
      .selectFrom('rollout_jobs')
      .select(['wave', 'action', 'state', (eb) => eb.fn.countAll<string>().as('n')])
      .where('deployment_id', '=', deploymentId)
      .groupBy(['wave', 'action', 'state'])
      .orderBy('wave')
      .execute();
    return rows.map((r) => ({ wave: r.wave, action: r.action as JobAction, state: r.state as JobState, n: Number(r.n) }));
  }
}
