import { PatchwiseError } from '../errors/index.js';

/**
 * Why an executor refused a job manifest: one stable string per cause, so logs, reports and tests
 * branch on it rather than on the message. docs/job-manifests.md explains each.
 */
export const MANIFEST_REJECTIONS = [
  /** The agent pinned no job-signing key (enrolled before manifests were signed): re-enroll it. */
  'no-pinned-key',
  /** Not an object of { payload, signature, keyId } with the right types and encodings. */
  'malformed-envelope',
  /** No signature at all: a bare manifest, or an envelope with an empty or missing signature. */
  'unsigned',
  /** Signed by a key other than the pinned one (its keyId names another key). */
  'unknown-key',
  /** The signature does not verify over the payload: altered after signing, or forged. */
  'bad-signature',
  /** The signed text is not the RFC 8785 canonical JSON of what it parses to. */
  'not-canonical',
  /** Signed and canonical, but not a valid v1 JobManifest (types, values, unknown fields). */
  'schema-invalid',
  /** For another host. */
  'other-host',
  /** issuedAt is further in the future than the allowed clock skew. */
  'not-yet-valid',
  /** At or after expiresAt. */
  'expired',
  /** A job id this agent already accepted. */
  'replayed',
  /** Fewer than the required number of distinct pinned approver keys signed this job's targets. */
  'approvals-missing',
] as const;

export type ManifestRejection = (typeof MANIFEST_REJECTIONS)[number];

/**
 * A refused manifest: code PW_MANIFEST_REJECTED (as for every refusal), with the `reason`.
 * The message starts with the reason, so a job report's failure text carries it too.
 */
export class ManifestRejectedError extends PatchwiseError {
  readonly reason: ManifestRejection;

  constructor(reason: ManifestRejection, detail: string, options: { cause?: unknown } = {}) {
    super('PW_MANIFEST_REJECTED', `job manifest rejected (${reason}): ${detail}`, options);
    this.name = 'ManifestRejectedError';
    this.reason = reason;
  }
}

/** Whether an error is a manifest refusal (optionally for this reason). */
export function isManifestRejected(err: unknown, reason?: ManifestRejection): err is ManifestRejectedError {
  return err instanceof ManifestRejectedError && (reason === undefined || err.reason === reason);
}
