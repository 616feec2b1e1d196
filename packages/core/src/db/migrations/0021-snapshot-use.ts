import { sql, type Kysely, type Migration } from 'kysely';

/**
 * When a snapshot was last stored or pointed at, so that past inventories no host holds any more
 * can be deleted after a grace period (HostStore.pruneSnapshots). Existing rows count as used
 * now: the first deletions come a grace period after the upgrade.
 */
export const snapshotUse: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    // now() is evaluated once here: no table rewrite.
    await sql`alter table hosts_snapshots add column used_at timestamptz not null default now()`.execute(db);
    await sql`create index hosts_snapshots_used on hosts_snapshots (used_at)`.execute(db);
  },
};
