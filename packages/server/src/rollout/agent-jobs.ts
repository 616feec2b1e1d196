import { AuditStore, MicroBatcher, PatchwiseError, POST_REBOOT_CHECK_STEP, RolloutStore, jobStateOfReport, type AuditEventInput, type Deployment, type Job, type JobReport, type SignedJobManifest } from '@patchwise/core';
import type { Kysely } from 'kysely';
import { tablesOf, type Database } from '../database.js';
import type { RolloutEngine } from './rollout-engine.js';

const OUTCOMES = new Set(['succeeded', 'failed', 'rolled-back']);

type ReportItem = { readonly hostId: string; readonly report: JobReport };
type ReportOutcome = { readonly deploymentId: number; readonly recorded: boolean } | { readonly error: PatchwiseError };

/**
 * The agents' side of jobs: fetching the manifests waiting for a host (long-polled: a request
 * waits until the engine dispatches something for the host, or its time is up) and recording
 * the reports. Waiters live in this process; the engine wakes them on dispatch, and a shared
 * poll every second wakes hosts whose jobs another server process dispatched. Fetches of
 * concurrent requests are written in one statement per batch: a wave wakes every waiting agent
 * at once.
 */
export class AgentJobs {
  private readonly waiters = new Map<string, Set<() => void>>();
  private poller: ReturnType<typeof setInterval> | undefined;
  private polling = false;
  private readonly fetches: MicroBatcher<string, SignedJobManifest[]>;
  private readonly reports: MicroBatcher<ReportItem, ReportOutcome>;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: () => Date,
    private readonly engine: RolloutEngine,
    private readonly pollMs = 1000,
  ) {
    this.fetches = new MicroBatcher(async (hostIds) => {
      const found = await new RolloutStore(tablesOf(this.db)).fetchForHosts(hostIds, this.clock());
      return hostIds.map((id) => found.get(id) ?? []);
    });
    // One report per job in a batch: a repeat waits for the next batch, and finds the job ended.
    this.reports = new MicroBatcher((items) => this.recordReports(items), { keyOf: (i) => i.report.jobId });
  }

  /**
   * The host's waiting manifests; with `waitMs`, waits up to that long for one to appear. When
   * `signal` aborts (the agent went away), nothing is fetched: a manifest taken for a closed
   * connection would count as delivered and the job would wait for its timeout instead.
   */
  async fetch(hostId: string, waitMs = 0, signal?: AbortSignal): Promise<SignedJobManifest[]> {
    const jobs = await this.fetches.submit(hostId);
    if (jobs.length > 0 || waitMs <= 0) return jobs;
    await this.waitForWork(hostId, waitMs, signal);
    if (signal?.aborted) return [];
    return this.fetches.submit(hostId);
  }

  /** Hosts with a long-poll waiting in this process now. */
  get waitingHosts(): number {
    return this.waiters.size;
  }

  /** Wakes long-polls of these hosts (the engine calls this after dispatching). */
  wake(hostIds: readonly string[]): void {
    for (const id of hostIds) for (const wake of this.waiters.get(id) ?? []) wake();
  }

  /**
   * Records a job's report: the host must be the job's, and the idempotency key the job's. A
   * report for a job that already ended is acknowledged and changes nothing (reports are sent
   * until acknowledged). The engine then advances the deployment, which may dispatch the next host.
   * Reports arriving together are recorded in one transaction (see `recordReports`); each is
   * still answered, or refused, on its own.
   */
  async report(hostId: string, report: JobReport): Promise<{ readonly recorded: boolean }> {
    checkReport(report);
    const outcome = await this.reports.submit({ hostId, report });
    if ('error' in outcome) throw outcome.error;
    await this.engine.advance(outcome.deploymentId);
    return { recorded: outcome.recorded };
  }

  /**
   * One transaction for a batch of reports: their jobs read at once, the deployments locked once
   * each (in id order), the reports written in one statement, their audit events appended
   * together. One report per transaction made a wave's reports queue on the deployment's row
   * lock while holding every pooled connection, and the long-polls of the same wave then waited
   * for a connection to fetch their manifests.
   */
  private async recordReports(items: readonly ReportItem[]): Promise<ReportOutcome[]> {
    return this.db.transaction().execute(async (trx) => {
      const store = new RolloutStore(tablesOf(trx));
      const jobs = await store.jobsByIds(items.map((i) => i.report.jobId));
      const found = items.map(({ hostId, report }): Job | PatchwiseError => {
        const job = jobs.get(report.jobId);
        if (!job || job.hostId !== hostId) return new PatchwiseError('PW_NOT_FOUND', `no job ${report.jobId} for this host`);
        if (job.idempotencyKey !== report.idempotencyKey) return new PatchwiseError('PW_INPUT_INVALID', `report for job ${job.id}: idempotency key ${report.idempotencyKey} is not the job's`);
        return job;
      });
      const deployments = new Map<number, Deployment>();
      for (const id of [...new Set(found.flatMap((j) => (j instanceof PatchwiseError ? [] : [j.deploymentId])))].sort((a, b) => a - b)) deployments.set(id, await store.lock(id));
      const valid = items.filter((_, i) => !(found[i] instanceof PatchwiseError));
      const changed = await store.recordReports(valid.map((v) => v.report), this.clock());
      const events: AuditEventInput[] = [];
      const rollBack = new Set<number>();
      items.forEach(({ hostId, report }, i) => {
        const job = found[i]!;
        if (job instanceof PatchwiseError || !changed.has(job.id)) return;
        const d = deployments.get(job.deploymentId)!;
        events.push({
          actor: { kind: 'agent', id: hostId, name: job.hostName },
          action: `job.${jobStateOfReport(report)}`,
          target: { kind: 'job', id: job.id },
          details: { deployment: d.id, action: job.action, failure: report.failure, after: report.after, rebooted: report.rebooted, ...(report.back ? { back: report.back } : {}), commands: report.commands.length },
        });
        // An install that finishes after the deployment turned to rolling back is undone too.
        if (d.state === 'rolling-back' && job.action === 'install' && report.outcome === 'succeeded') rollBack.add(d.id);
      });
      await new AuditStore(tablesOf(trx), this.clock).appendMany(events);
      for (const id of rollBack) await store.addRollbackJobs(id);
      return found.map((job): ReportOutcome => (job instanceof PatchwiseError ? { error: job } : { deploymentId: job.deploymentId, recorded: changed.has(job.id) }));
    });
  }

  stop(): void {
    if (this.poller) clearInterval(this.poller);
    this.poller = undefined;
    for (const set of this.waiters.values()) for (const wake of set) wake();
  }

  private waitForWork(hostId: string, waitMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const set = this.waiters.get(hostId) ?? new Set();
      this.waiters.set(hostId, set);
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        if (set.size === 0) this.waiters.delete(hostId);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      set.add(done);
      signal?.addEventListener('abort', done, { once: true });
      this.ensurePoller();
    });
  }

  private ensurePoller(): void {
    if (this.poller) return;
    this.poller = setInterval(() => {
      if (this.waiters.size === 0) {
        clearInterval(this.poller);
        this.poller = undefined;
        return;
      }
      // One poll at a time: behind a long transaction (PGlite has one connection) polls queued
      // every second would pile up and then run back to back.
      if (this.polling) return;
      this.polling = true;
      void this.pollOnce()
        .catch(() => undefined)
        .finally(() => (this.polling = false));
    }, this.pollMs);
    this.poller.unref();
  }

  private async pollOnce(): Promise<void> {
    const ready = await new RolloutStore(tablesOf(this.db)).hostsWithWork(this.clock());
    this.wake([...ready].filter((id) => this.waiters.has(id)));
  }
}

function checkReport(r: JobReport): void {
  if (!OUTCOMES.has(r.outcome)) throw new PatchwiseError('PW_INPUT_INVALID', `report: outcome ${String(r.outcome)} is not succeeded, failed or rolled-back`);
  if (r.back && !(r.rebooted && (r.outcome === 'succeeded' || (r.outcome === 'failed' && r.failure?.step === POST_REBOOT_CHECK_STEP)))) {
    throw new PatchwiseError('PW_INPUT_INVALID', `report: back is only for a job that rebooted its host and then succeeded, or failed at ${POST_REBOOT_CHECK_STEP}`);
  }
  for (const [field, list] of [['previous', r.previous], ['after', r.after]] as const) {
    for (const p of list) if (typeof p.name !== 'string' || (p.version !== null && typeof p.version !== 'string')) throw new PatchwiseError('PW_INPUT_INVALID', `report: ${field} must be a list of { name, version }`);
  }
}
