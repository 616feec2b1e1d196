import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { AccessStore, Grants, UserStore, migrateToLatest, migrateUpTo, openDatabase } from '@patchwise/core';
import { tablesOf, type Database } from '../src/database.js';

describe('upgrading a database made before users existed', () => {
  it('gives every older API token to an admin user and names exception requesters by person', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'patchwise-upgrade-'));
    const handle = await openDatabase<Database>({ kind: 'pglite', dataDir: dir });
    try {
      await migrateUpTo(handle.db, '0006-snapshot-names');
      const tokenId = '11111111-1111-4111-8111-111111111111';
      await sql`insert into access_tokens (id, name, token_hash, role, created_at) values (${tokenId}, 'old admin token', 'abc123', 'admin', now())`.execute(handle.db);
      await sql`insert into policy_exceptions (id, host_id, advisory, category, reason, owner, expires_at, state, requested_by, requested_by_name, created_at)
        values ('22222222-2222-4222-8222-222222222222', 'h1', 'CVE-2026-1', 'risk-accepted', 'r', 'o', now() + interval '1 day', 'requested', ${tokenId}, 'old admin token', now())`.execute(handle.db);

      expect(await migrateToLatest(handle.db)).toContain('0007-people');
      const clock = () => new Date();
      const [token] = await new AccessStore(tablesOf(handle.db), clock).listApiTokens();
      const people = new UserStore(tablesOf(handle.db), clock);
      const owner = await people.requireUser(token!.userId);
      expect(owner).toMatchObject({ name: 'admin', hasPassword: false, bindings: [{ role: 'admin', scope: null }] });
      expect(Grants.resolve(owner.bindings, new Map()).get('users.manage')).toEqual({ kind: 'all' });
      const e = await handle.db.selectFrom('policy_exceptions').select('requested_by').executeTakeFirstOrThrow();
      expect(e.requested_by).toBe(owner.id);
    } finally {
      await handle.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
