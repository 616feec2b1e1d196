import { assertNever } from '../errors/index.js';
import { FAILED_JOB_STATES, IN_FLIGHT_JOB_STATES, TERMINAL_JOB_STATES, type DeploymentSnapshot, type DeploymentState, type JobSnapshot } from './deployment.js';
import { amountOf } from './strategy.js';

/** Whether a host may start a job now, and until when (from its maintenance windows and freezes). */
export type StartVerdict = { readonly canStart: true; readonly closesAt: Date } | { readonly canStart: false; readonly reason: string; readonly nextStart: Date | null };

export interface StepInput {
  readonly deployment: DeploymentSnapshot;
  readonly jobs: readonly JobSnapshot[];
  /** Hosts per cluster with a job in flight, over every deployment (this one included). */
  readonly busyByCluster: ReadonlyMap<string, number>;
  readonly now: Date;
  readonly canStart: (hostId: string, now: Date) => StartVerdict;
  /** How long a manifest stays valid when the window allows longer. */
  readonly dispatchTtlMs: number;
}

/** What the engine does to one deployment now; applying it and stepping again reaches a fixed point. */
export interface StepResult {
  /** Dispatched jobs whose manifest expired unfetched: back to pending (nothing ran). */
  readonly requeue: readonly string[];
  /** Fetched jobs without a report past the job timeout. */
  readonly timedOut: readonly string[];
  /** Rebooting jobs whose host is not back past the reboot timeout. */
  readonly rebootTimedOut: readonly string[];
  readonly dispatch: readonly { readonly jobId: string; readonly expiresAt: Date }[];
  readonly deployment: { readonly state: DeploymentState; readonly reason: string | null; readonly currentWave: number; readonly soakUntil: Date | null } | null;
  /** Why pending jobs of the current wave were not dispatched, for status output. */
  readonly waiting: ReadonlyMap<string, number>;
}

/**
 * The engine's one decision, pure: given a deployment, its jobs and the clock, which jobs go back
 * to pending, time out or are dispatched, and where the deployment moves. Budgets are checked
 * before anything is dispatched, so a wave over budget halts with no new job started; a finished
 * wave soaks (unless blitz), then the next starts. A rebooting host is still in flight: a wave
 * is not done, and its cluster's slot not free, until the host is back. Rollback jobs ignore windows (undoing a bad
 * change does not wait for Tuesday) but keep concurrency and cluster limits.
 */
export function engineStep(input: StepInput): StepResult {
  const { deployment: d, now } = input;
  const requeue: string[] = [];
  const timedOut: string[] = [];
  const rebootTimedOut: string[] = [];
  const timeoutMs = d.strategy.jobTimeoutMinutes * 60_000;
  const rebootTimeoutMs = d.strategy.rebootTimeoutMinutes * 60_000;
  const state = new Map<string, JobSnapshot['state']>();
  for (const j of input.jobs) {
    let s = j.state;
    if (s === 'dispatched' && j.expiresAt !== null && j.expiresAt <= now) {
      requeue.push(j.id);
      s = 'pending';
    } else if (s === 'running' && j.fetchedAt !== null && now.getTime() - j.fetchedAt.getTime() >= timeoutMs) {
      timedOut.push(j.id);
      s = 'failed';
    } else if (s === 'rebooting' && j.finishedAt !== null && now.getTime() - j.finishedAt.getTime() >= rebootTimeoutMs) {
      rebootTimedOut.push(j.id);
      s = 'failed';
    }
    state.set(j.id, s);
  }
  const result = (over: Partial<StepResult>): StepResult => ({ requeue, timedOut, rebootTimedOut, dispatch: [], deployment: null, waiting: new Map(), ...over });
  const stateOf = (j: JobSnapshot) => state.get(j.id)!;

  switch (d.state) {
    case 'running':
      return result(advanceInstall(input, stateOf));
    case 'rolling-back': {
      const jobs = input.jobs.filter((j) => j.action === 'rollback');
      if (jobs.every((j) => TERMINAL_JOB_STATES.has(stateOf(j)))) {
        const failed = jobs.filter((j) => FAILED_JOB_STATES.has(stateOf(j))).length;
        return result({ deployment: { state: 'rolled-back', reason: failed ? `${failed} of ${jobs.length} hosts could not be rolled back` : null, currentWave: d.currentWave, soakUntil: null } });
      }
      return result(dispatch(input, jobs, stateOf, false));
    }
    case 'created':
    case 'paused':
    case 'halted':
    case 'completed':
    case 'rolled-back':
    case 'cancelled':
      return result({});
    default:
      return assertNever(d.state, 'deployment state');
  }
}

