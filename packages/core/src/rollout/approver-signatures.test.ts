import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../audit/index.js';
import {
  ManifestRejectedError,
  approvedTargetsDigest,
  jobSigningKeyId,
  signApprovalStatement,
  signJobManifest,
  verifyApproverSignature,
  verifyJobManifest,
  type ApprovalStatement,
  type ApprovedTarget,
  type ApproverSignature,
  type JobManifest,
  type SignedJobManifest,
} from './index.js';

const HOST = '7d3f6a52-0c1e-4b8a-9f57-2f1c9b1d0e11';
const NOW = new Date('2026-11-22T10:00:00.000Z');
const keyPair = () => generateKeyPairSync('ed25519');
const server = keyPair();
const [alice, bob, carol, mallory] = [keyPair(), keyPair(), keyPair(), keyPair()];
const approverKeys = [alice.publicKey, bob.publicKey, carol.publicKey];

/** The patch set of the change: two ecosystems, as patch sets made from findings can be. */
const patchSet: ApprovedTarget[] = [
  { ecosystem: 'AlmaLinux:9', package: 'openssl-libs', version: '1:3.0.7-27.el9_4' },
  { ecosystem: 'AlmaLinux:9', package: 'curl', version: '7.76.1-29.el9_4.1' },
  { ecosystem: 'Debian:12', package: 'libssl3', version: '3.0.15-1~deb12u1' },
];

function statement(overrides: Partial<ApprovalStatement> = {}): ApprovalStatement {
  return { kind: 'patchwise-change-approval-v1', changeId: '0b9c3c1e-6f0e-4c55-9d0f-6d1f8e0a2b71', patchSetNumber: 7, targetsDigest: approvedTargetsDigest(patchSet), environment: 'prod', expiresAt: '2026-11-25T10:00:00.000Z', ...overrides };
}

/** This host's job: one of the patch set's packages (a host gets only what applies to it). */
function manifest(approvals: readonly ApproverSignature[] | undefined, overrides: Partial<JobManifest> = {}): JobManifest {
  return {
    v: 1,
    jobId: 'job-1',
    idempotencyKey: 'd41:h1',
    deploymentId: 41,
    hostId: HOST,
    action: 'install',
    manager: 'dnf',
    targets: [{ name: 'openssl-libs', version: '1:3.0.7-27.el9_4' }],
    reboot: 'never',
    preSteps: [],
    postSteps: [],
    preChecks: [],
    postChecks: [],
    issuedAt: '2026-11-22T09:59:00.000Z',
    expiresAt: '2026-11-22T12:00:00.000Z',
    ...(approvals ? { approvedTargets: patchSet, approvals } : {}),
    ...overrides,
  };
}

const signedBy = (key: KeyObject, overrides: Partial<ApprovalStatement> = {}) => signApprovalStatement(statement(overrides), key);

function verdict(m: JobManifest, required = 2, keys: KeyObject[] = approverKeys, now = NOW, approvalEnvironment?: string): string {
  try {
    verifyJobManifest(signJobManifest(m, server.privateKey), { pinnedKey: server.publicKey, hostId: HOST, now, approverKeys: keys, requiredApprovals: required, approvalEnvironment });
    return 'accepted';
  } catch (err) {
    if (err instanceof ManifestRejectedError) return `${err.reason}: ${err.message}`;
    throw err;
  }
}

