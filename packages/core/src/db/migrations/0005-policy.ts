import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Policy: host groups (a selector over attributes and facts, evaluated when used) and
 * exceptions (time-boxed, owned, approved decisions not to fix something now).
 */
export const policy: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const ddl = [
      `create table policy_groups (
        name text primary key,
        description text not null,
        selector jsonb not null,
        created_at timestamptz not null,
        updated_at timestamptz not null
      )`,
      `create table policy_exceptions (
        id uuid primary key,
        host_id text,
        group_name text,
        advisory text,
        package text,
        category text not null,
        reason text not null,
        owner text not null,
        expires_at timestamptz not null,
        state text not null check (state in ('requested', 'approved', 'rejected', 'revoked')),
        requested_by text not null,
        requested_by_name text,
        decided_by text,
        decided_by_name text,
        decided_at timestamptz,
        comment text,
        created_at timestamptz not null,
        check ((host_id is null) <> (group_name is null)),
        check (advisory is not null or package is not null)
      )`,
    ];
    for (const statement of ddl) await sql.raw(statement).execute(db);
  },
};
