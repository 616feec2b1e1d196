import { createHash, createPrivateKey, createPublicKey, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { PatchwiseError } from '../errors/index.js';

/** The headers an agent adds to every request after enrollment. */
export const AGENT_HEADERS = {
  host: 'x-patchwise-host',
  timestamp: 'x-patchwise-timestamp',
  nonce: 'x-patchwise-nonce',
  signature: 'x-patchwise-signature',
} as const;

/** What a signature covers: the request line, the body, and when and once. */
export interface SignedParts {
  readonly method: string;
  /** Path and query exactly as sent, e.g. `/api/v1/agent/checkin`. */
  readonly path: string;
  /** SHA-256 of the raw body bytes, hex (of the empty string for no body). */
  readonly bodyDigest: string;
  /** Milliseconds since the epoch, as sent in the header. */
  readonly timestamp: string;
  /** At least 16 random bytes, base64url; the server refuses a nonce it has seen. */
  readonly nonce: string;
  /** The host id the agent speaks for; part of the signed text, so it cannot be swapped. */
  readonly host: string;
}

/**
 * The exact bytes signed: one field per line, in a fixed order, with a version tag so the
 * encoding can change later without ambiguity. No field may contain a newline.
 */
export function signingText(parts: SignedParts): string {
  const fields = [parts.method.toUpperCase(), parts.path, parts.bodyDigest, parts.timestamp, parts.nonce, parts.host];
  for (const f of fields) {
    if (f.includes('\n')) throw new PatchwiseError('PW_UNAUTHENTICATED', 'a signed request field contains a newline');
  }
  return ['patchwise-agent-v1', ...fields].join('\n');
}

export function bodyDigest(body: Buffer | string | undefined): string {
  return createHash('sha256').update(body ?? '').digest('hex');
}

/** An agent identity: an Ed25519 key pair. The public key travels as a JWK `x` (base64url, 32 bytes). */
export interface AgentKeyPair {
  readonly privateKeyPem: string;
  readonly publicKey: string;
}

/** An Ed25519 private key in PKCS#8 DER is this prefix, then the key's 32 bytes (RFC 8410, section 10.3). */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * A new Ed25519 private key: 32 random bytes (RFC 8032, section 5.1.5), wrapped as PKCS#8.
 * Not `generateKeyPairSync`: in Node 20 the key-generation job it leaves to the garbage collector
 * takes the new key's lock when collected, so a collection that falls inside an export of that key
 * (which holds the lock) deadlocks the process. Seen: the fleet simulator hung after some thousand
 * agents, its main thread in ExportJWK → garbage collection → ~KeyGenJob → mutex lock.
 */
export function newEd25519PrivateKey(): KeyObject {
  return createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, randomBytes(32)]), format: 'der', type: 'pkcs8' });
}

/** A new key pair; `privateKey` is the parsed key, for callers that sign right away. */
export function generateAgentKeyPair(): AgentKeyPair & { readonly privateKey: KeyObject } {
  const privateKey = newEd25519PrivateKey();
  return { privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), publicKey: publicKeyText(createPublicKey(privateKey)), privateKey };
}

function publicKeyText(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new Error('an Ed25519 key exports no x');
  return jwk.x;
}

/** The public key of a private key in PEM, in the form the server stores. */
export function publicKeyOf(privateKeyPem: string): string {
  return publicKeyText(createPublicKey(createPrivateKey(privateKeyPem)));
}

/** Parses a stored or submitted public key; a malformed one is PW_INPUT_INVALID. */
export function parsePublicKey(text: string): KeyObject {
  if (!/^[A-Za-z0-9_-]{43}$/.test(text)) {
    throw new PatchwiseError('PW_INPUT_INVALID', 'publicKey: must be an Ed25519 public key, 32 bytes in base64url');
  }
  try {
    return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: text }, format: 'jwk' });
  } catch (err) {
    throw new PatchwiseError('PW_INPUT_INVALID', 'publicKey: not a valid Ed25519 key', { cause: err });
  }
}

/** Signs with a private key in PEM or, cheaper when signing often, one already parsed. */
export function signRequest(privateKey: string | KeyObject, parts: SignedParts): string {
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  return sign(null, Buffer.from(signingText(parts), 'utf8'), key).toString('base64url');
}

export function verifyRequestSignature(publicKey: KeyObject, parts: SignedParts, signature: string): boolean {
  let sig: Buffer;
  try {
    sig = Buffer.from(signature, 'base64url');
  } catch {
    return false;
  }
  if (sig.length !== 64) return false;
  return verify(null, Buffer.from(signingText(parts), 'utf8'), publicKey, sig);
}
