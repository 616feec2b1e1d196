import { sql, type Kysely, type Migration } from 'kysely';

/** The first id a host's first findings are numbered from (2^50); row ids stay below it. */
const FIRST_SET_ID = 1125899906842624n;
/** Ids each host's first findings may take (2^20): a set is at most this long (`MAX_SET_LENGTH` in the findings store). */
const SET_ID_BLOCK = 1048576;

/**
 * A host's first findings are stored as one row (`findings_sets`: the keys and details in two
 * arrays, numbered from the row's block of ids) instead of one row each: a first upload of
 * 1,000 packages wrote ~500 `findings_states` rows, which cost PostgreSQL about 2 ms of its 3.3
 * per upload; the one row costs about 0.1 ms. What happens to those findings later is written
 * as rows in `findings_rows` (the old table) that take the set entry's id and override it, so
 * later changes cost what they did. `findings_states` becomes the view readers always saw: the
 * rows, and the set entries no row overrides.
 */
export const findingSets: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const statements = [
      `alter table findings_states rename to findings_rows`,
      // Set entries take ids from 2^50 up; identity ids below it can never meet them.
      `alter table findings_rows alter column id set maxvalue ${FIRST_SET_ID - 1n}`,
      `create sequence findings_set_ids as bigint start with ${FIRST_SET_ID} increment by ${SET_ID_BLOCK}`,
      `create table findings_sets (
        host_id uuid primary key,
        first_id bigint not null unique,
        keys uuid[] not null,
        details uuid[] not null,
        since timestamptz not null
      )`,
      `create view findings_states as
        select id, host_id, key, detail_id, state, first_seen, fixed_at, updated_at from findings_rows
        union all
        select s.first_id + e.n - 1, s.host_id, e.key, e.detail_id, 'open'::text, s.since, null::timestamptz, s.since
        from findings_sets s cross join lateral unnest(s.keys, s.details) with ordinality as e(key, detail_id, n)
        where not exists (select 1 from findings_rows r where r.host_id = s.host_id and r.key = e.key)`,
    ];
    for (const statement of statements) await sql.raw(statement).execute(db);
  },
};