describe('approval statements', () => {
  it('digest the targets whatever their order, and change with any version', () => {
    expect(approvedTargetsDigest([...patchSet].reverse())).toBe(approvedTargetsDigest(patchSet));
    expect(approvedTargetsDigest(patchSet.map((t, i) => (i === 2 ? { ...t, version: '3.0.15-1~deb12u2' } : t)))).not.toBe(approvedTargetsDigest(patchSet));
    expect(approvedTargetsDigest(patchSet)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('are signed over their canonical JSON by the approver key named by its id', () => {
    const signed = signedBy(alice.privateKey);
    expect(signed.keyId).toBe(jobSigningKeyId(alice.publicKey));
    expect(verifyApproverSignature(signed, alice.publicKey)).toBe(true);
    expect(verifyApproverSignature(signed, bob.publicKey)).toBe(false);
    expect(verifyApproverSignature({ ...signed, statement: { ...signed.statement, environment: 'dev' } }, alice.publicKey)).toBe(false);
    expect(verifyApproverSignature({ ...signed, statement: JSON.parse(canonicalJson(signed.statement)) as ApprovalStatement }, alice.publicKey)).toBe(true);
  });

  it('refuse to sign an invalid statement', () => {
    expect(() => signedBy(alice.privateKey, { targetsDigest: 'abc' })).toThrow(/statement\.targetsDigest/);
    expect(() => signApprovalStatement({ ...statement(), kind: 'other' as 'patchwise-change-approval-v1' }, alice.privateKey)).toThrow(/statement\.kind/);
    expect(() => signedBy(alice.publicKey)).toThrow(/Ed25519 private key/);
  });
});

describe('verifyJobManifest with M of N approvers pinned', () => {
  it('accepts a job whose targets M distinct pinned approvers signed, a subset of the change', () => {
    expect(verdict(manifest([signedBy(alice.privateKey), signedBy(bob.privateKey)]))).toBe('accepted');
    expect(verdict(manifest([signedBy(mallory.privateKey), signedBy(carol.privateKey), signedBy(alice.privateKey)]))).toBe('accepted');
    expect(verdict(manifest([signedBy(alice.privateKey)]), 1)).toBe('accepted');
  });

  it('refuses with approvals-missing when fewer than M count, saying why each did not', () => {
    expect(verdict(manifest(undefined))).toMatch(/^approvals-missing: .*needs 2 approver signatures: it carries none/);
    expect(verdict(manifest([signedBy(alice.privateKey)]))).toMatch(/^approvals-missing: .*1 valid/);
    expect(verdict(manifest([signedBy(alice.privateKey), signedBy(alice.privateKey, { changeId: 'another-change' })]))).toMatch(/^approvals-missing: .*1 valid/);
    expect(verdict(manifest([signedBy(alice.privateKey), signedBy(mallory.privateKey)]))).toMatch(/is not a pinned approver key/);
    expect(verdict(manifest([signedBy(alice.privateKey), signedBy(bob.privateKey, { targetsDigest: approvedTargetsDigest(patchSet.slice(1)) })]))).toMatch(/signed other targets/);
    expect(verdict(manifest([signedBy(alice.privateKey), signedBy(bob.privateKey, { expiresAt: NOW.toISOString() })]))).toMatch(/expired at 2026-11-22T10:00:00.000Z/);
    const forged = { ...signedBy(bob.privateKey), statement: statement({ environment: 'dev' }) };
    expect(verdict(manifest([signedBy(alice.privateKey), forged]))).toMatch(/does not verify/);
    // The server made mallory's key look like bob's: the key id names bob, the signature is not his.
    expect(verdict(manifest([signedBy(alice.privateKey), { ...signedBy(mallory.privateKey), keyId: jobSigningKeyId(bob.publicKey) }]))).toMatch(/does not verify/);
  });

  it('refuses a job with a target outside the approved change, or a removal', () => {
    const approvals = [signedBy(alice.privateKey), signedBy(bob.privateKey)];
    expect(verdict(manifest(approvals, { targets: [{ name: 'openssl-libs', version: '1:3.0.7-28.el9_4' }] }))).toMatch(/openssl-libs 1:3.0.7-28.el9_4 is not among the approved targets/);
    expect(verdict(manifest(approvals, { action: 'rollback', targets: [{ name: 'curl', version: null }] }))).toMatch(/curl \(remove\) is not among/);
    // Swapping in a bigger target list breaks the digest every approver signed.
    expect(verdict({ ...manifest(approvals), approvedTargets: [...patchSet, { ecosystem: 'AlmaLinux:9', package: 'sudo', version: '1.9.5p2-10' }], targets: [{ name: 'sudo', version: '1.9.5p2-10' }] })).toMatch(/signed other targets/);
  });

  it('with an environment pinned, counts only approvals of changes to it', () => {
    const approvals = [signedBy(alice.privateKey), signedBy(bob.privateKey, { environment: 'dev' })];
    expect(verdict(manifest(approvals), 2, approverKeys, NOW, 'prod')).toMatch(/approved a change to dev, this host is pinned to prod/);
    expect(verdict(manifest(approvals), 1, approverKeys, NOW, 'prod')).toBe('accepted');
    expect(verdict(manifest(approvals), 2, approverKeys, NOW)).toBe('accepted'); // unpinned: any environment's approval counts
  });

  it('refuses everything when fewer approver keys are pinned than M', () => {
    expect(verdict(manifest([signedBy(alice.privateKey), signedBy(bob.privateKey)]), 3, [alice.publicKey, bob.publicKey, alice.publicKey])).toMatch(/only 2 distinct approver keys are pinned/);
  });

  it('checks nothing of approvals when none are required, but the server signature still covers them', () => {
    expect(verdict(manifest(undefined), 0)).toBe('accepted');
    expect(verdict(manifest([signedBy(mallory.privateKey)]), 0)).toBe('accepted');
    const signed = signJobManifest(manifest([signedBy(alice.privateKey), signedBy(bob.privateKey)]), server.privateKey);
    const m = JSON.parse(signed.payload) as { approvals: ApproverSignature[] };
    m.approvals.pop();
    const edited: SignedJobManifest = { ...signed, payload: canonicalJson(m) };
    expect(() => verifyJobManifest(edited, { pinnedKey: server.publicKey, hostId: HOST, now: NOW })).toThrow(expect.objectContaining({ reason: 'bad-signature' }));
  });

  it('validates approvals inside the manifest like every other field', () => {
    const approvals = [signedBy(alice.privateKey)];
    expect(() => signJobManifest({ ...manifest(undefined), approvals }, server.privateKey)).toThrow(/approvedTargets: approvedTargets and approvals come together/);
    expect(() => signJobManifest(manifest([{ ...approvals[0]!, signature: 'short' }]), server.privateKey)).toThrow(/approvals\[0\]\.signature/);
    expect(() => signJobManifest(manifest([{ ...approvals[0]!, statement: { ...approvals[0]!.statement, patchSetNumber: 0 } }]), server.privateKey)).toThrow(/approvals\[0\]\.statement\.patchSetNumber/);
    expect(() => signJobManifest(manifest(Array.from({ length: 21 }, () => approvals[0]!)), server.privateKey)).toThrow(/approvals: at most 20/);
  });
});
