import { sql, type Kysely, type Migration } from 'kysely';

/** Patch sets gain a third source: the fixes hosts' baselines require now. */
export const patchSetsFromBaselines: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql.raw(`alter table patchsets_sets drop constraint patchsets_sets_source_check`).execute(db);
    await sql.raw(`alter table patchsets_sets add constraint patchsets_sets_source_check check (source in ('findings', 'baseline', 'manual'))`).execute(db);
  },
};
