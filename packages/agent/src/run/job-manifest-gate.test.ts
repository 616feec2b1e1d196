import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { approvedTargetsDigest, signApprovalStatement, signJobManifest, type ApprovedTarget, type JobManifest } from '@patchwise/core';
import { parseApproverPins } from './approver-pins.js';
import { AgentState } from './agent-state.js';
import { JobManifestGate } from './job-manifest-gate.js';

const HOST = '7d3f6a52-0c1e-4b8a-9f57-2f1c9b1d0e11';
const server = generateKeyPairSync('ed25519');
const serverKey = server.publicKey.export({ format: 'jwk' }).x as string;
const now = new Date('2026-11-22T10:00:00.000Z');
const clock = () => now;

const manifest: JobManifest = {
  v: 1,
  jobId: 'job-1',
  idempotencyKey: 'd41:h1',
  deploymentId: 41,
  hostId: HOST,
  action: 'install',
  manager: 'apt',
  targets: [{ name: 'libssl3', version: '3.0.15-1~deb12u1' }],
  reboot: 'never',
  preSteps: [],
  postSteps: [],
  preChecks: [],
  postChecks: [],
  issuedAt: '2026-11-22T09:59:00.000Z',
  expiresAt: '2026-11-22T11:00:00.000Z',
};

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A state directory holding an identity.json as some agent version wrote it. */
function stateWith(identity: Record<string, unknown>): AgentState {
  const dir = mkdtempSync(join(tmpdir(), 'pw-gate-'));
  dirs.push(dir);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'identity.json'), JSON.stringify(identity));
  return new AgentState(dir);
}

describe('JobManifestGate', () => {
  it('runs a manifest signed by the pinned key once; a replay is refused, also after a restart', async () => {
    const state = stateWith({ hostId: HOST, serverUrl: 'http://127.0.0.1:1', jobSigningKey: serverKey });
    const signed = signJobManifest(manifest, server.privateKey);
    await expect(JobManifestGate.forState(state, clock).accept(signed)).resolves.toEqual(manifest);
    await expect(JobManifestGate.forState(state, clock).accept(signed)).rejects.toMatchObject({ code: 'PW_MANIFEST_REJECTED', reason: 'replayed' });
    expect(JSON.parse(readFileSync(join(state.dir, 'identity.json'), 'utf8'))).toMatchObject({ jobSigningKey: serverKey });
  });

  it('an agent enrolled before manifests were signed (no jobSigningKey in identity.json) refuses every manifest: re-enroll', async () => {
    const state = stateWith({ hostId: HOST, serverUrl: 'http://127.0.0.1:1' });
    expect(state.identity()?.jobSigningKey).toBeNull();
    const gate = JobManifestGate.forState(state, clock);
    await expect(gate.accept(signJobManifest(manifest, server.privateKey))).rejects.toMatchObject({ reason: 'no-pinned-key', message: expect.stringMatching(/re-enroll/) as unknown });
  });

  it('refuses what the pinned key did not sign, and what is for another host', async () => {
    const gate = JobManifestGate.forState(stateWith({ hostId: HOST, serverUrl: 'http://127.0.0.1:1', jobSigningKey: serverKey }), clock);
    await expect(gate.accept(signJobManifest(manifest, generateKeyPairSync('ed25519').privateKey))).rejects.toMatchObject({ reason: 'unknown-key' });
    await expect(gate.accept(signJobManifest({ ...manifest, hostId: 'another' }, server.privateKey))).rejects.toMatchObject({ reason: 'other-host' });
    await expect(gate.accept(manifest)).rejects.toMatchObject({ reason: 'unsigned' });
  });

  it('treats a damaged pin as an error, never as "no key pinned"', () => {
    expect(() => stateWith({ hostId: HOST, serverUrl: 'http://127.0.0.1:1', jobSigningKey: 'not-a-key' }).identity()).toThrow(/jobSigningKey must be an Ed25519 public key/);
    expect(() => stateWith({ hostId: HOST, serverUrl: 'http://127.0.0.1:1', jobSigningKey: 42 }).identity()).toThrow(/jobSigningKey/);
  });

  it('needs an enrolled agent', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-gate-'));
    dirs.push(dir);
    expect(() => JobManifestGate.forState(new AgentState(dir))).toThrow(/not enrolled yet/);
  });
});

