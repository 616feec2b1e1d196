import { createHash } from 'node:crypto';
import { readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isManifestRejected, isPatchwiseError, makeDirectoriesAsync, type JobManifest, type JobReport, type PackageManagerKind, type SignedJobManifest } from '@patchwise/core';
import { createPackageDriver, executeJob, reportBack, type CommandRunner, type HostReboot, type JobJournal, type ReportBackDeps } from '../execute/index.js';
import type { AgentClient, Signer } from './agent-client.js';
import type { JobManifestGate } from './job-manifest-gate.js';
import type { PendingReboots } from './pending-reboots.js';

export interface JobRunnerDeps {
  readonly client: AgentClient;
  readonly signer: Signer;
  readonly gate: JobManifestGate;
  readonly journal: JobJournal;
  /** Where the host's commands run: locally, or in the chroot the agent manages (`--root`). */
  readonly runner: CommandRunner;
  /** Reports not yet acknowledged by the server, kept across restarts. */
  readonly outboxDir: string;
  readonly clock: () => Date;
  readonly fetch: typeof fetch;
  /** How this host reboots and reads its boot id (see runnerReboot). */
  readonly reboot: HostReboot;
  /** Jobs that rebooted the host and are not yet reported back from it, kept across restarts. */
  readonly pendingReboots: PendingReboots;
  readonly log: (line: string) => void;
  /** How post-checks are retried once the host is back (tests shorten it). */
  readonly afterReboot?: Pick<ReportBackDeps, 'sleep' | 'settleMs'>;
}

/**
 * The agent's side of deployments: fetch the manifests waiting for this host (long-polled),
 * verify each against the pinned key, run it through `executeJob`, and report. Order matters for
 * "delivered at least once, applied once": a manifest is verified first (nothing unsigned,
 * altered, for another host or expired goes further); a job the journal finished is answered
 * with its stored report; a job the journal started (the agent died mid-job) resumes against the
 * versions recorded before it changed anything; only a job never seen is claimed against the
 * replay guard. Reports go to an on-disk outbox first and leave it when the server acknowledged
 * them, so a report made while the server was down is sent when it is back.
 *
 * A job that rebooted its host is reported twice: once when the reboot is asked for (the server
 * keeps the job in flight, so its cluster's slot stays taken), and again, with `back` and its
 * post-checks run again, once the host's boot id has changed, or, where the host has no boot id
 * to read, once a new agent process runs (the one that asked is gone).
 */
export class JobRunner {
  /** Jobs whose reboot this process asked for. */
  readonly #rebootedHere = new Set<string>();

  constructor(private readonly d: JobRunnerDeps) {}

  /** The job running now, if any. */
  #running: string | undefined;

  /**
   * Reports returns from reboots and pending reports, then handles the manifests that arrive
   * within `waitSeconds`; returns how many jobs ran or answered. `stop` ends the wait for
   * manifests at once, but not a job: once received, a manifest counts as delivered on the
   * server, and a job runs to its end (docs/agent-execution.md, "Stopping the agent").
   */
  async runOnce(waitSeconds: number, stop?: AbortSignal): Promise<number> {
    await this.reportReturnsFromReboot();
    await this.flushOutbox();
    const signed = await this.d.client.jobs(this.d.signer, waitSeconds, stop);
    for (const s of signed) await this.handle(s);
    return signed.length;
  }

  /** The id of the job running now, if one is. */
  get runningJob(): string | undefined {
    return this.#running;
  }

  /** Reports the server has not acknowledged yet. */
  async pendingReports(): Promise<number> {
    return (await this.outbox()).length;
  }

