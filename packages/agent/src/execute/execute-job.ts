/**
 * One job on one host, from manifest to report: journal → previous versions (journalled before
 * any change) → pre-checks → pre-steps → install → exact-version verification → post-steps →
 * post-checks → reboot per policy → report (journalled, then returned; after a reboot the
 * post-checks run again, see reportBack). Any failure after the
 * install started restores the previous versions, and the restore is itself verified.
 *
 * The manifest's signature is verified by the caller before this runs. The expiry check here is
 * pure and comes after the journal lookup, so repeating it is harmless: a finished job re-sent
 * after its expiry still gets its stored report.
 */
import { PatchwiseError, type JobManifest, type JobOutcome, type JobReport, type PackageVersion } from '@patchwise/core';
import { approvedScriptArgv } from './approved-script.js';
import { CommandFailedError, describeExit } from './command-failed-error.js';
import type { CommandRunner } from './command-runner.js';
import type { HostReboot } from './host-reboot.js';
import { firstFailingCheck, recordedCheckContext } from './health-check.js';
import type { JobJournal, JournalEntry } from './job-journal.js';
import type { PackageDriver } from './package-driver.js';
import { RecordingRunner } from './recording-runner.js';
import { manifestDigest, validateManifest } from './validate-manifest.js';

export interface ExecuteJobDeps {
  /** The host's package manager driver; its commands are run through `runner` (see PackageDriver.withRunner). */
  readonly driver: PackageDriver;
  /** Where every command of the job runs: locally, in a chroot, over SSH. */
  readonly runner: CommandRunner;
  readonly journal: JobJournal;
  readonly clock: () => Date;
  /** For HTTP health checks. */
  readonly fetch: typeof fetch;
  /** Reboots the host when the policy says so; the report (with the boot id) is journalled before the request. */
  readonly reboot: HostReboot;
}

/** A job interrupted this many times (crash, power cut) is rolled back instead of started again. */
export const MAX_JOB_ATTEMPTS = 3;
const STEP_TIMEOUT_MS = 30 * 60_000;

interface Failure {
  readonly step: string;
  readonly message: string;
}

/**
 * Runs `manifest` once per idempotency key: a key with a finished entry returns the stored report
 * and runs nothing. Throws PatchwiseError for a manifest that must not run at all (invalid input,
 * PW_INPUT_INVALID; expired, PW_MANIFEST_REJECTED; another manifest under the same key or the
 * same job already running, PW_CONFLICT); every failure once the job has started is in the report.
 */
export async function executeJob(manifest: JobManifest, deps: ExecuteJobDeps): Promise<JobReport> {
  if (typeof manifest?.idempotencyKey !== 'string' || manifest.idempotencyKey === '') {
    throw new PatchwiseError('PW_INPUT_INVALID', 'idempotencyKey must be a non-empty string', { input: `job ${String(manifest?.jobId)}` });
  }
  const release = deps.journal.claim(manifest.idempotencyKey);
  try {
    const digest = manifestDigest(manifest);
    const entry = await deps.journal.get(manifest.idempotencyKey);
    if (entry && entry.manifestDigest !== digest) {
      throw new PatchwiseError('PW_CONFLICT', 'another manifest already ran under this idempotency key', { input: `job ${manifest.jobId}` });
    }
    if (entry?.state === 'finished' && entry.report) return entry.report;
    validateManifest(manifest, deps.driver);
    const now = deps.clock();
    const expired = now.getTime() >= Date.parse(manifest.expiresAt);
    if (expired && !entry) throw new PatchwiseError('PW_MANIFEST_REJECTED', `the manifest expired at ${manifest.expiresAt}`, { input: `job ${manifest.jobId}` });
    return await new JobRun(manifest, deps, digest, now).run(entry, expired);
  } finally {
    release();
  }
}

class JobRun {
  readonly #recorder: RecordingRunner;
  readonly #driver: PackageDriver;
  readonly #names: string[];
  #previous: readonly PackageVersion[] = [];
  #rebootRequired = false;
  /** Deliveries that started this job, this one included; and when the first did. */
  #attempts = 1;
  #firstStartedAt: string;