describe('approvers pinned at enrollment', () => {
  const [alice, bob, carol] = [generateKeyPairSync('ed25519'), generateKeyPairSync('ed25519'), generateKeyPairSync('ed25519')];
  const b64 = (k: typeof alice) => k.publicKey.export({ format: 'jwk' }).x as string;
  const approvedTargets: ApprovedTarget[] = [{ ecosystem: 'Debian:12', package: 'libssl3', version: '3.0.15-1~deb12u1' }];
  const approval = (k: typeof alice) =>
    signApprovalStatement({ kind: 'patchwise-change-approval-v1', changeId: 'c1', patchSetNumber: 3, targetsDigest: approvedTargetsDigest(approvedTargets), environment: 'prod', expiresAt: '2026-11-23T10:00:00.000Z' }, k.privateKey);
  const pinned = () => stateWith({ hostId: HOST, serverUrl: 'http://127.0.0.1:1', jobSigningKey: serverKey, approverKeys: [b64(alice), b64(bob), b64(carol)], requiredApprovals: 2 });

  it('runs only jobs that M of the pinned approvers signed, whatever the server signs', async () => {
    const state = pinned();
    expect(state.identity()).toMatchObject({ requiredApprovals: 2, approverKeys: [b64(alice), b64(bob), b64(carol)] });
    const gate = JobManifestGate.forState(state, clock);
    await expect(gate.accept(signJobManifest(manifest, server.privateKey))).rejects.toMatchObject({ reason: 'approvals-missing' });
    const one = { ...manifest, jobId: 'job-2', approvedTargets, approvals: [approval(alice)] };
    await expect(gate.accept(signJobManifest(one, server.privateKey))).rejects.toMatchObject({ reason: 'approvals-missing' });
    const two = { ...manifest, jobId: 'job-3', approvedTargets, approvals: [approval(alice), approval(carol)] };
    await expect(gate.accept(signJobManifest(two, server.privateKey))).resolves.toMatchObject({ jobId: 'job-3' });
  });

  it('pinned to an environment, counts only approvals of changes to it', async () => {
    const state = stateWith({ hostId: HOST, serverUrl: 'http://127.0.0.1:1', jobSigningKey: serverKey, approverKeys: [b64(alice), b64(bob)], requiredApprovals: 2, approvalEnvironment: 'staging' });
    const gate = JobManifestGate.forState(state, clock);
    const prodApproved = { ...manifest, approvedTargets, approvals: [approval(alice), approval(bob)] };
    await expect(gate.accept(signJobManifest(prodApproved, server.privateKey))).rejects.toMatchObject({ reason: 'approvals-missing', message: expect.stringMatching(/pinned to staging/) as unknown });
  });

  it('reads only a sound approvers document', () => {
    const keys = [b64(alice), b64(bob)];
    expect(parseApproverPins({ approverKeys: keys, requiredApprovals: 2 }, 'approvers.json')).toEqual({ approverKeys: keys, requiredApprovals: 2 });
    expect(() => parseApproverPins({ approverKeys: keys, requiredApprovals: 3 }, 'approvers.json')).toThrow(/approvers.json: requiredApprovals: must be an integer from 1 to 2/);
    expect(() => parseApproverPins({ approverKeys: [b64(alice), b64(alice)], requiredApprovals: 1 }, 'a')).toThrow(/listed twice/);
    expect(() => parseApproverPins({ approverKeys: ['nope'], requiredApprovals: 1 }, 'a')).toThrow(/approverKeys\[0\]/);
    expect(() => parseApproverPins({ approverKeys: [], requiredApprovals: 0 }, 'a')).toThrow(/approverKeys: must list 1–50/);
    expect(() => parseApproverPins({ approverKeys: keys, requiredApprovals: 1, extra: true }, 'a')).toThrow(/unknown field "extra"/);
    expect(parseApproverPins({ approverKeys: keys, requiredApprovals: 1, approvalEnvironment: 'prod' }, 'a')).toMatchObject({ approvalEnvironment: 'prod' });
    expect(() => parseApproverPins({ approverKeys: keys, requiredApprovals: 1, approvalEnvironment: 'prod west' }, 'a')).toThrow(/approvalEnvironment/);
    expect(() => stateWith({ hostId: HOST, serverUrl: 'http://127.0.0.1:1', jobSigningKey: serverKey, approverKeys: keys, requiredApprovals: 5 }).identity()).toThrow(/requiredApprovals/);
  });
});
