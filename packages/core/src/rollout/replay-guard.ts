import type { JobManifest } from './job-manifest.js';
import { ManifestRejectedError } from './manifest-rejected-error.js';

/**
 * What an executor remembers of the jobs it accepted, so a manifest that already ran (or is
 * running) is never run again. It only needs to remember a job until its manifest expires (plus
 * a margin for the clock stepping back): after that, verifyJobManifest refuses it as `expired`.
 */
export interface ReplayGuard {
  /** Whether this job id was accepted before. */
  seen(jobId: string): boolean | Promise<boolean>;
  /**
   * Records an accepted job id, durably, before the job starts. Returns false when it was
   * recorded already (another delivery of the same manifest won the race).
   */
  remember(jobId: string, expiresAt: Date): boolean | Promise<boolean>;
}

/**
 * Claims a verified manifest's job for execution: refuses it as `replayed` when its job id was
 * accepted before, else records it. Call it after verifyJobManifest and after the executor has
 * looked up its journal: a re-delivery of a job that already has a report is answered with
 * that report (see docs/job-manifests.md), and only what has none comes here.
 */
export async function claimJobManifest(manifest: JobManifest, guard: ReplayGuard): Promise<JobManifest> {
  if ((await guard.seen(manifest.jobId)) || !(await guard.remember(manifest.jobId, new Date(manifest.expiresAt)))) {
    throw new ManifestRejectedError('replayed', `job ${manifest.jobId} was accepted before; a manifest runs once`);
  }
  return manifest;
}