  constructor(
    private readonly manifest: JobManifest,
    private readonly deps: ExecuteJobDeps,
    private readonly digest: string,
    private readonly startedAt: Date,
  ) {
    this.#recorder = new RecordingRunner(deps.runner);
    this.#driver = deps.driver.withRunner(this.#recorder);
    this.#names = manifest.targets.map((t) => t.name);
    this.#firstStartedAt = startedAt.toISOString();
  }

  async run(entry: JournalEntry | undefined, expired: boolean): Promise<JobReport> {
    // `changed`: the host may differ from the previous versions (always so for an interrupted job).
    let changed = entry !== undefined;
    if (entry) {
      this.#previous = entry.previous;
    } else {
      const found = await this.#attempt('query', () => this.#driver.queryVersions(this.#names));
      if ('failure' in found) return this.#finish('failed', found.failure, []);
      this.#previous = found.value;
    }
    this.#attempts = (entry?.attempts ?? 0) + 1;
    this.#firstStartedAt = entry?.startedAt ?? this.#firstStartedAt;
    await this.deps.journal.put(this.#entry('started', null));
    if (entry && (expired || entry.attempts >= MAX_JOB_ATTEMPTS)) {
      const why = expired ? `the manifest expired at ${this.manifest.expiresAt}` : `started ${entry.attempts} times`;
      return this.#rollBack({ step: 'resume', message: `the job was interrupted and ${why}: restoring the versions found before it` });
    }

    const pre = (await this.#checks('pre-check', this.manifest.preChecks)) ?? (await this.#steps('pre-step', this.manifest.preSteps));
    if (pre) return changed ? this.#rollBack(pre) : this.#finish('failed', pre, this.#previous);

    changed = true;
    const action = this.manifest.action;
    const applied = await this.#attempt(action === 'install' ? 'install' : 'restore', () =>
      action === 'install' ? this.#driver.install(this.manifest.targets) : this.#driver.restore(this.manifest.targets),
    );
    if ('failure' in applied) return this.#rollBack(applied.failure);

    const verified = await this.#verify(this.manifest.targets, 'verify');
    if (verified.failure) return this.#rollBack(verified.failure);
    const post = (await this.#steps('post-step', this.manifest.postSteps)) ?? (await this.#checks('post-check', this.manifest.postChecks));
    if (post) return this.#rollBack(post);
    return this.#succeed(verified.versions ?? []);
  }

  /** Restores the previous versions and checks they are back; `failure` is what made the job roll back. */
  async #rollBack(failure: Failure): Promise<JobReport> {
    const restored = await this.#attempt('rollback', () => this.#driver.restore(this.#previous));
    const back = await this.#verify(this.#previous, 'rollback');
    await this.#checkReboot();
    const after = back.versions ?? [];
    if (!('failure' in restored) && !back.failure) return this.#finish('rolled-back', failure, after);
    const why = 'failure' in restored ? restored.failure.message : (back.failure?.message ?? '');
    return this.#finish('failed', { step: failure.step, message: `${failure.message}; the rollback failed too: ${why}` }, after, true);
  }

  async #succeed(after: readonly PackageVersion[]): Promise<JobReport> {
    const checkFailure = await this.#checkReboot();
    const policy = this.manifest.reboot;
    const reboot = policy === 'always' || (policy === 'if-required' && this.#rebootRequired);
    if (!reboot) return this.#finish('succeeded', checkFailure, after);
    // Journalled first: the reboot may end this process before requestReboot returns, and a
    // re-delivery after the reboot must get this report, not reboot the host again.
    const report = await this.#finish('succeeded', checkFailure, after, false, await this.deps.reboot.bootId());
    try {
      await this.deps.reboot.request();
      return report;
    } catch (err) {
      const failed: JobReport = { ...report, rebooted: false, bootId: undefined, failure: { step: 'reboot', message: `requesting the reboot failed: ${(err as Error).message}` } };
      await this.deps.journal.put(this.#entry('finished', failed));
      return failed;
    }
  }

  /**
   * Whether each target is at its exact version (null: absent), read back from the package
   * database. `versions` is what was found (null when the query itself failed).
   */
  async #verify(expected: readonly PackageVersion[], step: string): Promise<{ versions: PackageVersion[] | null; failure: Failure | null }> {
    const found = await this.#attempt(step, () => this.#driver.queryVersions(expected.map((t) => t.name)));
    if ('failure' in found) return { versions: null, failure: found.failure };
    const wrong: string[] = [];
    expected.forEach((want, i) => {
      const have = found.value[i]?.version ?? null;
      const same = want.version === null || have === null ? want.version === have : this.#driver.sameVersion(have, want.version);
      if (!same) wrong.push(`${want.name} is ${have ?? 'not installed'}, expected ${want.version ?? 'not installed'}`);
    });
    return { versions: found.value, failure: wrong.length > 0 ? { step, message: wrong.join('; ') } : null };
  }

  /** The first failing check, or undefined when all pass. */
  async #checks(step: string, checks: JobManifest['preChecks']): Promise<Failure | undefined> {
    const message = await firstFailingCheck(checks, step, recordedCheckContext(this.#recorder, this.deps));
    return message === undefined ? undefined : { step, message };
  }

  /** Runs approved scripts in order; the first failing one ends the steps. */
  async #steps(step: string, scripts: JobManifest['preSteps']): Promise<Failure | undefined> {
    for (const script of scripts) {
      const record = await this.#recorder.run(step, approvedScriptArgv(script), {
        timeoutMs: STEP_TIMEOUT_MS,
        env: { PATCHWISE_JOB_ID: this.manifest.jobId, PATCHWISE_STEP: step },
      });
      if (record.exitCode !== 0) {
        const said = (record.stderr.trim() || record.stdout.trim()).split('\n').slice(-3).join(' | ');
        return { step, message: `script ${script.name} failed (${describeExit(record)})${said ? `: ${said}` : ''}` };
      }
    }
    return undefined;
  }

  /** Sets #rebootRequired from the driver; a check that cannot answer is reported, not fatal. */
  async #checkReboot(): Promise<Failure | null> {
    const answer = await this.#attempt('reboot-check', () => this.#driver.rebootRequired());
    if ('failure' in answer) return answer.failure;
    this.#rebootRequired = answer.value;
    return null;
  }

  /**
   * Runs a driver call as job phase `step` (the step of its records and of its failure); a
   * command that failed becomes a Failure, anything else (a crash) propagates.
   */
  async #attempt<T>(step: string, work: () => Promise<T>): Promise<{ value: T } | { failure: Failure }> {
    this.#recorder.phase = step;
    try {
      return { value: await work() };
    } catch (err) {
      if (err instanceof CommandFailedError) return { failure: { step, message: err.message } };
      throw err;
    } finally {
      this.#recorder.phase = undefined;
    }
  }

  /** Journals and returns the report; `rebootFrom` (a boot id, or null when the host has none) marks a reboot asked for. */
  async #finish(outcome: JobOutcome, failure: Failure | null, after: readonly PackageVersion[], rollbackFailed = false, rebootFrom?: string | null): Promise<JobReport> {
    const report: JobReport = {
      jobId: this.manifest.jobId,
      idempotencyKey: this.manifest.idempotencyKey,
      outcome,
      previous: this.#previous,
      after,
      rebootRequired: this.#rebootRequired,
      rebooted: rebootFrom !== undefined,
      ...(rebootFrom !== undefined ? { bootId: rebootFrom } : {}),
      failure,
      rollbackFailed,
      commands: [...this.#recorder.records],
      startedAt: this.startedAt.toISOString(),
      finishedAt: this.deps.clock().toISOString(),
    };
    await this.deps.journal.put({ ...this.#entry('finished', report), ...(report.rebooted ? { postChecks: this.manifest.postChecks } : {}) });
    return report;
  }

  #entry(state: JournalEntry['state'], report: JobReport | null): JournalEntry {
    return {
      v: 1,
      idempotencyKey: this.manifest.idempotencyKey,
      jobId: this.manifest.jobId,
      manifestDigest: this.digest,
      state,
      previous: this.#previous,
      attempts: this.#attempts,
      startedAt: this.#firstStartedAt,
      report,
    };
  }
}
