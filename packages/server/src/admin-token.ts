import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PatchwiseError, type AccessStore } from '@patchwise/core';

export const ADMIN_TOKEN_FILE = 'admin-token';

/**
 * Makes sure an admin API token exists and sits in `dataDir/admin-token` (mode 0600), so the CLI
 * on the same machine can find it. Returns the path and whether the token was created now.
 */
export async function ensureAdminToken(access: AccessStore, dataDir: string): Promise<{ path: string; created: boolean }> {
  const path = join(dataDir, ADMIN_TOKEN_FILE);
  if (existsSync(path)) {
    const token = readFileSync(path, 'utf8').trim();
    try {
      await access.authenticateToken(token);
      chmodSync(path, 0o600);
      return { path, created: false };
    } catch (err) {
      if (!(err instanceof PatchwiseError)) throw err;
      // A stale file (a fresh database, a revoked token): replace it with a working token.
    }
  }
  const { token } = await access.createApiToken('admin (created at first start)', 'admin');
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  chmodSync(path, 0o600); // mode applies only when the file is created
  return { path, created: true };
}
