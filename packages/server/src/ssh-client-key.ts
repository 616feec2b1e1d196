import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { generateSshClientKey, sshPublicKeyOf, type SshClientKey } from '@patchwise/agent';
import { writeSecretFile } from './secret-file.js';

export const SSH_CLIENT_KEY_FILE = 'ssh-client-key';

/**
 * The Ed25519 key the server logs in to agentless hosts with, kept in `dataDir/ssh-client-key`
 * (OpenSSH format, mode 0600, so `ssh -i` can use it to debug a host by hand) and never in the
 * database, like the audit signing key. Its public half goes into each host's authorized_keys
 * (`GET /api/v1/agentless/public-key`). Several servers on one PostgreSQL must share it: copy
 * the file to each, or every host must authorize each server's key.
 */
export function ensureSshClientKey(dataDir: string): SshClientKey & { path: string; created: boolean } {
  const path = join(dataDir, SSH_CLIENT_KEY_FILE);
  if (existsSync(path)) {
    const privateKey = readFileSync(path, 'utf8');
    return { path, created: false, privateKey, publicKey: sshPublicKeyOf(privateKey, path) };
  }
  const key = generateSshClientKey(`patchwise@${hostname()}`);
  writeSecretFile(path, key.privateKey);
  return { path, created: true, ...key };
}
