import { sql, type Kysely, type Migration } from 'kysely';

/** CMDB imports: each import is the full list of expected assets at that time. */
export const cmdb: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      create table cmdb_imports (
        id bigint generated always as identity primary key,
        source text not null,
        assets jsonb not null,
        asset_count integer not null,
        imported_at timestamptz not null
      )`.execute(db);
  },
};
