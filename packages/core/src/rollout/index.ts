/**
 * Rollout: deployments of a patch set to hosts, in waves inside maintenance windows, and the
 * contract with the executors (job manifests and reports).
 */
export type {
  ApprovedScript,
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
