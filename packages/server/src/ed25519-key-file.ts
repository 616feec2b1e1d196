import { existsSync, readFileSync } from 'node:fs';
import { PatchwiseError, generateAgentKeyPair, publicKeyOf } from '@patchwise/core';
import { writeSecretFile } from './secret-file.js';

/**
 * An Ed25519 private key in a PEM file of the data directory (mode 0600), made on first use and
 * never stored in the database, so whoever can rewrite the database cannot sign with it. A file
 * that is not such a key stops the start (PW_CONFIG_INVALID): replacing it silently would void
 * everything the old key signed, so the message says to restore it.
 */
export function ensureEd25519KeyFile(path: string, restoreHint: string): { path: string; created: boolean; privateKeyPem: string; publicKey: string } {
  if (existsSync(path)) {
    const privateKeyPem = readFileSync(path, 'utf8');
    try {
      return { path, created: false, privateKeyPem, publicKey: publicKeyOf(privateKeyPem) };
    } catch (err) {
      throw new PatchwiseError('PW_CONFIG_INVALID', `not an Ed25519 private key in PEM; ${restoreHint}`, { input: path, cause: err });
    }
  }
  const keys = generateAgentKeyPair();
  writeSecretFile(path, keys.privateKeyPem);
  return { path, created: true, privateKeyPem: keys.privateKeyPem, publicKey: keys.publicKey };
}
