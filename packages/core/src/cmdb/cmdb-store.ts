import type { Kysely } from 'kysely';
import type { CmdbTables } from './tables.js';
import type { CmdbAsset } from './types.js';

/** The expected assets as last imported from the CMDB (earlier imports are kept as history). */
export class CmdbStore {
  constructor(
    private readonly db: Kysely<CmdbTables>,
    private readonly clock: () => Date,
  ) {}

  async saveImport(source: string, assets: readonly CmdbAsset[]): Promise<void> {
    await this.db
      .insertInto('cmdb_imports')
      .values({ source, assets: JSON.stringify(assets), asset_count: assets.length, imported_at: this.clock() })
      .execute();
  }

  async latest(): Promise<{ source: string; importedAt: Date; assets: CmdbAsset[] } | undefined> {
    const row = await this.db.selectFrom('cmdb_imports').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirst();
    return row && { source: row.source, importedAt: row.imported_at, assets: row.assets as CmdbAsset[] };
  }
}
