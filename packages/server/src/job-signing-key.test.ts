import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { jobSigningKeyId, publicKeyOf, signJobManifest, verifyJobManifest, parsePublicKey, type JobManifest } from '@patchwise/core';
import { JOB_SIGNING_KEY_FILE, ensureJobSigningKey } from './job-signing-key.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'pw-job-key-'));
  dirs.push(d);
  return d;
}

describe('ensureJobSigningKey', () => {
  it('creates the key on first start (mode 0600) and loads the same key afterwards', () => {
    const dir = dataDir();
    const first = ensureJobSigningKey(dir);
    expect(first.created).toBe(true);
    expect(first.path).toBe(join(dir, JOB_SIGNING_KEY_FILE));
    expect(statSync(first.path).mode & 0o777).toBe(0o600);
    expect(first.publicKey).toBe(publicKeyOf(readFileSync(first.path, 'utf8')));
    expect(first.keyId).toBe(jobSigningKeyId(parsePublicKey(first.publicKey)));

    const again = ensureJobSigningKey(dir);
    expect([again.created, again.publicKey, again.keyId]).toEqual([false, first.publicKey, first.keyId]);
    // What the loaded private key signs verifies against the public key agents pin.
    const manifest: JobManifest = {
      v: 1, jobId: 'j', idempotencyKey: 'k', deploymentId: 1, hostId: 'h', action: 'install', manager: 'apk',
      targets: [{ name: 'musl', version: '1.2.5-r1' }], reboot: 'never', preSteps: [], postSteps: [], preChecks: [], postChecks: [],
      issuedAt: '2026-11-22T10:00:00.000Z', expiresAt: '2026-11-22T11:00:00.000Z',
    };
    const signed = signJobManifest(manifest, again.privateKey);
    expect(signed.keyId).toBe(first.keyId);
    expect(verifyJobManifest(signed, { pinnedKey: parsePublicKey(first.publicKey), hostId: 'h', now: new Date('2026-11-22T10:30:00Z') })).toEqual(manifest);
  });

  it('refuses to start with a damaged key file rather than making a new key agents would not trust', () => {
    const dir = dataDir();
    writeFileSync(join(dir, JOB_SIGNING_KEY_FILE), 'not a key');
    expect(() => ensureJobSigningKey(dir)).toThrow(expect.objectContaining({ code: 'PW_CONFIG_INVALID', message: expect.stringMatching(/job-signing-key: not an Ed25519 private key in PEM; restore it from a backup/) as unknown }));
    expect(readFileSync(join(dir, JOB_SIGNING_KEY_FILE), 'utf8')).toBe('not a key');
  });
});
