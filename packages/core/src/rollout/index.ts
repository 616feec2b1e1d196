/**
 * Rollout: deployments of a patch set to hosts in waves (canary first) inside maintenance
 * windows, limited by concurrency, cluster limits and error budgets; the rings patch sets are
 * promoted through; the approved script library; and the contract with the executors (job
 * manifests and reports, signed by the server's job-signing key and verified by agents against
 * the key they pinned). `engineStep` is the engine's one pure decision; `RolloutStore` holds
 * everything it decides, so a restarted server resumes from the tables.
 */
export type {
  ApprovalStatement,
  ApprovedScript,
  ApprovedTarget,
  ApproverSignature,
  CommandRecord,
  HealthCheck,
  JobAction,
  JobManifest,
  JobOutcome,
  JobReport,
  PackageManagerKind,
  PackageVersion,
  RebootPolicy,
  SignedJobManifest,
} from './job-manifest.js';
export { DEFAULT_STRATEGY, amountOf, formatAmount, parseAmount, parseStrategy, strategyToJson } from './strategy.js';
export type { Amount, RolloutStrategy, WaveSizing } from './strategy.js';
export { planWaves } from './wave-plan.js';
export type { PlannableHost } from './wave-plan.js';
export { FAILED_JOB_STATES, IN_FLIGHT_JOB_STATES, POST_REBOOT_CHECK_STEP, TERMINAL_JOB_STATES, jobStateOfReport, leftChanged } from './deployment.js';
export type { Deployment, DeploymentHooks, DeploymentSelection, DeploymentSnapshot, DeploymentState, Job, JobSnapshot, JobState } from './deployment.js';
export { engineStep } from './engine-step.js';
export type { StartVerdict, StepInput, StepResult } from './engine-step.js';
export { jobTargets, managerForEcosystem } from './host-jobs.js';
export { RolloutStore } from './rollout-store.js';
export type { DeploymentPatch, NewDeployment, NewJob } from './rollout-store.js';
export { RingStore } from './ring-store.js';
export type { Ring } from './ring-store.js';
export { ScriptStore } from './script-store.js';
export type { LibraryScript } from './script-store.js';
export type { RolloutTables } from './tables.js';
export { estimateRollout } from './estimate-rollout.js';
export type { EstimateOptions, RolloutEstimate } from './estimate-rollout.js';
export { MAX_MANIFEST_LIFETIME_MS, parseApprovalStatement, parseApproverSignature, parseJobManifest } from './parse-job-manifest.js';
export { MANIFEST_REJECTIONS, ManifestRejectedError, isManifestRejected } from './manifest-rejected-error.js';
export type { ManifestRejection } from './manifest-rejected-error.js';
export { jobSigningKeyId, signJobManifest } from './sign-job-manifest.js';
export { MANIFEST_CLOCK_SKEW_MS, MAX_MANIFEST_PAYLOAD, verifyJobManifest } from './verify-job-manifest.js';
export type { VerifyJobManifestOptions } from './verify-job-manifest.js';
export { claimJobManifest } from './replay-guard.js';
export type { ReplayGuard } from './replay-guard.js';
export { approvedTargetsDigest, signApprovalStatement, verifyApproverSignature, verifyManifestApprovals } from './approver-signatures.js';
export type { ApprovalRequirement } from './approver-signatures.js';
