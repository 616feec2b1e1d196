import { createPrivateKey, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { jobSigningKeyId, publicKeyOf } from '@patchwise/core';
import { ensureEd25519KeyFile } from './ed25519-key-file.js';

export const JOB_SIGNING_KEY_FILE = 'job-signing-key';

/** The server's job-signing key, as the composition root hands it to what signs or publishes it. */
export interface JobSigningKey {
  /** Signs job manifests (signJobManifest). */
  readonly privateKey: KeyObject;
  /** The 32-byte raw public key in base64url (JWK `x`): what the enrollment reply carries and agents pin. */
  readonly publicKey: string;
  /** SHA-256 (hex) of the raw public key: the keyId of every manifest it signs. */
  readonly keyId: string;
}

/**
 * The Ed25519 key that signs job manifests, kept in `dataDir/job-signing-key` (mode 0600), made
 * on first start. Agents pin its public key when they enroll and run only what it signed, so
 * losing or replacing the file means re-enrolling every agent: back it up with the data
 * directory, and copy it to every server process that shares one PostgreSQL.
 */
export function ensureJobSigningKey(dataDir: string): JobSigningKey & { path: string; created: boolean } {
  const file = ensureEd25519KeyFile(join(dataDir, JOB_SIGNING_KEY_FILE), 'restore it from a backup (agents pinned its public key at enrollment; a new key means re-enrolling them all)');
  return { ...jobSigningKeyOf(file.privateKeyPem), path: file.path, created: file.created };
}

/** A JobSigningKey from a private key in PEM (tests and tools that hold the key elsewhere). */
export function jobSigningKeyOf(privateKeyPem: string): JobSigningKey {
  const privateKey = createPrivateKey(privateKeyPem);
  return { privateKey, publicKey: publicKeyOf(privateKeyPem), keyId: jobSigningKeyId(privateKey) };
}
