import { verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from '../audit/index.js';
import { isPatchwiseError } from '../errors/index.js';
import type { JobManifest } from './job-manifest.js';
import { verifyManifestApprovals } from './approver-signatures.js';
import { ManifestRejectedError, type ManifestRejection } from './manifest-rejected-error.js';
import { parseJobManifest } from './parse-job-manifest.js';
import { jobSigningKeyId } from './sign-job-manifest.js';

/**
 * How far in the future a manifest's issuedAt may be: the server's and the agent's clocks differ
 * by this much at most (the same window as signed agent requests).
 */
export const MANIFEST_CLOCK_SKEW_MS = 5 * 60_000;

/** The largest payload accepted: approved scripts travel inside it, but a manifest is not a file transfer. */
export const MAX_MANIFEST_PAYLOAD = 4 * 1024 * 1024;

export interface VerifyJobManifestOptions {
  /**
   * The job-signing public key pinned at enrollment; null (or undefined) for an agent enrolled
   * before manifests were signed, which refuses every manifest until it re-enrolls.
   */
  readonly pinnedKey: KeyObject | null | undefined;
  /** The host this executor runs on; a manifest for any other host is refused. */
  readonly hostId: string;
  readonly now: Date;
  /**
   * Approvers' public keys pinned at enrollment, and M: with M > 0 a manifest runs only with
   * signatures of at least M distinct pinned keys over its targets (verifyManifestApprovals).
   * Without them (or M = 0) approvals carried by a manifest are not checked.
   */
  readonly approverKeys?: readonly KeyObject[];
  readonly requiredApprovals?: number;
  /** With approvers: only approvals of changes to this environment count (pinned at enrollment too). */
  readonly approvalEnvironment?: string | undefined;
}

const ENVELOPE_KEYS = new Set(['payload', 'signature', 'keyId']);
/** 64 bytes in standard base64, padded: the only encoding of an Ed25519 signature accepted. */
const SIGNATURE = /^[A-Za-z0-9+/]{86}==$/;
const KEY_ID = /^[0-9a-f]{64}$/;

/**
 * Checks a signed job manifest as received (any JSON value) and returns the manifest it carries,
 * or throws ManifestRejectedError (PW_MANIFEST_REJECTED) with one reason. The checks run in this
 * order, so each reason means exactly one thing: pinned key present → envelope shape → signed at
 * all → key id → signature → canonical text → manifest schema → host → not yet valid → expired →
 * approver signatures (when the agent pinned approvers).
 * Nothing of the payload is parsed before its signature verified. Stateless: replays of a job
 * already accepted are the ReplayGuard's to refuse (claimJobManifest), after this.
 */
export function verifyJobManifest(signed: unknown, options: VerifyJobManifestOptions): JobManifest {
  const { pinnedKey, hostId, now } = options;
  if (!pinnedKey) {
    throw reject('no-pinned-key', 'this agent pinned no job-signing key when it enrolled (enrolled before job manifests were signed); re-enroll it to pin the server key');
  }
  const envelope = envelopeOf(signed);
  const pinnedId = jobSigningKeyId(pinnedKey);
  if (envelope.keyId !== pinnedId) {
    throw reject('unknown-key', `signed by key ${envelope.keyId}, not by the key pinned at enrollment (${pinnedId}); a server key rotation needs the agent to re-enroll`);
  }
  if (!verify(null, Buffer.from(envelope.payload, 'utf8'), pinnedKey, Buffer.from(envelope.signature, 'base64'))) {
    throw reject('bad-signature', 'the signature does not verify over the payload: it was altered after signing, or forged');
  }
  let value: unknown;
  try {
    value = JSON.parse(envelope.payload);
    // A non-canonical text could carry duplicate keys that parsers resolve differently; one text
    // per manifest also means the signed bytes are exactly what an auditor recomputes.
    if (canonicalJson(value) !== envelope.payload) throw new Error('differs from its canonical form');
  } catch (err) {
    throw reject('not-canonical', `the payload is not RFC 8785 canonical JSON (${(err as Error).message})`, err);
  }
  let manifest: JobManifest;
  try {
    manifest = parseJobManifest(value);
  } catch (err) {
    if (!isPatchwiseError(err)) throw err;
    throw reject('schema-invalid', err.message, err);
  }
  if (manifest.hostId !== hostId) throw reject('other-host', `job ${manifest.jobId} is for host ${manifest.hostId}, this is host ${hostId}`);
  const issuedAt = Date.parse(manifest.issuedAt);
  if (issuedAt > now.getTime() + MANIFEST_CLOCK_SKEW_MS) {
    throw reject('not-yet-valid', `job ${manifest.jobId} is issued at ${manifest.issuedAt}, more than ${MANIFEST_CLOCK_SKEW_MS / 60_000} minutes after this host's clock (${now.toISOString()})`);
  }
  if (now.getTime() >= Date.parse(manifest.expiresAt)) {
    throw reject('expired', `job ${manifest.jobId} expired at ${manifest.expiresAt} (this host's clock: ${now.toISOString()})`);
  }
  const requiredApprovals = options.requiredApprovals ?? 0;
  if (requiredApprovals > 0) verifyManifestApprovals(manifest, { approverKeys: options.approverKeys ?? [], requiredApprovals, environment: options.approvalEnvironment, now });
  return manifest;
}

function envelopeOf(signed: unknown): { payload: string; signature: string; keyId: string } {
  if (typeof signed !== 'object' || signed === null || Array.isArray(signed)) throw reject('malformed-envelope', 'must be an object { payload, signature, keyId }');
  const e = signed as Record<string, unknown>;
  if (e.signature === undefined || e.signature === null || e.signature === '') {
    throw reject('unsigned', 'the manifest carries no signature; only manifests signed by the pinned server key run');
  }
  const extra = Object.keys(e).find((k) => !ENVELOPE_KEYS.has(k));
  if (extra !== undefined) throw reject('malformed-envelope', `has an unknown field "${extra}" (everything a job means is inside the signed payload)`);
  if (typeof e.payload !== 'string' || e.payload === '') throw reject('malformed-envelope', 'payload: must be the signed JSON text');
  if (e.payload.length > MAX_MANIFEST_PAYLOAD) throw reject('malformed-envelope', `payload: longer than ${MAX_MANIFEST_PAYLOAD} characters`);
  if (typeof e.signature !== 'string' || !SIGNATURE.test(e.signature)) throw reject('malformed-envelope', 'signature: must be a 64-byte Ed25519 signature in base64');
  if (typeof e.keyId !== 'string' || !KEY_ID.test(e.keyId)) throw reject('malformed-envelope', 'keyId: must be 64 lowercase hex digits');
  return { payload: e.payload, signature: e.signature, keyId: e.keyId };
}

function reject(reason: ManifestRejection, detail: string, cause?: unknown): ManifestRejectedError {
  return new ManifestRejectedError(reason, detail, cause === undefined ? {} : { cause });
}
