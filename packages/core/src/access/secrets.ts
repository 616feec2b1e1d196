import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Prefixes make a leaked secret recognisable (by people and by secret scanners). */
export type SecretKind = 'api-token' | 'enroll-token' | 'session';
const PREFIX: Record<SecretKind, string> = { 'api-token': 'pwt_', 'enroll-token': 'pwe_', session: 'pws_' };

/** A new random secret: 32 bytes from the CSPRNG, base64url, with its kind's prefix. */
export function newSecret(kind: SecretKind, random: (n: number) => Buffer = randomBytes): string {
  return PREFIX[kind] + random(32).toString('base64url');
}

/**
 * What is stored instead of the secret. A plain SHA-256 suffices (no salt, no slow hash): the
 * secrets are 256 random bits, so there is nothing to guess, and lookups stay one indexed query.
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex digests of equal length. */
export function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}
