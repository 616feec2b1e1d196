import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PatchwiseError, type AccessStore, type UserInfo, type UserStore } from '@patchwise/core';
import { writeSecretFile } from './secret-file.js';

export const ADMIN_TOKEN_FILE = 'admin-token';
export const ADMIN_USER = 'admin';

/**
 * The first user: `admin`, holding the admin role fleet-wide, with no password until someone
 * sets one (`patchwise users set-password admin`). Created once; later changes are respected.
 */
export async function ensureAdminUser(people: UserStore): Promise<UserInfo> {
  const existing = await people.user(ADMIN_USER);
  if (existing) return existing;
  const user = await people.createUser(ADMIN_USER, null);
  await people.bind(user.id, 'admin', null);
  return people.requireUser(user.id);
}

/**
 * Makes sure an API token of the admin user exists and sits in `dataDir/admin-token` (mode
 * 0600), so the CLI on the same machine can find it. Returns the path and whether the token was
 * created now.
 */
export async function ensureAdminToken(access: AccessStore, people: UserStore, dataDir: string): Promise<{ path: string; created: boolean }> {
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
  const admin = await ensureAdminUser(people);
  const { token } = await access.createApiToken('admin (created at first start)', admin.id);
  writeSecretFile(path, `${token}\n`, { replace: true }); // a stale file is replaced
  return { path, created: true };
}