type StateOf = (j: JobSnapshot) => JobSnapshot['state'];

function advanceInstall(input: StepInput, stateOf: StateOf): Partial<StepResult> {
  const { deployment: d, now } = input;
  const jobs = input.jobs.filter((j) => j.action === 'install');
  const halt = (reason: string): Partial<StepResult> => ({
    deployment: { state: 'halted', reason, currentWave: d.currentWave, soakUntil: null },
  });
  const failedTotal = jobs.filter((j) => FAILED_JOB_STATES.has(stateOf(j))).length;
  const allowedTotal = amountOf(d.strategy.errorBudget.total, jobs.length);

  let wave = d.currentWave;
  let soakUntil = d.soakUntil;
  for (;;) {
    const waveJobs = jobs.filter((j) => j.wave === wave);
    const failed = waveJobs.filter((j) => FAILED_JOB_STATES.has(stateOf(j))).length;
    const allowed = amountOf(d.strategy.errorBudget.perWave, waveJobs.length);
    if (failed > allowed) return halt(`error budget of wave ${wave + 1}${wave === 0 ? ' (canary)' : ''} exhausted: ${failed} of ${waveJobs.length} hosts failed, the wave allows ${allowed}`);
    // The wave's own budget is named first: it is the more specific reason.
    if (failedTotal > allowedTotal) return halt(`error budget exhausted: ${failedTotal} hosts failed, the deployment allows ${allowedTotal}`);
    if (!waveJobs.every((j) => TERMINAL_JOB_STATES.has(stateOf(j)))) {
      const moved = wave !== d.currentWave || soakUntil !== d.soakUntil;
      return { ...dispatch(input, waveJobs, stateOf, true), ...(moved ? { deployment: { state: 'running', reason: null, currentWave: wave, soakUntil } } : {}) };
    }
    if (wave >= d.waveCount - 1) return { deployment: { state: 'completed', reason: null, currentWave: wave, soakUntil: null } };
    const soakMs = d.strategy.blitz ? 0 : d.strategy.soakMinutes * 60_000;
    if (soakMs > 0 && soakUntil === null) soakUntil = new Date(now.getTime() + soakMs);
    if (soakUntil !== null && now < soakUntil) {
      return { deployment: { state: 'running', reason: `wave ${wave + 1} done; soaking until ${soakUntil.toISOString()}`, currentWave: wave, soakUntil } };
    }
    wave++;
    soakUntil = null;
  }
}

function dispatch(input: StepInput, jobs: readonly JobSnapshot[], stateOf: StateOf, respectWindows: boolean): Partial<StepResult> {
  const { deployment: d, now } = input;
  const all = input.jobs;
  const hostsInDeployment = new Set(all.map((j) => j.hostId)).size;
  let slots = Math.max(1, amountOf(d.strategy.concurrency, hostsInDeployment)) - all.filter((j) => IN_FLIGHT_JOB_STATES.has(stateOf(j))).length;
  const busy = new Map(input.busyByCluster);
  const out: { jobId: string; expiresAt: Date }[] = [];
  const waiting = new Map<string, number>();
  const wait = (why: string) => waiting.set(why, (waiting.get(why) ?? 0) + 1);
  for (const j of jobs) {
    if (stateOf(j) !== 'pending') continue;
    if (slots <= 0) {
      wait('concurrency limit');
      continue;
    }
    if (j.cluster !== null && (busy.get(j.cluster) ?? 0) >= d.strategy.clusterMaxUnavailable) {
      wait(`cluster ${j.cluster} at its limit of ${d.strategy.clusterMaxUnavailable}`);
      continue;
    }
    let expiresAt = new Date(now.getTime() + input.dispatchTtlMs);
    if (respectWindows) {
      const verdict = input.canStart(j.hostId, now);
      if (!verdict.canStart) {
        wait(verdict.reason);
        continue;
      }
      if (verdict.closesAt < expiresAt) expiresAt = verdict.closesAt;
    }
    out.push({ jobId: j.id, expiresAt });
    slots--;
    if (j.cluster !== null) busy.set(j.cluster, (busy.get(j.cluster) ?? 0) + 1);
  }
  return { dispatch: out, waiting };
}
