import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The package names of a snapshot move from one row per name (hosts_snapshot_keys) into an
 * array column with a GIN index. Storing a 1,000-package inventory wrote 1,000 rows, each with a
 * foreign-key check and two B-tree entries: about 60 ms of PostgreSQL time per upload, more than
 * everything else together. The array is one value whose index entries are batched (GIN's
 * pending list); a feed import still finds the hosts carrying a name with one index scan.
 */
export const snapshotNames: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`alter table hosts_snapshots add column names text[] not null default '{}'`.execute(db);
    await sql`
      update hosts_snapshots s set names = k.names
      from (select snapshot_id, array_agg(distinct name order by name) as names from hosts_snapshot_keys group by snapshot_id) k
      where k.snapshot_id = s.id`.execute(db);
    await sql`create index hosts_snapshots_names on hosts_snapshots using gin (names)`.execute(db);
    await sql`drop table hosts_snapshot_keys`.execute(db);
  },
};
