import { join } from 'node:path';
import type { AuditSigner } from '@patchwise/core';
import { ensureEd25519KeyFile } from './ed25519-key-file.js';

export const AUDIT_KEY_FILE = 'audit-signing-key';

/**
 * The Ed25519 key that signs audit checkpoints, kept in `dataDir/audit-signing-key` (mode 0600)
 * and never in the database, so someone who can rewrite the database cannot re-sign the chain.
 * Several servers on one PostgreSQL share it: copy the file to each.
 */
export function ensureAuditKey(dataDir: string): AuditSigner & { path: string; created: boolean } {
  return ensureEd25519KeyFile(join(dataDir, AUDIT_KEY_FILE), 'restore it from a backup (a new key cannot vouch for old checkpoints)');
}
