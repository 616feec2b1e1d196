import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { PatchwiseError } from '../errors/index.js';

/**
 * Password hashing with scrypt from node:crypto (OpenSSL), never a hand-made primitive. The
 * parameters are one of OWASP's recommended scrypt settings (N=2^15, r=8, p=3: 32 MiB, a few
 * hundred milliseconds here) and are stored with each hash, so raising them later leaves
 * older hashes verifiable.
 */
const DEFAULT = { N: 2 ** 15, r: 8, p: 3 } as const;
const KEY_LENGTH = 32;
export const MIN_PASSWORD_LENGTH = 12;
const MAX_PASSWORD_LENGTH = 1024;

function derive(password: string, salt: Buffer, options: ScryptOptions & { N: number; r: number; p: number }): Promise<Buffer> {
  const maxmem = 256 * options.N * options.r + 16 * 2 ** 20;
  return new Promise((resolve, reject) => scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, { ...options, maxmem }, (err, key) => (err ? reject(err) : resolve(key))));
}

/** Refuses passwords too short to resist guessing or long enough to be a denial of service. */
export function checkPasswordStrength(password: string, label = 'password'): void {
  if (password.length < MIN_PASSWORD_LENGTH) throw new PatchwiseError('PW_INPUT_INVALID', `${label}: at least ${MIN_PASSWORD_LENGTH} characters are required`);
  if (password.length > MAX_PASSWORD_LENGTH) throw new PatchwiseError('PW_INPUT_INVALID', `${label}: at most ${MAX_PASSWORD_LENGTH} characters`);
}

/** `scrypt$N$r$p$salt$hash` (base64url), self-describing. */
export async function hashPassword(password: string): Promise<string> {
  checkPasswordStrength(password);
  const salt = randomBytes(16);
  const key = await derive(password, salt, DEFAULT);
  return ['scrypt', DEFAULT.N, DEFAULT.r, DEFAULT.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** A hash no password matches, verified for unknown users so their answer takes as long. */
export const UNUSABLE_HASH = ['scrypt', DEFAULT.N, DEFAULT.r, DEFAULT.p, Buffer.alloc(16).toString('base64url'), Buffer.alloc(KEY_LENGTH).toString('base64url')].join('$');

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') throw new PatchwiseError('PW_INTERNAL', 'a stored password hash has an unknown format');
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const expected = Buffer.from(parts[5]!, 'base64url');
  if (password.length > MAX_PASSWORD_LENGTH) return false;
  const key = await derive(password, Buffer.from(parts[4]!, 'base64url'), { N, r, p });
  return key.length === expected.length && timingSafeEqual(key, expected);
}
