import { sql, type Kysely, type Migration } from 'kysely';

/** Host groups: a name and a selector over attributes and facts, evaluated when used. */
export const policyGroups: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      create table policy_groups (
        name text primary key,
        description text not null,
        selector jsonb not null,
        created_at timestamptz not null,
        updated_at timestamptz not null
      )`.execute(db);
  },
};
