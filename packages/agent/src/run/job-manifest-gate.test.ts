import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { signJobManifest, type JobManifest } from '@patchwise/core';
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
