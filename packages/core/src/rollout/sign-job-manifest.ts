import { createHash, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { canonicalJson } from '../audit/index.js';
import { PatchwiseError } from '../errors/index.js';
import type { JobManifest, SignedJobManifest } from './job-manifest.js';
import { parseJobManifest } from './parse-job-manifest.js';

/**
 * Signs a job manifest with the server's job-signing key: the payload is the RFC 8785 (JCS)
 * canonical JSON of the manifest (one text per manifest, whatever the key order), the signature
 * Ed25519 over its UTF-8 bytes in base64, and the keyId names the key. The manifest is validated
 * first (PW_INPUT_INVALID naming the field): signing something every agent will refuse is a bug
 * better caught where it is made.
 */
export function signJobManifest(manifest: JobManifest, privateKey: KeyObject): SignedJobManifest {
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') {
    throw new PatchwiseError('PW_INPUT_INVALID', 'privateKey: must be an Ed25519 private key');
  }
  const payload = canonicalJson(parseJobManifest(manifest));
  return {
    payload,
    signature: sign(null, Buffer.from(payload, 'utf8'), privateKey).toString('base64'),
    keyId: jobSigningKeyId(createPublicKey(privateKey)),
  };
}

/**
 * The id of a job-signing key: SHA-256 (hex) of the 32-byte raw Ed25519 public key. Agents
 * compare it with the key they pinned, so a manifest signed by a rotated or foreign key is
 * refused as `unknown-key` before any signature is checked.
 */
export function jobSigningKeyId(publicKey: KeyObject): string {
  const key = publicKey.type === 'private' ? createPublicKey(publicKey) : publicKey;
  const jwk = key.asymmetricKeyType === 'ed25519' ? key.export({ format: 'jwk' }) : undefined;
  if (typeof jwk?.x !== 'string') throw new PatchwiseError('PW_INPUT_INVALID', 'publicKey: must be an Ed25519 key');
  return createHash('sha256').update(Buffer.from(jwk.x, 'base64url')).digest('hex');
}
