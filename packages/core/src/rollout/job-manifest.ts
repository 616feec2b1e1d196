/**
 * The contract between the rollout engine and whatever executes a job (the agent on the host, or
 * the server over SSH for hosts without one): what to do (the manifest, signed by the server)
 * and what happened (the report). Both sides import these types from here so they cannot drift.
 */

/** The package managers that have a driver. */
export type PackageManagerKind = 'apt' | 'dnf' | 'yum' | 'zypper' | 'apk';

/** One package at an exact version. `version: null` in a rollback means "was not installed": remove it. */
export interface PackageVersion {
  readonly name: string;
  readonly version: string | null;
}

/** When a host reboots after installing. */
export type RebootPolicy = 'never' | 'if-required' | 'always';

/**
 * A health check, run before and after the change. None is a free-form command: a `script`
 * check names a script of the approved library, carried with its body and SHA-256.
 */
export type HealthCheck =
  | { readonly kind: 'service'; readonly unit: string }
  | { readonly kind: 'http'; readonly url: string; readonly expectStatus?: number; readonly timeoutMs?: number }
  | { readonly kind: 'script'; readonly script: ApprovedScript };

/** A script of the approved library, as the manifest carries it (the body is covered by the signature). */
export interface ApprovedScript {
  readonly name: string;
  readonly sha256: string;
  readonly body: string;
}

/** What a job does on its host. `rollback` reinstalls `targets`, which are the recorded previous versions. */
export type JobAction = 'install' | 'rollback';

/**
 * One host's share of a deployment. The idempotency key is the same on every delivery of this
 * job (delivered at least once, applied once): an executor that has a result for the key returns
 * it instead of running again.
 */
export interface JobManifest {
  readonly v: 1;
  readonly jobId: string;
  readonly idempotencyKey: string;
  readonly deploymentId: number;
  readonly hostId: string;
  readonly action: JobAction;
  readonly manager: PackageManagerKind;
  readonly targets: readonly PackageVersion[];
  readonly reboot: RebootPolicy;
  readonly preSteps: readonly ApprovedScript[];
  readonly postSteps: readonly ApprovedScript[];
  readonly preChecks: readonly HealthCheck[];
  readonly postChecks: readonly HealthCheck[];
  /** ISO 8601; the executor refuses the manifest at or after this instant. */
  readonly issuedAt: string;
  readonly expiresAt: string;
  /**
   * Optional, together with `approvals`: the approved change's whole target list (its patch
   * set's), whose digest the approvers signed; this job's targets must be among them. Agents
   * that pinned approver keys require them (docs/job-manifests.md, "Approver signatures").
   */
  readonly approvedTargets?: readonly ApprovedTarget[];
  readonly approvals?: readonly ApproverSignature[];
}

/** One target of an approved change, as its patch set lists it. */
export interface ApprovedTarget {
  readonly ecosystem: string;
  readonly package: string;
  readonly version: string;
}

/**
 * What an approver signs with their own key (held by the CLI, never by the server): this change
 * of this patch set, whose targets have this digest, to this environment, until then.
 */
export interface ApprovalStatement {
  /** Domain separation: a signature over a statement can never pass for one over anything else. */
  readonly kind: 'patchwise-change-approval-v1';
  readonly changeId: string;
  readonly patchSetNumber: number;
  /** approvedTargetsDigest of the patch set's targets. */
  readonly targetsDigest: string;
  readonly environment: string;
  /** ISO 8601; the signature counts only before this instant. */
  readonly expiresAt: string;
}

/** An approver's Ed25519 signature (base64) over the RFC 8785 canonical JSON of the statement. */
export interface ApproverSignature {
  /** SHA-256 (hex) of the approver's raw public key. */
  readonly keyId: string;
  readonly signature: string;
  readonly statement: ApprovalStatement;
}

/** A manifest as sent: the exact JSON text that was signed, and the Ed25519 signature over it. */
export interface SignedJobManifest {
  /** RFC 8785 canonical JSON of the JobManifest. */
  readonly payload: string;
  /** Base64 Ed25519 signature over the payload's UTF-8 bytes. */
  readonly signature: string;
  /** SHA-256 (hex) of the signing public key, so a key rotation is visible. */
  readonly keyId: string;
}

/** One command an executor ran, kept with the job: argv, exit status and output (capped). */
export interface CommandRecord {
  readonly step: string;
  readonly argv: readonly string[];
  /** Null when the program could not start or was killed. */
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly startedAt: string;
  readonly durationMs: number;
}

/**
 * How a job ended on its host.
 * - succeeded: targets installed, post-checks passed.
 * - failed: nothing was changed, or a change could not be undone (`rollbackFailed`), or the host
 *   came back from its reboot failing its post-checks (step `post-reboot-check`: the new versions
 *   stay installed).
 * - rolled-back: the change failed (install error or post-check) and the previous versions are back.
 */
export type JobOutcome = 'succeeded' | 'failed' | 'rolled-back';

/** What an executor reports for a job. */
export interface JobReport {
  readonly jobId: string;
  readonly idempotencyKey: string;
  readonly outcome: JobOutcome;
  /** The versions found before the change, for every target (null: not installed). */
  readonly previous: readonly PackageVersion[];
  /** The versions found after the job, for every target. */
  readonly after: readonly PackageVersion[];
  readonly rebootRequired: boolean;
  /** The executor asked the host to reboot after the change was verified. */
  readonly rebooted: boolean;
  /** With `rebooted`: the host's boot id when the reboot was asked for (null: the host has none to read). */
  readonly bootId?: string | null | undefined;
  /**
   * With `rebooted`: the host is back from that reboot (its boot id changed, or its executor was
   * restarted where there is no boot id). Until a report says so the job stays `rebooting`.
   */
  readonly back?: { readonly bootId: string | null; readonly at: string } | undefined;
  /**
   * The step that failed and why, when the outcome is not `succeeded`. With `succeeded` it is null,
   * except for a reboot step that failed after the change was verified (`reboot`: the request
   * failed; `reboot-check`: the host could not say whether it needs one).
   */
  readonly failure: { readonly step: string; readonly message: string } | null;
  readonly rollbackFailed: boolean;
  readonly commands: readonly CommandRecord[];
  readonly startedAt: string;
  readonly finishedAt: string;
}
