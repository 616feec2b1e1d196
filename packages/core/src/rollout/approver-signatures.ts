import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from '../audit/index.js';
import { PatchwiseError } from '../errors/index.js';
import { countNoun } from '../text/index.js';
import type { ApprovalStatement, ApprovedTarget, ApproverSignature, JobManifest } from './job-manifest.js';
import { ManifestRejectedError } from './manifest-rejected-error.js';
import { parseApprovalStatement } from './parse-job-manifest.js';
import { jobSigningKeyId } from './sign-job-manifest.js';

/**
 * SHA-256 (hex) over the canonical JSON of a change's targets, sorted (ecosystem, package,
 * version), so the approver's CLI, the server and the agent compute the same digest from the
 * patch set whatever order it was listed in.
 */
export function approvedTargetsDigest(targets: readonly ApprovedTarget[]): string {
  const sorted = targets
    .map((t) => ({ ecosystem: t.ecosystem, package: t.package, version: t.version }))
    .sort((a, b) => compare(a.ecosystem, b.ecosystem) || compare(a.package, b.package) || compare(a.version, b.version));
  return createHash('sha256').update(canonicalJson(sorted), 'utf8').digest('hex');
}

/** An approver signs a statement with their own Ed25519 key: base64 signature over its canonical JSON. */
export function signApprovalStatement(statement: ApprovalStatement, privateKey: KeyObject): ApproverSignature {
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') {
    throw new PatchwiseError('PW_INPUT_INVALID', 'privateKey: must be an Ed25519 private key');
  }
  // Parsed before signing: a statement the agents would refuse is a bug better caught here.
  const checked = parseApprovalStatement(statement);
  return { keyId: jobSigningKeyId(createPublicKey(privateKey)), signature: sign(null, Buffer.from(canonicalJson(checked), 'utf8'), privateKey).toString('base64'), statement: checked };
}

/** Whether the signature is by this public key over the statement (the key id must name it too). */
export function verifyApproverSignature(signed: ApproverSignature, publicKey: KeyObject): boolean {
  if (signed.keyId !== jobSigningKeyId(publicKey)) return false;
  const signature = Buffer.from(signed.signature, 'base64');
  return signature.length === 64 && verify(null, Buffer.from(canonicalJson(signed.statement), 'utf8'), publicKey, signature);
}

export interface ApprovalRequirement {
  /** The approvers' public keys pinned at enrollment. */
  readonly approverKeys: readonly KeyObject[];
  /** M: how many distinct pinned keys must have signed. */
  readonly requiredApprovals: number;
  /**
   * The environment the agent was pinned to, if any: only approvals of changes to it count.
   * Without it, an approval of a patch set for one environment counts on every host.
   */
  readonly environment?: string | undefined;
  readonly now: Date;
}

/**
 * Refuses a manifest (`approvals-missing`) unless at least M distinct pinned approver keys
 * signed a statement, unexpired, over the digest of the manifest's approvedTargets, and every
 * target of the job is one of those (same package name and exact version). The server cannot
 * make such a manifest alone: it holds no approver key, so a stolen server cannot push
 * anything the approvers did not approve. The reasons each signature did not count are in the
 * message, for the job report.
 */
export function verifyManifestApprovals(manifest: JobManifest, requirement: ApprovalRequirement): void {
  const { approverKeys, requiredApprovals, environment, now } = requirement;
  const keys = new Map(approverKeys.map((k) => [jobSigningKeyId(k), k]));
  const refuse = (detail: string) => new ManifestRejectedError('approvals-missing', `job ${manifest.jobId} needs ${countNoun(requiredApprovals, 'approver signature')}: ${detail}`);
  if (keys.size < requiredApprovals) throw refuse(`only ${countNoun(keys.size, 'distinct approver key')} ${keys.size === 1 ? 'is' : 'are'} pinned, so no manifest can run; re-enroll with enough approver keys`);
  if (!manifest.approvals || !manifest.approvedTargets) throw refuse('it carries none');
  const approved = new Set(manifest.approvedTargets.map((t) => `${t.package}\u0000${t.version}`));
  const outside = manifest.targets.filter((t) => t.version === null || !approved.has(`${t.name}\u0000${t.version}`));
  if (outside.length > 0) throw refuse(`${outside.map((t) => `${t.name} ${t.version ?? '(remove)'}`).join(', ')} is not among the approved targets`);
  const digest = approvedTargetsDigest(manifest.approvedTargets);
  const counted = new Set<string>();
  const problems: string[] = [];
  for (const a of manifest.approvals) {
    const key = keys.get(a.keyId);
    const short = a.keyId.slice(0, 12);
    if (!key) problems.push(`key ${short}… is not a pinned approver key`);
    else if (!verifyApproverSignature(a, key)) problems.push(`the signature of key ${short}… does not verify`);
    else if (a.statement.targetsDigest !== digest) problems.push(`key ${short}… signed other targets`);
    else if (environment !== undefined && a.statement.environment !== environment) problems.push(`key ${short}… approved a change to ${a.statement.environment}, this host is pinned to ${environment}`);
    else if (now.getTime() >= Date.parse(a.statement.expiresAt)) problems.push(`the approval of key ${short}… expired at ${a.statement.expiresAt}`);
    else counted.add(a.keyId);
  }
  if (counted.size < requiredApprovals) throw refuse(`${counted.size} valid${problems.length ? ` (${problems.join('; ')})` : ''}`);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