  private async handle(signed: SignedJobManifest): Promise<void> {
    let manifest: JobManifest;
    try {
      manifest = this.d.gate.verify(signed);
    } catch (err) {
      if (!isManifestRejected(err)) throw err;
      this.d.log(`refused a job manifest: ${err.message}`);
      // The refusal is reported against the job it names (if it names one): the server checks that the
      // job is this host's and the key the job's, so a forged id changes nothing; the operator sees why.
      const named = namedJob(signed);
      if (named) await this.send(refusal(named, err.message, this.d.clock()));
      return;
    }
    const entry = await this.d.journal.get(manifest.idempotencyKey);
    if (entry?.state === 'finished' && entry.report) {
      await this.send(entry.report);
      return;
    }
    try {
      if (!entry) await this.d.gate.claim(manifest);
      this.d.log(`job ${manifest.jobId}: ${manifest.action} ${manifest.targets.map((t) => `${t.name}=${t.version ?? '(remove)'}`).join(' ')}`);
      this.#running = manifest.jobId;
      const report = await executeJob(manifest, {
        driver: createPackageDriver(manifest.manager satisfies PackageManagerKind, this.d.runner),
        runner: this.d.runner,
        journal: this.d.journal,
        clock: this.d.clock,
        fetch: this.d.fetch,
        reboot: {
          bootId: () => this.d.reboot.bootId(),
          // Remembered before asking: the agent that runs after the reboot completes the report.
          request: async () => {
            await this.d.pendingReboots.add(manifest.idempotencyKey);
            this.#rebootedHere.add(manifest.idempotencyKey);
            await this.d.reboot.request();
            this.d.log(`job ${manifest.jobId}: reboot requested`);
          },
        },
      }).finally(() => (this.#running = undefined));
      this.d.log(`job ${manifest.jobId}: ${report.outcome}${report.failure ? ` (${report.failure.step}: ${report.failure.message})` : ''}`);
      await this.send(report);
    } catch (err) {
      if (!isPatchwiseError(err)) throw err;
      this.d.log(`job ${manifest.jobId} not run: ${err.message}`);
      // A second delivery while the first still runs is not a failure of the job.
      if (err.code !== 'PW_CONFLICT') await this.send(refusal(manifest, err.message, this.d.clock()));
    }
  }

  /** Completes, with `back`, the reports of jobs whose reboot has happened since they were reported. */
  private async reportReturnsFromReboot(): Promise<void> {
    const keys = await this.d.pendingReboots.list();
    if (keys.length === 0) return;
    const now = await this.d.reboot.bootId();
    for (const key of keys) {
      const entry = await this.d.journal.get(key);
      const report = entry?.report;
      // The request failed (the report says not rebooted), or this was already reported back.
      if (!entry || !report?.rebooted || report.back) {
        await this.d.pendingReboots.remove(key);
        continue;
      }
      const back = report.bootId ? now !== null && now !== report.bootId : !this.#rebootedHere.has(key);
      if (!back) continue;
      this.d.log(`job ${report.jobId}: the host is back from its reboot${entry.postChecks?.length ? ', running its post-checks again' : ''}`);
      const completed = await reportBack(report, entry.postChecks ?? [], now, { runner: this.d.runner, fetch: this.d.fetch, clock: this.d.clock, ...this.d.afterReboot });
      await this.d.journal.put({ ...entry, report: completed });
      await this.d.pendingReboots.remove(key);
      if (completed.failure) this.d.log(`job ${report.jobId}: ${completed.outcome} (${completed.failure.step}: ${completed.failure.message})`);
      await this.send(completed);
    }
  }

  private async send(report: JobReport): Promise<void> {
    const file = join(this.d.outboxDir, `${createHash('sha256').update(report.idempotencyKey).digest('hex')}.json`);
    await makeDirectoriesAsync(this.d.outboxDir, 0o700);
    await writeFile(`${file}.tmp`, JSON.stringify(report), { mode: 0o600 });
    await rename(`${file}.tmp`, file);
    await this.deliver(file, report);
  }

  private async flushOutbox(): Promise<void> {
    for (const file of await this.outbox()) {
      let report: JobReport;
      try {
        report = JSON.parse(await readFile(file, 'utf8')) as JobReport;
      } catch {
        await rm(file, { force: true }); // torn by a crash before the rename: the journal still has the report
        continue;
      }
      await this.deliver(file, report);
    }
  }

  private async deliver(file: string, report: JobReport): Promise<void> {
    try {
      await this.d.client.reportJob(this.d.signer, report);
    } catch (err) {
      if (!isPatchwiseError(err)) throw err;
      // Unreachable or refused for now: the report stays in the outbox for the next round,
      // unless the server says it can never take it (not this host's job, bad input).
      if (err.code === 'PW_SERVER_UNREACHABLE' || err.code === 'PW_RATE_LIMITED' || err.code === 'PW_INTERNAL' || err.code === 'PW_DATABASE') {
        this.d.log(`report of job ${report.jobId} kept for later: ${err.message}`);
        return;
      }
      this.d.log(`report of job ${report.jobId} dropped: ${err.message}`);
    }
    await rm(file, { force: true });
  }

  private async outbox(): Promise<string[]> {
    try {
      return (await readdir(this.d.outboxDir)).filter((f) => f.endsWith('.json')).map((f) => join(this.d.outboxDir, f));
    } catch {
      return [];
    }
  }
}

/** The job a refused manifest names, if its payload says. */
function namedJob(signed: SignedJobManifest): { jobId: string; idempotencyKey: string } | undefined {
  try {
    const p = JSON.parse(signed.payload) as { jobId?: unknown; idempotencyKey?: unknown };
    return typeof p.jobId === 'string' && typeof p.idempotencyKey === 'string' ? { jobId: p.jobId, idempotencyKey: p.idempotencyKey } : undefined;
  } catch {
    return undefined;
  }
}

/** A report for a job that did not run: nothing changed on the host. */
function refusal(job: { jobId: string; idempotencyKey: string }, message: string, now: Date): JobReport {
  const at = now.toISOString();
  return { jobId: job.jobId, idempotencyKey: job.idempotencyKey, outcome: 'failed', previous: [], after: [], rebootRequired: false, rebooted: false, failure: { step: 'verify', message }, rollbackFailed: false, commands: [], startedAt: at, finishedAt: at };
}
