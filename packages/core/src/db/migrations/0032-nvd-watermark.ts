import { sql, type Kysely, type Migration } from 'kysely';

/**
 * An `nvd` source that pages through the NVD CVE API remembers when its last complete sync
 * started: the next sync asks only for CVEs modified since then (`lastModStartDate`). Null until
 * a sync fetched and stored every page (a first sync loads the whole API), and set back to null
 * when the source's URL or kind changes, or when `feeds forget` removed NVD records another
 * source may have to bring again.
 */
export const nvdWatermark: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`alter table feeds_sources add column watermark timestamptz`.execute(db);
  },
};
