import { sql, type Kysely, type Migration } from 'kysely';

/** Settings of the policy module that are one document each (the SLA matrix), set by policy as code. */
export const policySettings: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql.raw(`create table policy_settings (key text primary key, value jsonb not null, updated_at timestamptz not null)`).execute(db);
  },
};
