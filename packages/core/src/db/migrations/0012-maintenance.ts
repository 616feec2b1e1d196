import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Maintenance windows and freezes, each a validated document by name. The groups each names
 * are kept apart (jsonb, GIN-indexed) so that deleting a group finds its users in one query.
 */
export const maintenance: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const ddl = [
      `create table maintenance_windows (
        name text primary key,
        document jsonb not null,
        groups jsonb not null,
        created_at timestamptz not null,
        updated_at timestamptz not null
      )`,
      `create table maintenance_freezes (
        name text primary key,
        document jsonb not null,
        groups jsonb not null,
        created_at timestamptz not null,
        updated_at timestamptz not null
      )`,
      `create index maintenance_windows_groups on maintenance_windows using gin (groups jsonb_path_ops)`,
      `create index maintenance_freezes_groups on maintenance_freezes using gin (groups jsonb_path_ops)`,
    ];
    for (const statement of ddl) await sql.raw(statement).execute(db);
  },
};
