import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The view `findings_states` tells a set entry a row overrides by the row's id (a row that
 * overrides an entry always takes its id: `FindingsStore.syncHosts`) instead of by host and key.
 * Same rows, same columns; but PostgreSQL 15 guesses ten entries a set, so matching millions of
 * entries against the rows by (host, key) became a merge anti-join sorted on disk, while by id it
 * is a hash anti-join on one bigint: the fleet's first page of findings over 10,000 synthetic
 * sets of 525 entries took 13.0 s before and 5.9 s after (`bench/findings-view.ts`).
 */
export const findingsViewById: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      create or replace view findings_states as
        select id, host_id, key, detail_id, state, first_seen, fixed_at, updated_at from findings_rows
        union all
        select s.first_id + e.n - 1, s.host_id, e.key, e.detail_id, 'open'::text, s.since, null::timestamptz, s.since
        from findings_sets s cross join lateral unnest(s.keys, s.details) with ordinality as e(key, detail_id, n)
        where not exists (select 1 from findings_rows r where r.id = s.first_id + e.n - 1)`.execute(db);
  },
};
