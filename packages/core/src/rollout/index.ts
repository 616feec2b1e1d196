/**
 * Rollout: deployments of a patch set to hosts, in waves inside maintenance windows, and the
 * contract with the executors (job manifests and reports), with the manifests' signatures:
 * signed by the server's job-signing key, verified by agents against the key they pinned.
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
