import type { ColumnType, Generated } from 'kysely';

/** Tables written only by the cmdb module. */
export interface CmdbTables {
  cmdb_imports: {
    id: Generated<string>;
    source: string;
    assets: ColumnType<unknown[], string, string>;
    asset_count: number;
    imported_at: ColumnType<Date, Date, Date>;
  };
}
