/**
 * The second report of a job that rebooted its host: the host is back, and its post-checks pass
 * again. A post-check before the reboot proves the change installed; services restart with the
 * new kernel and libraries only at the reboot, so the same checks run once more after it.
 *
 * Units may still be starting when the executor first sees the new boot, so failing checks are
 * retried for a settle period before the job fails. A failure after the reboot does not roll the
 * host back on its own: undoing a kernel or libc change needs another reboot, and the deployment's
 * error budget halts it so a person decides (`deploy rollback` restores the recorded versions).
 */
import { POST_REBOOT_CHECK_STEP, type HealthCheck, type JobReport } from '@patchwise/core';
import type { CommandRunner } from './command-runner.js';
import { firstFailingCheck, recordedCheckContext } from './health-check.js';
import { RecordingRunner } from './recording-runner.js';

/** How long failing post-checks are retried after the host is back, by default. */
export const POST_REBOOT_SETTLE_MS = 120_000;
const RETRY_MS = 10_000;

export interface ReportBackDeps {
  /** Where the checks run: the host that rebooted. */
  readonly runner: CommandRunner;
  readonly fetch: typeof fetch;
  readonly clock: () => Date;
  /** Waits between tries; injected so tests do not wait. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** How long failing checks are retried (POST_REBOOT_SETTLE_MS by default; 0: one try). */
  readonly settleMs?: number;
}

/**
 * `report` (a success that rebooted its host) completed with `back` and the outcome of
 * `postChecks` run after the reboot: `succeeded`, or `failed` at step `post-reboot-check` with
 * the new versions left in place. Every check's command is appended to the report's commands.
 */
export async function reportBack(report: JobReport, postChecks: readonly HealthCheck[], bootId: string | null, deps: ReportBackDeps): Promise<JobReport> {
  const at = deps.clock();
  const step = POST_REBOOT_CHECK_STEP;
  const recorder = new RecordingRunner(deps.runner);
  const ctx = recordedCheckContext(recorder, deps);
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const settleMs = deps.settleMs ?? POST_REBOOT_SETTLE_MS;
  // Counted in tries, not read off the clock: a clock that stands still (a test's) cannot loop for ever.
  const tries = 1 + Math.floor(settleMs / RETRY_MS);
  let failed: string | undefined;
  for (let i = 0; i < tries; i++) {
    if (i > 0) await sleep(RETRY_MS);
    failed = await firstFailingCheck(postChecks, step, ctx);
    if (failed === undefined) break;
  }
  const back = { bootId, at: at.toISOString() };
  const commands = [...report.commands, ...recorder.records];
  if (failed === undefined) return { ...report, back, commands };
  const waited = settleMs > 0 ? ` (still failing after ${tries} tries over ${Math.round(settleMs / 1000)} s since the host was back)` : '';
  return {
    ...report,
    back,
    commands,
    outcome: 'failed',
    failure: { step, message: `${failed}${waited}; the new versions stay installed: roll the deployment back to restore the previous ones` },
    finishedAt: deps.clock().toISOString(),
  };
}
