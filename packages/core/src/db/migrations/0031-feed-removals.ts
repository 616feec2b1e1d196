import { sql, type Kysely, type Migration } from 'kysely';

/**
 * What `feeds forget` removed, one row per advisory record, NVD record or enrichment document,
 * numbered from the feed change sequence like every stored change: a server process following
 * changes (several share one PostgreSQL) learns of a removal as it learns of a new record, and
 * drops it from memory. Rows are tiny and kept: a process that starts reads what is held, and one
 * that follows reads what came after its mark.
 */
export const feedRemovals: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      create table feeds_removals (
        seq bigint primary key default nextval('feeds_change_seq'),
        what text not null check (what in ('advisory', 'nvd', 'document')),
        key text not null
      )`.execute(db);
  },
};
