import { sql, type Kysely, type Migration } from 'kysely';

/** Patch sets, numbered by the database and immutable: a trigger refuses updates and deletes. */
export const patchSets: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const ddl = [
      `create table patchsets_sets (
        number integer generated always as identity primary key,
        name text not null,
        description text not null,
        source text not null check (source in ('findings', 'manual')),
        targets jsonb not null,
        fixes jsonb not null,
        created_at timestamptz not null,
        created_by text not null,
        created_by_name text
      )`,
      `create function patchsets_immutable() returns trigger language plpgsql as $$
        begin
          raise exception 'patch sets are immutable: make a new one';
        end
      $$`,
      `create trigger patchsets_sets_immutable before update or delete on patchsets_sets for each row execute function patchsets_immutable()`,
    ];
    for (const statement of ddl) await sql.raw(statement).execute(db);
  },
};
