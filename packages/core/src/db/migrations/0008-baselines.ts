import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Patch baselines (which fixes are approved for a group's hosts), the advisory's publication
 * date on each finding (baselines approve N days after it; the SLA clock may start at it), and
 * who revoked an exception kept apart from who approved it.
 *
 * Findings stored before this migration have no publication date until their host is next
 * re-assessed; until then both count from first seen (docs/baselines.md).
 */
export const baselines: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const ddl = [
      `create table policy_baselines (
        name text primary key,
        group_name text,
        precedence integer,
        document jsonb not null,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        check ((group_name is null) = (precedence is null))
      )`,
      // Which baseline a host follows never depends on a tie: one per precedence, one default.
      `create unique index policy_baselines_precedence on policy_baselines (precedence)`,
      `create unique index policy_baselines_one_default on policy_baselines ((group_name is null)) where group_name is null`,
      `alter table findings_findings add column published timestamptz`,
      `alter table policy_exceptions add column revoked_by text, add column revoked_by_name text, add column revoked_at timestamptz`,
    ];
    for (const statement of ddl) await sql.raw(statement).execute(db);
  },
};
