import { AuditStore, RolloutStore, RunCoalescer, engineStep, type JobManifest, type SignedJobManifest, type StartVerdict, countNoun } from '@patchwise/core';
import { sql, type Kysely, type Transaction } from 'kysely';
import { tablesOf, type Database } from '../database.js';

/** When each host of a deployment may start, from the deployment's windows and the freezes that apply to the host. */
export interface HostSchedule {
  canStart(hostId: string, now: Date): StartVerdict;
  /** The earliest instant at or after `after` when the host may start; null: none within the horizon. */
  nextStart(hostId: string, after: Date): Date | null;
}

export interface ScheduleSource {
  /** The schedule of these hosts under the named windows (none: any time) and the freezes that apply to them. */
  forHosts(db: Kysely<Database>, windows: readonly string[], hostIds: readonly string[]): Promise<HostSchedule>;
}

export interface RolloutEngineDeps {
  readonly db: Kysely<Database>;
  readonly clock: () => Date;
  /** Signs a manifest with the server's job-signing key (agents pinned its public half at enrollment). */
  readonly sign: (manifest: JobManifest) => SignedJobManifest;
  readonly schedules: ScheduleSource;
  /** Told which hosts have new manifests, so long-polling agents wake at once. */
  readonly onDispatch?: (hostIds: readonly string[]) => void;
  /** A manifest's life when its window allows longer (default 15 minutes). */
  readonly dispatchTtlMs?: number;
}

const SYSTEM = { kind: 'system', id: 'rollout-engine' } as const;

/**
 * The rollout engine: applies `engineStep` to each running deployment until nothing changes.
 * Each deployment advances in its own transaction under a transaction-level advisory lock on its
 * id and its row lock, so several server processes on one PostgreSQL never advance the same
 * deployment at once, and a process killed mid-step leaves nothing half-done: the transaction
 * rolls back and the next tick (of any process) redoes it from the tables.
 */
export class RolloutEngine {
  /** Advances asked for while one of the same deployment runs share the next one (see `advance`). */
  private readonly advances = new RunCoalescer<number, number>();

  constructor(private readonly deps: RolloutEngineDeps) {}

  /** Advances every deployment with work; returns how many jobs were dispatched. */
  async tick(): Promise<number> {
    let dispatched = 0;
    for (const id of await new RolloutStore(tablesOf(this.deps.db)).activeIds()) dispatched += await this.advance(id);
    return dispatched;
  }

  /**
   * Advances one deployment to a fixed point; 0 when another process holds it. Within this
   * process, calls made while an advance of the same deployment runs are served by one advance
   * started after it: every job report asks for one, and a wave of 10,000 hosts reports 10,000
   * times, each step reading all 10,000 jobs. A caller still gets an advance that began after
   * its call, so it sees what the caller committed before.
   */
  advance(id: number): Promise<number> {
    return this.advances.run(id, () => this.advanceOnce(id));
  }

  private async advanceOnce(id: number): Promise<number> {
    const woken: string[] = [];
    const dispatched = await this.deps.db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ got: boolean }>`select pg_try_advisory_xact_lock(hashtextextended(current_schema() || '/rollout-deployment/' || ${String(id)}, 0)) as got`.execute(trx);
      if (!rows[0]?.got) return 0;
      return this.advanceLocked(trx, id, woken);
    });
    if (woken.length > 0) this.deps.onDispatch?.(woken);
    return dispatched;
  }

  private async advanceLocked(trx: Transaction<Database>, id: number, woken: string[]): Promise<number> {
    const store = new RolloutStore(tablesOf(trx));
    const audit = new AuditStore(tablesOf(trx), this.deps.clock);
    let deployment = await store.lock(id);
    const hostIds = [...new Set((await store.snapshots(id)).map((j) => j.hostId))];
    const schedule = await this.deps.schedules.forHosts(trx, deployment.windows, hostIds);
    const canStart = (hostId: string, at: Date) => schedule.canStart(hostId, at);
    const now = this.deps.clock();
    let dispatched = 0;
    // Each round either changes something or ends the loop; a bound keeps a bug from spinning.
    for (let round = 0; round < 50; round++) {
      const step = engineStep({
        deployment,
        jobs: await store.snapshots(id),
        busyByCluster: await store.busyByCluster(),
        now,
        canStart,
        dispatchTtlMs: this.deps.dispatchTtlMs ?? 15 * 60_000,
      });
      await store.requeue(step.requeue);
      await store.timeOut(step.timedOut, 'running', `no report within ${countNoun(deployment.strategy.jobTimeoutMinutes, 'minute')} of the executor fetching the job`, now);
      await store.timeOut(step.rebootTimedOut, 'rebooting', `reboot: the host was not back within ${countNoun(deployment.strategy.rebootTimeoutMinutes, 'minute')}`, now);
      if (step.dispatch.length > 0) {
        const jobs = new Map((await store.jobs(id, { ids: step.dispatch.map((d) => d.jobId) })).map((j) => [j.id, j]));
        const signed = step.dispatch.map(({ jobId, expiresAt }) => {
          const job = jobs.get(jobId)!;
          const rollback = job.action === 'rollback';
          const manifest: JobManifest = {
            v: 1,
            jobId: job.id,
            idempotencyKey: job.idempotencyKey,
            deploymentId: id,
            hostId: job.hostId,
            action: job.action,
            manager: job.manager!, // jobs without a driver are created skipped and never dispatched
            targets: job.targets,
            reboot: deployment.strategy.reboot,
            // Undoing a change runs no hooks: they belong to the change, and a failing check must not block the way back.
            preSteps: rollback ? [] : deployment.hooks.preSteps,
            postSteps: rollback ? [] : deployment.hooks.postSteps,
            preChecks: rollback ? [] : deployment.hooks.preChecks,
            postChecks: rollback ? [] : deployment.hooks.postChecks,
            issuedAt: now.toISOString(),
            expiresAt: expiresAt.toISOString(),
          };
          woken.push(job.hostId);
          return { jobId, manifest: this.deps.sign(manifest), expiresAt };
        });
        await store.dispatch(signed, now);
        dispatched += step.dispatch.length;
        await audit.append({ actor: SYSTEM, action: 'deployment.dispatch', target: { kind: 'deployment', id: String(id) }, details: { jobs: step.dispatch.length, wave: deployment.currentWave + 1 } });
      }
      const next = step.deployment;
      if (next) {
        const ended = next.state === 'completed' || next.state === 'rolled-back';
        await store.update(id, { state: next.state, stateReason: next.reason, currentWave: next.currentWave, soakUntil: next.soakUntil, ...(ended ? { finishedAt: now } : {}) });
        if (next.state !== deployment.state) {
          await audit.append({ actor: SYSTEM, action: `deployment.${next.state}`, target: { kind: 'deployment', id: String(id) }, details: { reason: next.reason, wave: next.currentWave + 1 } });
        } else if (next.currentWave !== deployment.currentWave) {
          await audit.append({ actor: SYSTEM, action: 'deployment.wave-start', target: { kind: 'deployment', id: String(id) }, details: { wave: next.currentWave + 1 } });
        }
      }
      const changed = step.requeue.length + step.timedOut.length + step.rebootTimedOut.length + step.dispatch.length > 0 || (next !== null && (next.state !== deployment.state || next.currentWave !== deployment.currentWave || next.soakUntil?.getTime() !== deployment.soakUntil?.getTime()));
      if (!changed) break;
      deployment = await store.lock(id);
    }
    return dispatched;
  }
}
