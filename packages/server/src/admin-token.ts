import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { AccessStore, AuditStore, PatchwiseError, UserStore, type UserInfo } from '@patchwise/core';
import type { Kysely } from 'kysely';
import { tablesOf, type Database } from './database.js';
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
 * created now. A token made here is a credential like one made through the API, so it enters the
 * audit trail in the same transaction (`token.create` by the server): on a PostgreSQL several
 * server processes share, each data directory gets its own, and the trail shows each one.
 */
export async function ensureAdminToken(db: Kysely<Database>, clock: () => Date, dataDir: string): Promise<{ path: string; created: boolean }> {
  const path = join(dataDir, ADMIN_TOKEN_FILE);
  let reason = 'first start';
  if (existsSync(path)) {
    const token = readFileSync(path, 'utf8').trim();
    try {
      await new AccessStore(tablesOf(db), clock).authenticateToken(token);
      chmodSync(path, 0o600);
      return { path, created: false };
    } catch (err) {
      if (!(err instanceof PatchwiseError)) throw err;
      // A stale file (a fresh database, a revoked token): replace it with a working token.
      reason = `${ADMIN_TOKEN_FILE} held no valid token`;
    }
  }
  const token = await db.transaction().execute(async (trx) => {
    const admin = await ensureAdminUser(new UserStore(tablesOf(trx), clock));
    const name = 'admin (created at first start)';
    const created = await new AccessStore(tablesOf(trx), clock).createApiToken(name, admin.id);
    await new AuditStore(tablesOf(trx), clock).append({
      actor: { kind: 'system', id: 'server', name: hostname() },
      action: 'token.create',
      target: { kind: 'token', id: created.id },
      details: { name, user: admin.name, permissions: null, expiresAt: null, reason, file: path },
    });
    return created.token;
  });
  writeSecretFile(path, `${token}\n`, { replace: true }); // a stale file is replaced
  return { path, created: true };
}
