import type { ApprovedScript, HealthCheck, JobAction, JobReport, PackageManagerKind, PackageVersion } from './job-manifest.js';
import type { RolloutStrategy } from './strategy.js';

/**
 * A deployment's life: created → running ⇄ paused → completed, or halted (its budget ran out, or a
 * person stopped it); running, paused, halted or completed → rolling-back → rolled-back; created
 * or paused → cancelled.
 */
export type DeploymentState = 'created' | 'running' | 'paused' | 'halted' | 'completed' | 'rolling-back' | 'rolled-back' | 'cancelled';

/**
 * A job's life: pending → dispatched (a signed manifest waits for its executor) → running (the
 * executor fetched it) → succeeded | failed | rolled-back. A dispatched job whose manifest expired
 * unfetched goes back to pending (nothing ran). A job that succeeded and rebooted its host is
 * `rebooting` until the host is back (→ succeeded) or the reboot timeout passes (→ failed): the
 * host is unavailable meanwhile, so it still counts against concurrency and its cluster's limit.
 * skipped: the host already had every target; cancelled: the deployment ended before the job started.
 */
export type JobState = 'pending' | 'dispatched' | 'running' | 'rebooting' | 'succeeded' | 'failed' | 'rolled-back' | 'skipped' | 'cancelled';

export const TERMINAL_JOB_STATES: ReadonlySet<JobState> = new Set<JobState>(['succeeded', 'failed', 'rolled-back', 'skipped', 'cancelled']);
/** The outcomes that count against an error budget. */
export const FAILED_JOB_STATES: ReadonlySet<JobState> = new Set<JobState>(['failed', 'rolled-back']);
export const IN_FLIGHT_JOB_STATES: ReadonlySet<JobState> = new Set<JobState>(['dispatched', 'running', 'rebooting']);

/**
 * The failure step of a job whose host came back from its reboot but failed its post-checks
 * there: the new versions stay installed (undoing them needs another reboot), so a rollback of
 * the deployment includes the host.
 */
export const POST_REBOOT_CHECK_STEP = 'post-reboot-check';

/** Whether a finished install job left its host at the new versions: succeeded, or failed only after the reboot. */
export function leftChanged(job: Pick<Job, 'state' | 'stateReason'>): boolean {
  return job.state === 'succeeded' || (job.state === 'failed' && (job.stateReason?.startsWith(`${POST_REBOOT_CHECK_STEP}: `) ?? false));
}

/** The state a report moves its job to: a success that rebooted its host waits for the host to be back. */
export function jobStateOfReport(report: JobReport): JobState {
  if (report.outcome === 'succeeded' && report.rebooted && !report.back) return 'rebooting';
  return report.outcome;
}

/** One host's share of a deployment as the engine sees it. */
export interface JobSnapshot {
  readonly id: string;
  readonly hostId: string;
  readonly cluster: string | null;
  readonly action: JobAction;
  readonly wave: number;
  readonly state: JobState;
  readonly expiresAt: Date | null;
  readonly fetchedAt: Date | null;
  /** When its executor reported (for a rebooting job: when the reboot was asked for). */
  readonly finishedAt: Date | null;
}

export interface DeploymentSnapshot {
  readonly id: number;
  readonly state: DeploymentState;
  readonly strategy: RolloutStrategy;
  readonly currentWave: number;
  readonly waveCount: number;
  readonly soakUntil: Date | null;
}

/** A stored deployment. */
export interface Deployment extends DeploymentSnapshot {
  readonly name: string;
  readonly patchSet: number;
  readonly environment: string;
  readonly changeId: string | null;
  readonly selection: DeploymentSelection;
  readonly windows: readonly string[];
  readonly hooks: DeploymentHooks;
  readonly stateReason: string | null;
  readonly createdAt: Date;
  readonly createdBy: { readonly id: string; readonly name: string | null };
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
}

/** Which hosts a deployment targets: the environment's hosts, narrowed to groups or named hosts. */
export interface DeploymentSelection {
  readonly groups: readonly string[];
  readonly hosts: readonly string[];
}

/** Steps and checks from the approved library, frozen into the deployment when it is created. */
export interface DeploymentHooks {
  readonly preSteps: readonly ApprovedScript[];
  readonly postSteps: readonly ApprovedScript[];
  readonly preChecks: readonly HealthCheck[];
  readonly postChecks: readonly HealthCheck[];
}

/** A stored job with what it installs and what it found. */
export interface Job extends JobSnapshot {
  readonly deploymentId: number;
  readonly hostName: string;
  readonly idempotencyKey: string;
  /** Null when no driver handles the host's distribution (the job is skipped). */
  readonly manager: PackageManagerKind | null;
  readonly targets: readonly PackageVersion[];
  readonly previous: readonly PackageVersion[] | null;
  readonly stateReason: string | null;
  readonly dispatchedAt: Date | null;
  readonly finishedAt: Date | null;
}
