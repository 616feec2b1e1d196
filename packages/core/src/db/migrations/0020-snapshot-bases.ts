import { sql, type Kysely, type Migration } from 'kysely';

/**
 * A snapshot may be stored against a base: another, whole snapshot, minus the positions in
 * `removed`, plus its own `packages`; `names` are then its own packages' names, and
 * `removed_names` the base's names it lost. Hosts of one image differ in a few percent of their
 * packages, so a 1,000-package upload writes a few kilobytes and indexes a few names instead of
 * ~100 KB and a thousand (docs/ARCHITECTURE.md, "Inventory snapshots"). Existing rows stay whole.
 */
export const snapshotBases: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`alter table hosts_snapshots add column base_id text references hosts_snapshots (id)`.execute(db);
    await sql`alter table hosts_snapshots add column removed integer[] not null default '{}'`.execute(db);
    // The base's names none of this snapshot's packages are matched under: a feed update that
    // names them must not re-assess this host.
    await sql`alter table hosts_snapshots add column removed_names text[] not null default '{}'`.execute(db);
    await sql`alter table hosts_snapshots add constraint hosts_snapshots_whole_base check (base_id is not null or (removed = '{}' and removed_names = '{}'))`.execute(db);
    await sql`create index hosts_snapshots_base on hosts_snapshots (base_id) where base_id is not null`.execute(db);
  },
};
