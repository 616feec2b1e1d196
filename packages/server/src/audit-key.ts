import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PatchwiseError, generateAgentKeyPair, publicKeyOf, type AuditSigner } from '@patchwise/core';

export const AUDIT_KEY_FILE = 'audit-signing-key';

/**
 * The Ed25519 key that signs audit checkpoints, kept in `dataDir/audit-signing-key` (mode 0600)
 * and never in the database, so someone who can rewrite the database cannot re-sign the chain.
 * Several servers on one PostgreSQL share it: copy the file to each.
 */
export function ensureAuditKey(dataDir: string): AuditSigner & { path: string; created: boolean } {
  const path = join(dataDir, AUDIT_KEY_FILE);
  if (existsSync(path)) {
    const privateKeyPem = readFileSync(path, 'utf8');
    try {
      return { path, created: false, privateKeyPem, publicKey: publicKeyOf(privateKeyPem) };
    } catch (err) {
      throw new PatchwiseError('PW_CONFIG_INVALID', 'not an Ed25519 private key in PEM; restore it from a backup (a new key cannot vouch for old checkpoints)', { input: path, cause: err });
    }
  }
  const keys = generateAgentKeyPair();
  writeFileSync(path, keys.privateKeyPem, { mode: 0o600 });
  chmodSync(path, 0o600);
  return { path, created: true, privateKeyPem: keys.privateKeyPem, publicKey: keys.publicKey };
}
