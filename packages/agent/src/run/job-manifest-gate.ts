import type { KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { PatchwiseError, claimJobManifest, parsePublicKey, verifyJobManifest, type JobManifest, type ReplayGuard } from '@patchwise/core';
import type { AgentIdentity, AgentState } from './agent-state.js';
import { FileReplayGuard } from './file-replay-guard.js';

/** Where an agent's state directory keeps the job ids it accepted. */
export const ACCEPTED_JOBS_DIR = 'accepted-jobs';

/**
 * What stands between a job manifest received by the agent and its execution: the signature by
 * the key pinned at enrollment, the host, the validity window, then the replay guard. Executors
 * use it in two steps, with their journal between them:
 *
 *   const manifest = gate.verify(signed);                  // refuses what is not ours to run
 *   const stored = journal.report(manifest.idempotencyKey);
 *   if (stored) return stored;                             // a re-delivery: answer, never re-run
 *   await gate.claim(manifest);                            // refuses a job accepted before
 *   … run, store the report by idempotency key …
 *
 * `accept` does both steps for callers without a journal.
 */
export class JobManifestGate {
  private readonly pinnedKey: KeyObject | null;
  private readonly approverKeys: readonly KeyObject[];

  constructor(
    private readonly identity: Pick<AgentIdentity, 'hostId' | 'jobSigningKey' | 'approverKeys' | 'requiredApprovals' | 'approvalEnvironment'>,
    private readonly replayGuard: ReplayGuard,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.pinnedKey = identity.jobSigningKey === null ? null : parsePublicKey(identity.jobSigningKey);
    this.approverKeys = identity.approverKeys.map((k) => parsePublicKey(k));
  }

  /** The gate of an enrolled agent's state directory, with its file-backed replay guard. */
  static forState(state: AgentState, clock: () => Date = () => new Date()): JobManifestGate {
    const identity = state.identity();
    if (!identity) throw new PatchwiseError('PW_USAGE', `not enrolled yet (no identity in ${state.dir}): job manifests cannot be checked`);
    return new JobManifestGate(identity, new FileReplayGuard(join(state.dir, ACCEPTED_JOBS_DIR), clock), clock);
  }

  /** The manifest, if signed by the pinned key for this host, valid now and approved as pinned; else ManifestRejectedError. */
  verify(signed: unknown): JobManifest {
    const { hostId, requiredApprovals, approvalEnvironment } = this.identity;
    return verifyJobManifest(signed, { pinnedKey: this.pinnedKey, hostId, now: this.clock(), approverKeys: this.approverKeys, requiredApprovals, approvalEnvironment });
  }

  /** Records the job as accepted, or refuses it as `replayed` if it was before. */
  claim(manifest: JobManifest): Promise<JobManifest> {
    return claimJobManifest(manifest, this.replayGuard);
  }

  /** verify, then claim; every refusal is a rejected promise. */
  async accept(signed: unknown): Promise<JobManifest> {
    return this.claim(this.verify(signed));
  }
}
